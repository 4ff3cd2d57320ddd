"""`backfill --reparse` with no paths: every stored report read again.

After a parser change the reports already stored are re-parsed from the
bytes the database keeps: pages and attachments fetched from a source are
kept compressed by hash (`blobs`), and a file is read again from its path
(the report's key). A report whose bytes are gone (a moved file) is named in
a note and left as it is. Duplicates are not re-read: their first copy is.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Iterator

from worker.documents import Doc, file_item
from worker.extract import Limits
from worker.storage import Store

log = logging.getLogger("audit_worker.ingest")

_QUERY = "SELECT id, key, source FROM reports WHERE status != 'duplicate' ORDER BY id"


def stored_count(store: Store) -> int:
    # The subquery's alias: PostgreSQL requires one.
    return store.conn.execute(f"SELECT COUNT(*) FROM ({_QUERY}) AS stored").fetchone()[0]


def stored_items(store: Store, limits: Limits, notes: list[str]) -> Iterator[tuple[str, str, list[Doc]]]:
    """(key, source, docs) of every stored report but duplicates, in id order."""
    from worker.sources.poll import load_blob

    for row in store.conn.execute(_QUERY).fetchall():
        key, source = row["key"], row["source"]
        if not key.startswith(("http://", "https://")):
            path = Path(key)
            if path.is_file():
                yield file_item(path, limits)
            else:
                _note(notes, row, f"文件 {key} 已不存在")
            continue
        docs: list[Doc] = []
        missing = None
        for d in _documents(store.conn, row["id"]):
            data = load_blob(store, d["sha256"])
            if data is None and d["role"] != "main" and d["status"] != "ok":
                # An attachment that could not be fetched then: it fails again.
                docs.append(Doc(url=d["url"], data=b"", role=d["role"], error=d["error"] or "附件当时未能下载"))
                continue
            if data is None:
                missing = d["url"]
                break
            docs.append(Doc(url=d["url"], data=data, role=d["role"], content_type=d["content_type"],
                            charset=d["encoding"], etag=d["etag"], last_modified=d["last_modified"]))
        if missing is not None or not docs:
            _note(notes, row, f"数据库中没有 {missing or key} 的原始内容")
            continue
        yield key, source, docs


def _documents(conn: sqlite3.Connection, report_id: int) -> list[sqlite3.Row]:
    # The page first, then its attachments, as they were fetched.
    return conn.execute("SELECT url, role, sha256, content_type, encoding, etag, last_modified, status, error"
                        " FROM documents"
                        " WHERE report_id = ? ORDER BY role != 'main', id", (report_id,)).fetchall()


def _note(notes: list[str], row, why: str) -> None:
    log.warning("reparse skipped report_id=%s key=%s reason=%s", row["id"], row["key"], why)
    notes.append(f"报告 #{row['id']} 未重新解析:{why}(文件在别处时用 backfill --reparse 路径)")
