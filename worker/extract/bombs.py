"""Checks before parsing: what a document would inflate to, measured, not trusted.

The sizes a ZIP declares can lie and a PDF's /Length says nothing about what
its stream inflates to, so the parts a parser will read are inflated here,
streaming, and counting stops at the limit: the check costs at most the
limit's worth of decompression and almost no memory. A file over a limit is
refused with a reason (status failed), before a parser builds a tree of it.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

from worker.extract import ExtractError, Limits

_CHUNK = 1 << 16
# Declared extents in a worksheet: <dimension ref="A1:XFD1048576"/>,
# <mergeCell ref="A1:XFD1048576"/>, and each cell's own reference.
_REF = re.compile(rb'<(?:\w+:)?(dimension|mergeCell)\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"')
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,3})(\d{1,7})"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _parsed_part(name: str) -> bool:
    """The parts python-docx and openpyxl parse into memory (not images or fonts)."""
    return name.lower().endswith((".xml", ".rels"))


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an XLSX/DOCX whose XML inflates beyond `max_inflated`, or a
    worksheet that declares (or places cells over) more than `max_sheet_cells`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = 0
            for info in z.infolist():
                if not _parsed_part(info.filename):
                    continue
                sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                extent = _Extent()
                with z.open(info) as f:
                    tail = b""
                    while True:
                        chunk = f.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > limits.max_inflated:
                            raise ExtractError("failed", f"文件解压后的 XML 内容超过 {_mb(limits.max_inflated)}"
                                                         f"(读到 {info.filename} 时),疑似压缩炸弹,拒绝处理")
                        if sheet:
                            # References may straddle chunks: scan with the previous tail.
                            buf = tail + chunk
                            extent.scan(buf, info.filename, limits)
                            tail = buf[-200:]
                if sheet:
                    extent.check_cells(info.filename, limits)
    except zipfile.BadZipFile:
        raise ExtractError("failed", "文件损坏:不是有效的 Office 文档(ZIP 结构错误)") from None
    except (zlib.error, EOFError, NotImplementedError) as e:
        raise ExtractError("failed", f"文件损坏:Office 文档的压缩内容无法解开({type(e).__name__})") from None


class _Extent:
    """The largest row and column a worksheet puts a cell at."""

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0

    def scan(self, buf: bytes, part: str, limits: Limits) -> None:
        for m in _REF.finditer(buf):
            kind, c0, r0, c1, r1 = m.groups()
            c1, r1 = c1 or c0, r1 or r0
            cells = (abs(int(r1) - int(r0)) + 1) * (abs(_col(c1) - _col(c0)) + 1)
            if cells > limits.max_sheet_cells:
                what = "声明的范围" if kind == b"dimension" else "合并单元格"
                ref = f"{c0.decode()}{r0.decode()}:{c1.decode()}{r1.decode()}"
                raise ExtractError("failed", f"工作表 {_sheet(part)} {what} {ref} 含 {cells:,} 个单元格,"
                                             f"超过上限 {limits.max_sheet_cells:,},疑似恶意文件,拒绝处理")
        for m in _CELL.finditer(buf):
            self.cols = max(self.cols, _col(m.group(1)))
            self.rows = max(self.rows, int(m.group(2)))

    def check_cells(self, part: str, limits: Limits) -> None:
        cells = self.rows * self.cols
        if cells > limits.max_sheet_cells:
            raise ExtractError("failed", f"工作表 {_sheet(part)} 的单元格分布到第 {self.rows:,} 行、第 {self.cols:,} 列"
                                         f"(共 {cells:,} 个位置),超过上限 {limits.max_sheet_cells:,},疑似恶意文件,拒绝处理")


def _sheet(part: str) -> str:
    return part.rsplit("/", 1)[-1].removesuffix(".xml")


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


# ---------------------------------------------------------------------------
# PDF streams.

_STREAM = re.compile(rb"stream\r?\n")


def check_pdf_streams(data: bytes, limits: Limits) -> None:
    """Refuse a PDF with a Flate stream that inflates beyond `max_pdf_stream`.

    Streams are never inside object streams, so each is found in the file's
    bytes after its dictionary. Images are skipped (text extraction never
    decodes them); a stream that does not inflate (encrypted, corrupt) is left
    to the parser, which reports it."""
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048):m.start()]
        if not head.rstrip().endswith(b">>"):
            continue        # "endstream", or the word in text
        obj = head.rfind(b" obj")
        if obj >= 0:
            head = head[obj:]
        if b"/FlateDecode" not in head or b"/Image" in head:
            continue
        if re.search(rb"/Filter\s*\[\s*/(?!FlateDecode)", head):
            continue        # another filter first: not ours to inflate
        size = _inflated(data, m.end(), limits.max_pdf_stream)
        if size > limits.max_pdf_stream:
            raise ExtractError("failed", f"PDF 内有一个数据流解压后超过 {_mb(limits.max_pdf_stream)}"
                                         f"(文件本身 {len(data):,} 字节),疑似压缩炸弹,拒绝处理")


def _inflated(data: bytes, start: int, cap: int) -> int:
    """Bytes the zlib stream at `start` inflates to, counted up to cap + 1."""
    d = zlib.decompressobj()
    out = 0
    pos = start
    try:
        while pos < len(data) and not d.eof and out <= cap:
            out += len(d.decompress(data[pos:pos + _CHUNK], cap + 1 - out))
            pos += _CHUNK
            while d.unconsumed_tail and out <= cap:
                out += len(d.decompress(d.unconsumed_tail, cap + 1 - out))
    except zlib.error:
        return out
    return out
