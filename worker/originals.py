"""The original bytes of a report's PDF, for showing its pages.

The database keeps what was read from a PDF, not the PDF. Documents fetched
from a source are kept in `blobs` already (compressed, by SHA-256); a file
read by `backfill` is not. With `[storage] keep_originals` (on by default)
ingestion keeps each PDF of a parsed report as `originals/<sha256>.pdf` in
the database's folder, content-addressed (the same bytes once, whatever the
report), no larger than `[limits] max_document_bytes`. The web view finds a
document's bytes by its `documents.sha256`: the kept copy, the blob, or the
file at the document's path if it still holds those very bytes.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
import zlib
from pathlib import Path

from worker.db.urls import is_postgres

log = logging.getLogger("audit_worker.originals")

FOLDER = "originals"


# A PostgreSQL store keeps a backfilled PDF in its `blobs` table (every worker
# machine and the web view reach it there), not in a folder: Ingestor's marker.
IN_BLOBS = Path("(the database's blobs table)")


def keep_blob(conn, data: bytes, max_bytes: int) -> bool:
    """Keep a PDF's bytes in `blobs` (inside the caller's transaction); False when not kept."""
    if not data.startswith(b"%PDF") or len(data) > max_bytes:
        return False
    conn.execute("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                 (hashlib.sha256(data).hexdigest(), len(data), zlib.compress(data, 6)))
    return True


def directory(db_path: str) -> Path | None:
    """Where originals are kept for the database at `db_path` (None for an in-memory one, and for
    a PostgreSQL store: it has no folder of its own; its documents come from `blobs` or their path)."""
    if not db_path or db_path == ":memory:" or is_postgres(db_path):
        return None
    return Path(db_path).resolve().parent / FOLDER


def _name(folder: Path, sha: str) -> Path | None:
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None          # never a path built from anything but a hash
    return folder / f"{sha}.pdf"


def keep(folder: Path, data: bytes, max_bytes: int) -> Path | None:
    """Keep a PDF's bytes under their hash (written once, atomically); None when not kept."""
    if not data.startswith(b"%PDF") or len(data) > max_bytes:
        return None
    path = folder / f"{hashlib.sha256(data).hexdigest()}.pdf"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".keep-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def has(conn: sqlite3.Connection, db_path: str, sha: str | None, path: str | None) -> bool:
    """Whether `load` may find the bytes (without reading or hashing them)."""
    if not sha:
        return False
    folder = directory(db_path)
    kept = _name(folder, sha) if folder is not None else None
    if kept is not None and kept.is_file():
        return True
    try:
        if conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha,)).fetchone() is not None:
            return True
    except sqlite3.OperationalError:
        pass
    return bool(path) and not path.startswith(("http://", "https://")) and Path(path).is_file()


def load(conn: sqlite3.Connection, db_path: str, sha: str | None, path: str | None, max_bytes: int
         ) -> bytes | None:
    """A document's bytes by its SHA-256: the kept copy, the fetched blob, or
    the file at `path` when it still has that hash; None when none is found."""
    if not sha:
        return None
    folder = directory(db_path)
    kept = _name(folder, sha) if folder is not None else None
    if kept is not None and kept.is_file() and kept.stat().st_size <= max_bytes:
        data = kept.read_bytes()
        if hashlib.sha256(data).hexdigest() == sha:
            return data
        log.warning("originals: %s does not hold the bytes its name says; ignored", kept)
    try:
        row = conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
    except sqlite3.OperationalError:        # a database without the sources' tables
        row = None
    if row is not None:
        return zlib.decompress(row[0])
    if path and not path.startswith(("http://", "https://")):
        p = Path(path)
        try:
            if p.is_file() and p.stat().st_size <= max_bytes:
                data = p.read_bytes()
                if hashlib.sha256(data).hexdigest() == sha:
                    return data
        except OSError:
            return None
    return None
