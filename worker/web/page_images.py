"""Page images: a report's PDF page, with the quotes of an alert boxed.

`/reports/{id}/pages/{n}.png?alert={alert_id}` renders page n of the report's
PDF (worker/page_render.py) and outlines, on that page, every quote of the
alert that stands there, from the boxes recorded while extracting
(worker/text_boxes.py). The PDF's bytes come from worker/originals.py. What
cannot be shown is said in words: no such report, page or alert (404), the
original gone from disk (404, and the alert page says so instead of showing
a broken image), a file PDFium cannot read (422).

`annotate` gives the alert page, for each quote on a PDF page, the image to
show (or why there is none).
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from worker import originals, text_boxes
from worker.labels import LANGS
from worker.page_render import RenderError, render
from worker.web import auth
from worker.web.site import Site

# (zh, en): kept here so that this part of the view stays in one module.
LABELS: dict[str, tuple[str, str]] = {
    "alt": ("第 {page} 页原件图像,红框标出本条预警引用的原文",
            "page {page} of the PDF, the text this alert quotes boxed in red"),
    "alt_unboxed": ("第 {page} 页原件图像(该报告解析时未记录文字位置,未能框出引文)",
                    "page {page} of the PDF (no text positions were recorded for this report: nothing boxed)"),
    "no_pdf": ("报告 #{id} 没有 PDF 原件", "report #{id} has no PDF"),
    "missing": ("PDF 原件(SHA-256 {sha})已不在存放处(数据库旁的 originals 文件夹、数据库内的抓取副本或原文件路径),"
                "无法显示第 {page} 页的图像;重新 backfill 该文件即可恢复",
                "the original PDF (SHA-256 {sha}) is no longer kept (originals folder beside the database, the "
                "fetched copy in the database, or the file's path): page {page} cannot be shown; backfill the "
                "file again to restore it"),
    "no_page": ("PDF 没有第 {page} 页(共 {pages} 页)", "the PDF has no page {page} (it has {pages})"),
    "unreadable": ("PDF 原件无法渲染({error})", "the PDF cannot be rendered ({error})"),
    "busy": ("正在渲染其他页面,请稍后再试", "busy rendering other pages: try again shortly"),
    "no_alert": ("预警 #{id} 不存在", "there is no alert #{id}"),
}
CACHE = "private, max-age=300"


def say(site: Site, key: str, **values) -> str:
    return LABELS[key][LANGS.index(site.lang)].format(**values)


# -- SQL ---------------------------------------------------------------------------

def pdf_documents(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    """The report's PDF documents: part (place among its documents by id), sha256, and a local path if any."""
    row = conn.execute("SELECT key FROM reports WHERE id = ?", (report_id,)).fetchone()
    key = row["key"] if row is not None else ""
    out = []
    for part, d in enumerate(conn.execute("SELECT url, role, sha256, content_type FROM documents"
                                          " WHERE report_id = ? ORDER BY id", (report_id,)).fetchall()):
        if d["content_type"] == "application/pdf":
            # A file read by backfill: the report's key is its absolute path.
            path = key if d["role"] == "main" and key and not key.startswith(("http://", "https://")) else d["url"]
            out.append({"part": part, "sha256": d["sha256"], "path": path})
    return out


def alert_spans(conn: sqlite3.Connection, alert_id: int) -> list[dict] | None:
    """The alert's quotes with their offsets (report, n, start, end, page); None when there is no such alert."""
    if conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
        return None
    return [dict(r) for r in conn.execute(
        "SELECT n, report_id, quote_start AS start, quote_end AS end, page FROM alert_quotes"
        " WHERE alert_id = ? ORDER BY n", (alert_id,))]


def _original(conn: sqlite3.Connection, report_id: int) -> str | None:
    row = conn.execute("SELECT COALESCE(original_text, text) FROM reports WHERE id = ?", (report_id,)).fetchone()
    return row[0] if row is not None else None


def boxes_on(conn: sqlite3.Connection, report_id: int, page: int, spans: list[dict], text: str | None = None
             ) -> list[text_boxes.Box]:
    """The boxes, on `page` of the report, of the quotes (of this report) among `spans`
    (`text`: the report's original text, read here when not given)."""
    text = text if text is not None else _original(conn, report_id)
    out: list[text_boxes.Box] = []
    for q in spans:
        s, e = q["start"], q["end"]
        if q["report_id"] == report_id and isinstance(s, int) and isinstance(e, int) and e > s:
            out += text_boxes.for_quote(conn, report_id, s, e, text, page=page)
    return out


