"""Documents to text: sniff the format, extract text and tables, or say why not.

`extract` takes bytes and returns an `Extracted` (text, table grids with
offsets in that text, content type, encoding, warnings) or raises
`ExtractError` with a status (failed, empty, needs_ocr, unsupported) and a
reason a person understands.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from worker.parse.tables import Table

if TYPE_CHECKING:
    from worker.listpage import LinkStats


@dataclass
class Extracted:
    text: str
    grids: list[Table] = field(default_factory=list)
    content_type: str = "text/plain"
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # PDF: offset in `text` where each page starts (page n starts at pages[n-1]).
    pages: list[int] = field(default_factory=list)
    # HTML: the links of the content block, measured while extracting (worker/listpage.py).
    links: "LinkStats | None" = None
    # PDF: where each line of text stands on its page (page, start, end, x0, top, x1, bottom,
    # page width, page height), offsets in `text`, points from the page's top left.
    boxes: list[tuple] = field(default_factory=list)
    # HTML: publication dates found on the page (worker/pubdate.PubDate.as_dict()).
    dates: list[dict] = field(default_factory=list)


class ExtractError(Exception):
    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_uncompressed: int = 200 * 1024 * 1024
    max_pdf_pages: int = 500
    # Measured before parsing (worker/extract/bombs.py): the XML an XLSX/DOCX
    # inflates to, one PDF stream inflated, the cells a worksheet spans.
    max_inflated: int = 64 * 1024 * 1024
    max_pdf_stream: int = 64 * 1024 * 1024
    max_sheet_cells: int = 50_000_000
    # Each report is extracted and parsed in a child process under these
    # (worker/sandbox.py); 0 turns a limit off.
    document_seconds: float = 180.0
    document_memory_mb: int = 2048


def sniff(data: bytes, name: str = "", content_type: str | None = None) -> str:
    """The format of a document: pdf, xlsx, xls, docx, doc, html, text or zip."""
    lower = name.lower().split("?")[0]
    ct = (content_type or "").lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return "zip"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if lower.endswith(".doc") or "msword" in ct:
            return "doc"
        return "xls"
    head = data[:4096].lower()
    if lower.endswith((".htm", ".html", ".shtml", ".jsp", ".asp", ".aspx", ".php")) or "html" in ct or \
            re.search(rb"<!doctype html|<html|<body|<table|<div|<p[ >]|<meta", head):
        return "html"
    if lower.endswith(".pdf") or "pdf" in ct:
        return "pdf"
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".docx"):
        return "docx"
    return "text"


def extract(data: bytes, name: str = "", content_type: str | None = None,
            limits: Limits | None = None, declared_charset: str | None = None) -> Extracted:
    limits = limits or Limits()
    if len(data) == 0:
        raise ExtractError("empty", "文件为空(0 字节)")
    if len(data) > limits.max_bytes:
        raise ExtractError("failed", f"文件过大:{len(data):,} 字节,超过上限 {limits.max_bytes:,} 字节")
    kind = sniff(data, name, content_type)
    if kind == "pdf":
        from worker.extract.pdf import extract_pdf
        return extract_pdf(data, limits)
    if kind in ("xlsx", "docx"):
        _check_zip(data, limits)
        if kind == "xlsx":
            from worker.extract.sheet import extract_xlsx
            return extract_xlsx(data)
        from worker.extract.docx import extract_docx
        return extract_docx(data)
    if kind == "xls":
        from worker.extract.sheet import extract_xls
        return extract_xls(data)
    if kind == "doc":
        raise ExtractError("unsupported", "旧版 Word 文档(.doc)无法读取文字:请取得 DOCX、PDF 或网页版本")
    if kind == "zip":
        raise ExtractError("unsupported", "压缩包(ZIP)不是可读的报告格式")
    from worker.extract.charset import DecodeError, decode

    try:
        text, encoding, warnings = decode(data, declared_charset)
    except DecodeError as e:
        raise ExtractError("failed", e.reason) from None
    if kind == "html":
        from worker.extract.html import HtmlError, extract_dated

        try:
            body, grids, w2, links, dates = extract_dated(text)
        except HtmlError as e:
            raise ExtractError("failed", str(e)) from None
        if not body.strip():
            raise ExtractError("empty", "网页没有正文文字")
        return Extracted(text=body, grids=grids, content_type="text/html", encoding=encoding,
                         warnings=warnings + w2, links=links, dates=dates)
    if not text.strip():
        raise ExtractError("empty", "文件只有空白,没有文字")
    return Extracted(text=text, content_type="text/plain", encoding=encoding, warnings=warnings)


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse archives that expand far beyond their size (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = 0
            for info in z.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / max(1, info.compress_size) > 1000 and info.file_size > 10_000_000:
                    raise ExtractError("failed", f"文件内的 {info.filename} 压缩比异常({info.file_size:,} 字节),疑似压缩炸弹,拒绝处理")
            if total > limits.max_uncompressed:
                raise ExtractError("failed", f"文件解压后达 {total:,} 字节,超过上限 {limits.max_uncompressed:,} 字节,拒绝处理")
    except zipfile.BadZipFile:
        raise ExtractError("failed", "文件损坏:不是有效的 Office 文档(ZIP 结构错误)") from None
    # The declared sizes above can lie: measure what the parser will read.
    from worker.extract.bombs import check_zip

    check_zip(data, limits)
