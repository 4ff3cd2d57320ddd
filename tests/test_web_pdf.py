"""Page images (issue 15): a PDF page rendered with the quoted figures boxed.

A real PDF is drawn with reportlab and a CJK font, with a sentence the
stated-rate rule flags (90% stated, 300/400 = 75%) placed where the test
knows it is; the real CLI backfills it. The boxes stored for the alert's
quote are checked against where reportlab drew the characters (PDF points
turned to top-left coordinates), the PNG route's image against the page size
and the box colour on the outline, and what cannot be shown (no such report,
page or alert, a text report, the original gone) against the words shown.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import STORES, WEB_USERS, db_rows
from tests import dbkit
from tests.dbkit import connect, is_pg, session
from tests.pdfdraw import MARGIN, Drawing, have_font
from tests.webkit import client, get, logged_in

pytestmark = pytest.mark.skipif(not have_font(), reason="no CJK TrueType font (CJK_FONT)")

PREFIX = "二、支出情况。"
SENTENCE = "农林水支出(类)2023年度年初预算400.00万元,支出决算为300.00万元,完成年初预算的90%。"
LINE = PREFIX + SENTENCE
SIZE = 9.0
BOX = (220, 20, 60)          # the outline colour (worker/page_render.BOX_COLOUR), as the auditor sees it


class Drawn:
    """The test PDF and where its flagged line stands (reportlab's coordinates, bottom-left origin)."""

    def __init__(self) -> None:
        d = Drawing().page()
        d.line("某县水利局2023年度部门决算", 16, align="center")
        d.line("第一部分 部门概况")
        d.paragraph("本部门主要职责是负责全县水资源的合理开发利用和保护,组织实施水利工程建设与管理。")
        d.page()
        d.line("第三部分 2023年度部门决算情况说明")
        d.paragraph("一、收入支出决算总体情况说明。2023年度收入总计800.00万元,支出总计800.00万元。")
        self.baseline = d.y
        self.page_width, self.page_height = d.width, d.height
        self.x = {i: MARGIN + d.width_of(LINE[:i], SIZE) for i in range(len(LINE) + 1)}
        d.line(LINE, SIZE)
        self.pdf = d.pdf()

    def span(self, text: str) -> tuple[float, float, float, float]:
        """Where `text` of the line was drawn: x0, top, x1, bottom from the page's top left (glyph body)."""
        i = LINE.index(text)
        top = self.page_height - self.baseline - 0.7 * SIZE        # digits and Chinese reach this high
        return self.x[i], top, self.x[i + len(text)], self.page_height - self.baseline


def cli(*args: str, config: Path | None = None, code: int = 0) -> str:
    from worker.cli import main

    res = CliRunner().invoke(main, [*(["--config", str(config)] if config else []), *args])
    assert res.exit_code == code, res.output
    return res.output


def make(folder: Path, drawn: Drawn, config: Path | None = None, url: str | None = None) -> tuple:
    """The PDF written to `folder` and backfilled into a new database there (or the empty PostgreSQL
    database at `url`), with a viewer; (db, pdf)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in").mkdir()
    pdf = folder / "in" / "water.pdf"
    pdf.write_bytes(drawn.pdf)
    db: Path | str = url or folder / "db" / "w.db"
    if url is None:
        db.parent.mkdir()
    cli("--db", str(db), "backfill", str(folder / "in"), config=config)
    role, password = WEB_USERS["vera"]
    from worker.cli import main

    res = CliRunner().invoke(main, ["--db", str(db), "users", "add", "vera", "--role", role, "--password-stdin"],
                             input=password + "\n")
    assert res.exit_code == 0, res.output
    return db, pdf


rows = db_rows      # tests/conftest.py: a fresh connection per query


def the_alert(db) -> tuple[int, int, dict]:
    (a,) = rows(db, "SELECT id, report_id, evidence FROM alerts WHERE rule = 'stated.completion'")
    (q,) = json.loads(a["evidence"])["quotes"]
    return a["id"], a["report_id"], q


@pytest.fixture(scope="module")
def drawn() -> Drawn:
    return Drawn()


@pytest.fixture(scope="module", params=STORES)
def water(request, tmp_path_factory, drawn):
    """The PDF backfilled, on each store: (database, pdf)."""
    folder = tmp_path_factory.mktemp("water")
    if request.param == "sqlite":
        yield make(folder, drawn)
        return
    srv = request.getfixturevalue("pg_server")
    name = "water_" + folder.name.lower().replace("-", "_")[-12:]
    yield make(folder, drawn, url=srv.create_database(name))
    srv.drop_database(name)


def quote_boxes(db):
    from worker import text_boxes

    _, rid, q = the_alert(db)
    conn = connect(db)
    try:
        original = conn.execute("SELECT COALESCE(original_text, text) FROM reports WHERE id = ?", (rid,)).fetchone()[0]
        return text_boxes.for_quote(conn, rid, q["start"], q["end"], original, page=q["page"])
    finally:
        conn.close()


def test_the_quotes_boxes_cover_the_figure_where_it_was_drawn(water, drawn):
    db, _ = water
    _, rid, q = the_alert(db)
    assert q["text"] == SENTENCE and q["page"] == 2
    (box,) = quote_boxes(db)           # one line: one box
    assert (box.page, box.part) == (2, 0)
    assert abs(box.width - drawn.page_width) < 0.5 and abs(box.height - drawn.page_height) < 0.5
    # The flagged figure, 90%, lies inside the box (1 pt of slack).
    x0, top, x1, bottom = drawn.span("90%")
    assert box.x0 - 1 <= x0 and x1 <= box.x1 + 1 and box.top - 1 <= top and bottom <= box.bottom + 1
    # The box is the quote's, not the line's: it starts where 农 was drawn (after the
    # prefix, interpolated along the line: within half a character) and ends after 。.
    start, _, end, _ = drawn.span(SENTENCE)
    assert abs(box.x0 - start) < 0.5 * SIZE, (box.x0, start)
    assert abs(box.x1 - end) < 0.5 * SIZE, (box.x1, end)
    assert box.x0 - MARGIN > 5 * SIZE           # the prefix (7 characters) is left out
    assert box.bottom - box.top < 2 * SIZE


def test_every_stored_box_holds_its_own_line(water, drawn):
    """The text of each stored line is the text drawn at that height (the offsets are the quotes' offsets)."""
    db, _ = water
    (r,) = rows(db, "SELECT id, COALESCE(original_text, text) AS t FROM reports")
    lines = rows(db, "SELECT * FROM text_boxes WHERE report_id = ? ORDER BY text_start", r["id"])
    assert len(lines) == 8         # page 1: title, heading, a paragraph of two lines; page 2: the same, and LINE
    last = lines[-1]
    assert r["t"][last["text_start"]:last["text_end"]] == LINE and last["page"] == 2
    assert abs(last["x0"] - MARGIN) < 1 and abs(last["x1"] - drawn.x[len(LINE)]) < 1
    for a, b in zip(lines, lines[1:]):
        assert a["text_end"] <= b["text_start"]
        if a["page"] == b["page"]:
            assert a["bottom"] <= b["top"] + 0.5        # reading order: top to bottom


def png_of(response):
    from PIL import Image

    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def test_the_page_image_has_the_box_drawn_around_the_quote(water, drawn):
    db, _ = water
    aid, rid, q = the_alert(db)
    (box,) = quote_boxes(db)
    c = logged_in(db, "vera")
    r = get(c, f"/reports/{rid}/pages/2.png?alert={aid}")
    assert r.headers["cache-control"].startswith("private")
    img = png_of(r)
    # A4 at 1.5 pixels a point.
    assert abs(img.width - drawn.page_width * 1.5) <= 1 and abs(img.height - drawn.page_height * 1.5) <= 1
    s = img.width / drawn.page_width
    mid = int((box.top + box.bottom) / 2 * s)

    def outline_near(x: float, y: int, horizontal: bool = True) -> bool:
        pts = [(int(x) + d, y) if horizontal else (y, int(x) + d) for d in range(-7, 8)]
        return any(img.getpixel(p) == BOX for p in pts)

    assert outline_near(box.x0 * s, mid), "no box edge left of the quote"
    assert outline_near(box.x1 * s, mid), "no box edge right of the quote"
    centre = int((box.x0 + box.x1) / 2 * s)
    assert outline_near(box.top * s, centre, horizontal=False), "no box edge above the quote"
    assert outline_near(box.bottom * s, centre, horizontal=False), "no box edge below the quote"
    # An outline, not a fill: inside, the text stays black on white.
    inside = [img.getpixel((x, mid)) for x in range(int(box.x0 * s) + 8, int(box.x1 * s) - 8)]
    assert BOX not in inside and min(sum(p) for p in inside) < 200
    # The prefix, outside the quote, is not boxed; the page without an alert has no box at all.
    assert not any(img.getpixel((x, mid)) == BOX for x in range(int(MARGIN * s) - 4, int(box.x0 * s) - 8))
    plain = png_of(get(c, f"/reports/{rid}/pages/2.png"))
    assert plain.size == img.size
    assert not any(plain.getpixel((x, y)) == BOX for x in range(0, plain.width, 3)
                   for y in range(mid - 30, mid + 30, 3))


def test_the_alert_page_shows_the_page_image_under_the_quote(water):
    db, _ = water
    aid, rid, _ = the_alert(db)
    page = get(logged_in(db, "vera"), f"/alerts/{aid}").text
    imgs = re.findall(r'<img class="page-image" src="([^"]+)" alt="([^"]+)"', page)
    assert imgs == [(f"/reports/{rid}/pages/2.png?alert={aid}", "第 2 页原件图像,红框标出本条预警引用的原文")]
    figure = page[page.index('<figure class="quote"'):page.index("</figure>")]
    assert "page-image" in figure                    # under its quote
    en = get(logged_in(db, "vera", lang="en"), f"/alerts/{aid}").text
    assert 'alt="page 2 of the PDF, the text this alert quotes boxed in red"' in en


def test_what_cannot_be_shown_is_a_404_with_a_reason(water):
    db, _ = water
    aid, rid, _ = the_alert(db)
    c = logged_in(db, "vera")
    assert get(c, f"/reports/{rid + 99}/pages/1.png").status_code == 404
    huge = "9" * 30                         # beyond SQLite's integers: still a miss, not an error
    assert get(c, f"/reports/{huge}/pages/1.png").status_code == 404
    r = get(c, f"/reports/{rid}/pages/{huge}.png?alert={aid}")
    assert r.status_code == 404 and f"PDF 没有第 {huge} 页(共 2 页)" in r.text
    assert get(c, f"/reports/{rid}/pages/1.png?alert={huge}").status_code == 404
    r = get(c, f"/reports/{rid}/pages/3.png?alert={aid}")
    assert r.status_code == 404 and "PDF 没有第 3 页(共 2 页)" in r.text
    assert get(c, f"/reports/{rid}/pages/0.png").status_code == 404
    r = get(c, f"/reports/{rid}/pages/2.png?alert={aid + 99}")
    assert r.status_code == 404 and f"预警 #{aid + 99} 不存在" in r.text
    # A viewer is needed: without a login, to the login page.
    assert get(client(db), f"/reports/{rid}/pages/2.png").status_code == 303


def test_a_text_report_has_no_image_and_no_error(web_db):
    c = logged_in(web_db, "vera")
    (a,) = rows(web_db, "SELECT id, report_id FROM alerts WHERE kind != 'source_failure' ORDER BY id LIMIT 1")
    page = get(c, f"/alerts/{a['id']}")
    assert page.status_code == 200
    assert "page-image" not in page.text
    r = get(c, f"/reports/{a['report_id']}/pages/1.png")
    assert r.status_code == 404 and f"报告 #{a['report_id']} 没有 PDF 原件" in r.text


def test_the_original_kept_beside_the_database_then_gone(tmp_path, drawn):
    db, pdf = make(tmp_path / "w", drawn)
    aid, rid, _ = the_alert(db)
    (doc,) = rows(db, "SELECT sha256 FROM documents WHERE report_id = ?", rid)
    kept = db.parent / "originals" / f"{doc['sha256']}.pdf"
    assert kept.read_bytes() == drawn.pdf
    c = logged_in(db, "vera")
    url = f"/reports/{rid}/pages/2.png?alert={aid}"
    pdf.unlink()                             # the file backfill read is gone: the kept copy is shown
    png_of(get(c, url))
    kept.unlink()                            # and now the kept copy too
    r = get(c, url)
    assert r.status_code == 404
    assert "PDF 原件(SHA-256 " + doc["sha256"][:12] in r.text and "无法显示第 2 页的图像" in r.text
    page = get(c, f"/alerts/{aid}")
    assert page.status_code == 200
    assert re.search(r'<p class="note page-image-missing">PDF 原件\(SHA-256 ' + doc["sha256"][:12], page.text)
    assert "<img" not in page.text
    # The file put back where backfill read it: shown again from there.
    pdf.write_bytes(drawn.pdf)
    png_of(get(c, url))


def test_a_broken_original_is_a_422_not_a_500(tmp_path, drawn, db_url):
    db, pdf = make(tmp_path / "w", drawn, url=db_url if is_pg(db_url) else None)
    aid, rid, _ = the_alert(db)
    (doc,) = rows(db, "SELECT sha256 FROM documents WHERE report_id = ?", rid)
    pdf.unlink()
    if not is_pg(db):                        # a PostgreSQL store keeps its copy in blobs, not beside it
        (db.parent / "originals" / f"{doc['sha256']}.pdf").unlink()
    # Bytes with the right hash cannot be forged; a blob of the same hash holding garbage stands for a
    # copy damaged in the database.
    import zlib

    with session(db) as conn:
        conn.execute("DELETE FROM blobs WHERE sha256 = ?", (doc["sha256"],))
        conn.execute("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                     (doc["sha256"], 9, zlib.compress(b"%PDF-1.4 broken")))
    conn.close()
    r = get(logged_in(db, "vera"), f"/reports/{rid}/pages/2.png?alert={aid}")
    assert r.status_code == 422 and "PDF 原件无法渲染" in r.text


def test_keep_originals_off_keeps_nothing(tmp_path, drawn):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[storage]\nkeep_originals = false\n", encoding="utf-8")
    db, pdf = make(tmp_path / "w", drawn, config=cfg)
    assert not (db.parent / "originals").exists()
    assert rows(db, "SELECT count(*) FROM text_boxes")[0][0] == 8       # the boxes are recorded all the same
    aid, rid, _ = the_alert(db)
    png_of(get(logged_in(db, "vera"), f"/reports/{rid}/pages/2.png?alert={aid}"))     # from the file itself


def test_reparse_rewrites_the_boxes_and_an_unreadable_new_file_keeps_them(tmp_path, drawn, db_url):
    db, pdf = make(tmp_path / "w", drawn, url=db_url if is_pg(db_url) else None)
    rid = the_alert(db)[1]
    before = [tuple(r) for r in rows(db, "SELECT * FROM text_boxes WHERE report_id = ? ORDER BY text_start", rid)]
    with session(db) as conn:
        conn.execute("UPDATE text_boxes SET x0 = -1 WHERE report_id = ?", (rid,))
        conn.execute("INSERT INTO text_boxes VALUES (?, 0, 7, 9000, 9001, 1, 1, 2, 2, 10, 10)", (rid,))
    conn.close()
    cli("--db", str(db), "backfill", "--reparse")
    after = [tuple(r) for r in rows(db, "SELECT * FROM text_boxes WHERE report_id = ? ORDER BY text_start", rid)]
    assert after == before
    # The file replaced by an unreadable one: the run says it failed, and the version read
    # before stays whole — its text, its boxes (they still match that text) — with a warning
    # saying why; nothing is lost, the next run tries again.
    pdf.write_bytes(b"%PDF-1.4\n% not a PDF any more\n")
    assert "1 failed" in cli("--db", str(db), "backfill", "--reparse", code=1)
    status, warnings = rows(db, "SELECT status, warnings FROM reports WHERE id = ?", rid)[0]
    assert status == "parsed" and "重新发布的新内容无法读取" in warnings
    kept = [tuple(r) for r in rows(db, "SELECT * FROM text_boxes WHERE report_id = ? ORDER BY text_start", rid)]
    assert kept == before


def test_a_partial_line_is_interpolated_by_character_widths():
    from worker.text_boxes import Box, quote_boxes

    text = "ab中文cd"        # widths 0.55 0.55 1 1 0.55 0.55: 4.2 in all
    line = Box(part=0, page=1, start=10, end=16, x0=100.0, top=5.0, x1=142.0, bottom=15.0, width=600, height=800)
    padded = "x" * 10 + text
    (b,) = quote_boxes([line], 12, 14, padded)          # 中文
    assert (b.start, b.end, b.x0, b.x1, b.top, b.bottom) == (12, 14, 111.0, 131.0, 5.0, 15.0)
    (whole,) = quote_boxes([line], 0, 99, padded)
    assert whole == line
    assert quote_boxes([line], 12, 14, padded, page=2) == []
    (uniform,) = quote_boxes([line], 13, 16)            # without the text: one character, one sixth
    assert (uniform.x0, uniform.x1) == (121.0, 142.0)


def test_a_postgresql_store_keeps_the_pdf_in_blobs_and_writes_no_folder(tmp_path, drawn, pg_url, monkeypatch):
    """A PostgreSQL store has no folder of its own: nothing is written beside a URL taken for a path
    (here the working directory); the PDF backfill read is kept in `blobs`, so its pages are still drawn
    when the file is gone (and on any other machine sharing the store)."""
    monkeypatch.chdir(tmp_path)
    db, pdf = make(tmp_path / "w", drawn, url=pg_url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]
    assert not list(tmp_path.rglob("originals"))
    aid, rid, _ = the_alert(db)
    c = logged_in(db, "vera")
    url = f"/reports/{rid}/pages/2.png?alert={aid}"
    png_of(get(c, url))
    pdf.unlink()
    png_of(get(c, url))
    assert dbkit.scalar(db, "SELECT count(*) FROM blobs") == 1
    sha = dbkit.scalar(db, "SELECT sha256 FROM documents WHERE report_id = ?", (rid,))
    assert sha == hashlib.sha256(drawn.pdf).hexdigest()
    assert dbkit.scalar(db, "SELECT size FROM blobs WHERE sha256 = ?", (sha,)) == len(drawn.pdf)