def _pick(docs: list[dict], part: int | None) -> dict | None:
    if part is None:
        return docs[0] if docs else None
    return next((d for d in docs if d["part"] == part), None)


_SQL_INT = 2 ** 63 - 1


def _int(value: str | int | None) -> int | None:
    """A number from a URL, or None (also when too large for SQLite: it would be an error, not a miss)."""
    try:
        n = int(value) if value is not None else None
    except ValueError:
        return None
    return n if n is None or abs(n) <= _SQL_INT else None


# -- the alert page ----------------------------------------------------------------

def annotate(site: Site, conn: sqlite3.Connection, alert_id: int, quotes: list[dict]) -> None:
    """Give each quote (of queries.quotes_in_context) standing on a PDF page its page
    `images` ({url, alt}) or an `image_note` saying why it cannot be shown."""
    spans = {q["n"]: q for q in alert_spans(conn, alert_id) or []}
    docs_of: dict[int, list[dict]] = {}
    texts: dict[int, str | None] = {}
    for q in quotes:
        q["images"], q["image_note"] = [], None
        span = spans.get(q["n"])
        rid, page = q.get("report_id"), q.get("page")
        if span is None or rid is None or not isinstance(page, int):
            continue
        if rid not in docs_of:
            docs_of[rid], texts[rid] = pdf_documents(conn, rid), _original(conn, rid)
        found = boxes_on(conn, rid, page, [span], texts[rid])
        doc = _pick(docs_of[rid], found[0].part if found else None)
        if doc is None:
            continue
        if not originals.has(conn, site.db_path, doc["sha256"], doc["path"]):
            q["image_note"] = say(site, "missing", sha=(doc["sha256"] or "?")[:12], page=page)
            continue
        params = {"alert": alert_id, **({"part": doc["part"]} if doc["part"] else {})}
        q["images"].append({"url": f"/reports/{rid}/pages/{page}.png?" + urlencode(params),
                            "alt": say(site, "alt" if found else "alt_unboxed", page=page)})


# -- the image ------------------------------------------------------------------------

def routes(site: Site) -> list[Route]:
    def limits() -> tuple[int, int]:
        lim = site.cfg.section("limits") if site.cfg is not None else {}
        return int(lim.get("max_document_bytes", 50 * 1024 * 1024)), int(lim.get("max_pdf_pages", 500))

    def refuse(request: Request, status: int, message: str) -> Response:
        return site.render(request, "error.html", status_code=status, code=status, detail=message)

    def page_image(request: Request) -> Response:
        report_id, page = _int(request.path_params["report_id"]), request.path_params["page"]
        alert = request.query_params.get("alert")
        max_bytes, max_pages = limits()
        if report_id is None:
            raise HTTPException(404)
        with closing(site.connect()) as conn:
            if conn.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is None:
                raise HTTPException(404)
            boxes: list[text_boxes.Box] = []
            if alert is not None:
                spans = alert_spans(conn, _int(alert)) if _int(alert) is not None else None
                if spans is None:
                    return refuse(request, 404, say(site, "no_alert", id=alert[:20]))
                boxes = boxes_on(conn, report_id, page, spans)
            docs = pdf_documents(conn, report_id)
            part = _int(request.query_params.get("part"))
            doc = _pick(docs, part if part is not None else (boxes[0].part if boxes else None))
            if doc is None:
                return refuse(request, 404, say(site, "no_pdf", id=report_id))
            data = originals.load(conn, site.db_path, doc["sha256"], doc["path"], max_bytes)
        if data is None:
            return refuse(request, 404, say(site, "missing", sha=(doc["sha256"] or "?")[:12], page=page))
        try:
            image = render(data, page, [b for b in boxes if b.part == doc["part"]], max_pages)
        except RenderError as e:
            return refuse(request, e.status, say(site, e.why, **{"page": page, **e.values}))
        return Response(image.png, media_type="image/png", headers={"Cache-Control": CACHE})

    return [Route("/reports/{report_id:int}/pages/{page:int}.png", auth.page(site, page_image), name="page_image")]
