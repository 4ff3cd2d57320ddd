"""What ingestion passes around: a report's documents, the outcome of ingesting
it, a report prepared for the database; and the small pure helpers on them
(the key and documents of a file, the content hash, grid offsets).
"""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from worker.extract import Limits
from worker.fact_rows import FactRows
from worker.parse.tables import Table

@dataclass
class Doc:
    """One document of a report, as fetched or read."""

    url: str
    data: bytes
    role: str = "main"
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None          # a fetch error: recorded, not extracted


@dataclass
class Outcome:
    key: str
    source: str
    status: str                        # ingested | unchanged | duplicate | skipped | out_of_range | failed | empty
                                       # | not_report | needs_ocr | unsupported
    reason: str = ""
    report_id: int | None = None
    changed: bool = False              # facts were (re)written: detectors should run
    warnings: list = field(default_factory=list)
    analysis: object = None            # what the Ingestor's `analyse` returned for the new facts


@dataclass
class DocInfo:
    """What is recorded of a document: no bytes, just their identity and fate."""

    url: str
    role: str
    sha256: str
    size: int
    content_type: str | None
    encoding: str | None
    status: str
    error: str | None
    etag: str | None = None
    last_modified: str | None = None
    text_start: int | None = None
    text_end: int | None = None


@dataclass
class Prepared:
    """A report extracted and parsed, ready to be written (picklable)."""

    status: str                        # parsed, or the failure status
    reason: str = ""
    documents: list = field(default_factory=list)
    text: str | None = None
    original: str | None = None
    parsed: object = None
    rows: FactRows | None = None       # the facts encoded for the database
    analysis: object = None
    # Where PDF text stands on its pages: (document index, page, start, end, x0, top, x1, bottom,
    # page width, page height), offsets in the original text (worker/text_boxes.py).
    boxes: list = field(default_factory=list)


def _list_page(extracted) -> str | None:
    """Why a lone HTML page is a list of links and not a report (a page with
    attachments is a detail page: its report is in them)."""
    if len(extracted) != 1 or extracted[0][1] is None or extracted[0][1].content_type != "text/html":
        return None
    from worker.listpage import list_page_reason

    return list_page_reason(extracted[0][1].links)


def _content_sha(docs: list[Doc]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: (d.role != "main", d.url)):
        h.update(hashlib.sha256(d.data).digest())
    return h.hexdigest()


def _short(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] or url


def _json(v) -> str:
    import json

    return json.dumps(v, ensure_ascii=False)


def _shift(t: Table, by: int) -> None:
    t.start += by
    t.end += by
    for r in t.rows:
        for c in r:
            c.start += by
            c.end += by


def remap_grid(t: Table, norm) -> None:
    """Move a grid's offsets into the normalized text and re-read its cells there."""
    t.start, t.end = norm.to_normalized(t.start), norm.to_normalized(t.end)
    for r in t.rows:
        for c in r:
            c.start, c.end = norm.to_normalized(c.start), norm.to_normalized(c.end)
            c.text = norm.text[c.start:c.end]


def file_item(path: Path, limits: Limits) -> tuple[str, str, list[Doc]]:
    """(key, source, docs) for a file; an unreadable or oversized file becomes
    a document carrying its error, recorded as failed without being read."""
    key = str(path.resolve())
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            doc = Doc(url=str(path), data=b"", error=f"文件过大:{size:,} 字节,超过上限 {limits.max_bytes:,} 字节")
        else:
            doc = Doc(url=str(path), data=path.read_bytes(), content_type=mimetypes.guess_type(path.name)[0])
    except OSError as e:
        doc = Doc(url=str(path), data=b"", error=f"无法读取文件:{e.strerror or e}")
    return key, str(path), [doc]
