"""Hostile documents cost one document, not the run (issue 13, items 2 and 7).

Each bad file is built here, put in a folder beside real reports, and run
through a real backfill into a SQLite file: it must be recorded as failed
with a reason a person understands, within a bounded time (the upper bounds
are generous: they prove termination, not speed), while the other reports of
the run are still ingested, each exactly once.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import sqlite3
import time
import zipfile
import zlib
from pathlib import Path

from conftest import EXAMPLES

from worker.app import App
from worker.config import load
from worker.storage import Store

SEEDS = sorted(EXAMPLES.glob("*.txt"))[:2]


def _app(tmp_path: Path, **limits) -> App:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[limits]\n" + "".join(f"{k} = {v!r}\n" for k, v in limits.items()), encoding="utf-8")
    return App(load(str(cfg)), Store(tmp_path / "audit.db"))


def _folder(tmp_path: Path, bad: dict[str, bytes]) -> Path:
    """Real reports plus the bad files, in one folder."""
    d = tmp_path / "in"
    d.mkdir()
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    for name, data in bad.items():
        (d / name).write_bytes(data)
    return d


def _rows(db: Path) -> dict[str, tuple]:
    c = sqlite3.connect(db)
    try:
        return {Path(k).name: (s, e, a) for k, s, e, a in c.execute("SELECT key, status, error, attempts FROM reports")}
    finally:
        c.close()


def _check_others(rows: dict, n_bad: int) -> None:
    """The real reports were ingested, and every file has exactly one row."""
    for p in SEEDS:
        assert rows[p.name][0] == "parsed", rows[p.name]
    assert len(rows) == len(SEEDS) + n_bad


# -- builders ----------------------------------------------------------------------

def _rezip(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            edit(z, info.filename, src.read(info.filename))
    return out.getvalue()


def xlsx_whole_sheet_merge() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "2023年部门决算"
    buf = io.BytesIO()
    wb.save(buf)

    def edit(z, name, b):
        if name == "xl/worksheets/sheet1.xml":
            # openpyxl itself would create 17 billion MergedCells: patch the XML.
            b = b.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/>'
                                           b"</mergeCells>")
            b = b.replace(b"<dimension ", b"<dimensionX ")     # no declared dimension: the merge alone
        z.writestr(name, b)
    return _rezip(buf.getvalue(), edit)


def xlsx_corner_cells(dimension: bool) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "2023年部门决算"
    ws["XFD1048576"] = "尾"
    buf = io.BytesIO()
    wb.save(buf)
    if dimension:
        return buf.getvalue()       # openpyxl declares <dimension ref="A1:XFD1048576"/>
    return _rezip(buf.getvalue(), lambda z, n, b: z.writestr(n, b.replace(b"<dimension ", b"<dimensionX ")))


def docx_inflating(total: int = 199_000_000) -> bytes:
    """A DOCX whose document.xml inflates to ~199 MB (well under 1 MB on disk)."""
    import docx

    d = docx.Document()
    d.add_paragraph("2023年部门决算")
    buf = io.BytesIO()
    d.save(buf)

    def edit(z, name, b):
        if name != "word/document.xml":
            z.writestr(name, b)
            return
        head, tail = b.split(b"<w:body>")
        para = "<w:p><w:r><w:t>本年支出合计100.00万元</w:t></w:r></w:p>".encode() * 2000
        with z.open(name, "w") as f:
            f.write(head + b"<w:body>")
            for _ in range(total // len(para) + 1):
                f.write(para)
            f.write(tail)
    return _rezip(buf.getvalue(), edit)


def pdf_stream_bomb(inflated: int = 200_000_000) -> bytes:
    """A one-page PDF whose content stream inflates to `inflated` bytes of drawing operators."""
    ops = b"0 0 m 100 100 l S\n" * 10_000
    comp = zlib.compressobj(9)
    stream = b"".join(comp.compress(ops) for _ in range(inflated // len(ops) + 1)) + comp.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, ob in enumerate(objs, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % k + ob + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(pdf)


def one_line_text(chars: int = 700_000) -> bytes:
    """A report-like text without a line break: one sentence of many stated shares."""
    rnd = random.Random(1)
    parts = ["2023年部门决算报告 "]
    n = len(parts[0])
    while n < chars:
        p = f"一般公共预算财政拨款支出{rnd.randint(1, 9999)}.{rnd.randint(0, 99)}万元，占{rnd.randint(1, 99)}%；"
        parts.append(p)
        n += len(p)
    return "".join(parts).encode("utf-8")


def encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="a user password")
    c.drawString(72, 720, "2023 final accounts")
    c.save()
    return buf.getvalue()


# -- zip-based formats ---------------------------------------------------------------

def test_hostile_spreadsheets_are_refused_by_their_declared_extent(tmp_path):
    app = _app(tmp_path)
    folder = _folder(tmp_path, {"merge.xlsx": xlsx_whole_sheet_merge(), "corner.xlsx": xlsx_corner_cells(True),
                                "corner_nodim.xlsx": xlsx_corner_cells(False)})
    t = time.monotonic()
    app.backfill([folder], detect=False)
    assert time.monotonic() - t < 60
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 3)
    status, error, _ = rows["merge.xlsx"]
    assert status == "failed" and "合并单元格 A1:XFD1048576" in error and "拒绝处理" in error, error
    status, error, _ = rows["corner.xlsx"]
    assert status == "failed" and "声明的范围 A1:XFD1048576" in error, error
    status, error, _ = rows["corner_nodim.xlsx"]
    assert status == "failed" and "第 1,048,576 行" in error and "第 16,384 列" in error, error


def test_docx_inflating_to_199_mb_is_refused_before_parsing(tmp_path):
    data = docx_inflating()
    assert len(data) < 2_000_000        # passes the size limit and both declared-size zip checks
    app = _app(tmp_path)
    folder = _folder(tmp_path, {"bomb.docx": data})
    t = time.monotonic()
    app.backfill([folder], detect=False)
    assert time.monotonic() - t < 60
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 1)
    status, error, _ = rows["bomb.docx"]
    assert status == "failed" and "XML 内容超过 64 MB" in error and "压缩炸弹" in error, error


def test_a_real_spreadsheet_still_reads(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年部门决算支出表"])
    ws.merge_cells("A1:D1")                      # a title merged over the table: allowed
    ws.append(["单位:万元"])
    ws.append(["项目", "预算数", "决算数", "完成率"])
    ws.append(["基本支出", 100, 95, "95%"])
    buf = io.BytesIO()
    wb.save(buf)
    app = _app(tmp_path)
    folder = _folder(tmp_path, {"ok.xlsx": buf.getvalue()})
    app.backfill([folder], detect=False)
    rows = _rows(tmp_path / "audit.db")
    assert rows["ok.xlsx"][0] in ("parsed", "not_report"), rows["ok.xlsx"]
    assert "拒绝" not in (rows["ok.xlsx"][1] or "")


# -- PDF streams -----------------------------------------------------------------------

def test_pdf_stream_inflating_to_200_mb_is_refused(tmp_path):
    data = pdf_stream_bomb()
    assert len(data) < 1_000_000
    app = _app(tmp_path)
    folder = _folder(tmp_path, {"bomb.pdf": data})
    t = time.monotonic()
    app.backfill([folder], detect=False)
    assert time.monotonic() - t < 60
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 1)
    status, error, _ = rows["bomb.pdf"]
    assert status == "failed" and "数据流解压后超过 64 MB" in error, error


def test_without_the_stream_check_the_memory_limit_stops_the_pdf(tmp_path):
    # The stream check raised out of the way: the parser inflates and lexes
    # the 200 MB stream until the child process runs out of its budget.
    app = _app(tmp_path, max_pdf_stream_mb=1000, document_memory_mb=400, document_seconds=120)
    folder = _folder(tmp_path, {"bomb.pdf": pdf_stream_bomb()})
    t = time.monotonic()
    app.backfill([folder], detect=False, jobs=2)
    assert time.monotonic() - t < 150
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 1)
    status, error, attempts = rows["bomb.pdf"]
    assert status == "failed" and "超过内存上限 400 MB" in error and "下次运行将重试" in error, error
    assert attempts == 1


# -- time limit ---------------------------------------------------------------------------

def test_one_line_text_is_cut_by_the_time_limit_and_retried_next_run(tmp_path):
    # A text without a line break or full stop: whatever the reading costs,
    # the document is bounded by the time limit and recorded.
    app = _app(tmp_path, document_seconds=3)
    # Big enough that even a linear reading takes well over the limit.
    folder = _folder(tmp_path, {"oneline.txt": one_line_text(4_000_000)})
    t = time.monotonic()
    s = app.backfill([folder], detect=True)
    assert time.monotonic() - t < 60
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 1)
    status, error, attempts = rows["oneline.txt"]
    assert status == "failed" and error.startswith("超过单文件处理时限 3 秒") and attempts == 1, error
    assert f"{len(SEEDS)} ingested, 1 failed" in s.text()
    # The next run retries it (and only it); the reports already stored stay as they were.
    s = app.backfill([folder], detect=False)
    assert s.counts["unchanged"] == len(SEEDS) and s.counts["failed"] == 1
    assert _rows(tmp_path / "audit.db")["oneline.txt"][2] == 2


# -- encrypted PDF ----------------------------------------------------------------------

def test_an_encrypted_pdf_is_recorded_as_encrypted_not_corrupt(tmp_path):
    app = _app(tmp_path)
    folder = _folder(tmp_path, {"locked.pdf": encrypted_pdf()})
    app.backfill([folder], detect=False)
    rows = _rows(tmp_path / "audit.db")
    _check_others(rows, 1)
    status, error, _ = rows["locked.pdf"]
    assert status == "unsupported" and "加密" in error and "损坏" not in error, error


# -- symlinks ---------------------------------------------------------------------------

def test_backfill_skips_a_symlink_out_of_the_folder_with_a_note(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n2023年部门决算 本年支出100.00万元\n", encoding="utf-8")
    folder = _folder(tmp_path, {})
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink(outside, folder / "notes.txt")
    os.symlink(folder / SEEDS[0].name, folder / "alias.txt")     # inside the folder: read
    (folder / "sub").mkdir()
    os.symlink(tmp_path, folder / "sub" / "up")                   # a folder outside: not walked
    app = _app(tmp_path)
    s = app.backfill([folder], detect=False)
    rows = _rows(tmp_path / "audit.db")
    assert "passwd" not in rows and "secret.txt" not in rows
    c = sqlite3.connect(tmp_path / "audit.db")
    assert c.execute("SELECT count(*) FROM reports WHERE text LIKE '%root:x:0%'").fetchone()[0] == 0
    _check_others(rows, 0)
    text = s.text()
    assert "跳过符号链接文件" in text and "passwd.txt → /etc/passwd" in text and "--follow-symlinks" in text
    assert "notes.txt" in text and "sub/up" in text


def test_follow_symlinks_reads_the_link_when_asked(tmp_path):
    from click.testing import CliRunner

    from worker.cli import main

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(SEEDS[1], outside / "r.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    os.symlink(outside / "r.txt", folder / "linked.txt")
    db = tmp_path / "audit.db"
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", "--no-detect", str(folder)])
    assert "跳过符号链接文件" in res.output and _rows(db) == {}
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", "--no-detect", "--follow-symlinks", str(folder)])
    assert res.exit_code == 0, res.output
    assert _rows(db)["r.txt"][0] == "parsed"       # stored under the file it points at


# -- the worker processes -----------------------------------------------------------------

def test_killed_children_lose_nothing_and_duplicate_nothing(tmp_path):
    # Several reports in parallel, two of them killed (time, memory) midway:
    # every file gets exactly one row, the good ones parsed.
    app = _app(tmp_path, document_seconds=5, document_memory_mb=400, max_pdf_stream_mb=1000)
    folder = _folder(tmp_path, {"slow.txt": one_line_text(4_000_000), "bomb.pdf": pdf_stream_bomb()})
    for i, p in enumerate(sorted(EXAMPLES.glob("*.txt"))[2:6]):
        shutil.copy(p, folder / f"more{i}.txt")
    n_more = len(list(folder.glob("more*.txt")))
    s = app.backfill([folder], detect=True, jobs=2)
    rows = _rows(tmp_path / "audit.db")
    assert len(rows) == len(SEEDS) + 2 + n_more
    assert sum(1 for st, _, _ in rows.values() if st == "parsed") == len(SEEDS) + n_more
    # The runaway text grows ~80 MB a second: which of its two budgets it
    # exhausts first depends on the machine's speed (each limit alone is
    # tested above); what matters here is that it is stopped and recorded.
    assert rows["slow.txt"][1].startswith(("超过单文件处理时限 5 秒", "超过内存上限 400 MB")), rows["slow.txt"]
    assert "超过" in rows["bomb.pdf"][1]
    assert s.counts["ingested"] == len(SEEDS) + n_more
