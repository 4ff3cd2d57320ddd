"""Polling a source: discover report links, fetch what changed, ingest.

A report is a detail page together with its attachments, identified by the
detail page's URL. A list page or feed answered 304 has nothing new; a
detail page and attachments all answered 304 are an unchanged report and are
not re-ingested. Bytes of fetched documents are kept (compressed, by hash) so
a 304 can reuse them when only part of a report changed.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from worker.ingest import Doc, Ingestor, Outcome, file_item, iter_files, SUPPORTED_SUFFIXES
from worker.net import redact
from worker.sources import discover
from worker.sources.http import Fetcher, FetchError
from worker.storage import Store, now_iso

log = logging.getLogger("audit_worker.sources")


@dataclass
class PollResult:
    source: str
    outcomes: list = field(default_factory=list)
    error: str | None = None          # the source itself failed (list page, feed)
    requests: int = 0
    unchanged_index: bool = False

    @property
    def new_documents(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "ingested")


def store_blob(store: Store, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    with store.tx() as c:
        c.execute("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                  (sha, len(data), zlib.compress(data, 6)))
    return sha


def load_blob(store: Store, sha: str | None) -> bytes | None:
    if not sha:
        return None
    row = store.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
    return zlib.decompress(row["data"]) if row else None


class SourcePoller:
    def __init__(self, spec: dict, store: Store, ingestor: Ingestor, fetcher: Fetcher, claimed=None,
                 should_stop=None):
        self.spec = spec
        self.should_stop = should_stop or (lambda: False)
        # Report URLs taken by a source in this run (sources may list the same report).
        self.claimed = claimed if claimed is not None else (set(), threading.Lock())
        self.store = store
        self.ingestor = ingestor
        self.fetcher = fetcher
        hosts = {(urlsplit(spec["url"]).hostname or "").lower()} if spec.get("url") else set()
        self.hosts = hosts | {h.lower() for h in spec.get("allowed_hosts", [])}
        self.private = bool(spec.get("allow_private"))

    def poll(self) -> PollResult:
        res = PollResult(source=self.spec["name"])
        before = self.fetcher.requests
        try:
            if self.spec["kind"] == "local_dir":
                self._local(res)
            else:
                links = self._discover(res)
                seen, lock = self.claimed
                for link in links:
                    if self.should_stop():
                        break           # stopping: the report in progress was finished
                    with lock:
                        if link.url in seen:
                            continue
                        seen.add(link.url)
                    res.outcomes.append(self._report(link))
        except FetchError as e:
            res.error = e.reason
        res.requests = self.fetcher.requests - before
        return res

    # -- discovery -------------------------------------------------------------------
    def _get(self, url: str, conditional: bool = True):
        return self.fetcher.get(url, allowed_hosts=self.hosts, allow_private=self.private, conditional=conditional)

    def _discover(self, res: PollResult) -> list[discover.Link]:
        kind = self.spec["kind"]
        pattern = self.spec["link_pattern"]
        if kind in ("rss", "atom"):
            r = self._get(self.spec["url"])
            if r.not_modified:
                res.unchanged_index = True
                return []
            self.fetcher.remember(self.spec["url"], r, hashlib.sha256(r.data).hexdigest())
            return discover.filter_links(discover.feed_links(r.data), pattern, self.hosts)
        if kind == "sitemap":
            found: list[discover.Link] = []
            queue, seen = [self.spec["url"]], set()
            while queue and len(seen) < self.spec["max_pages"]:
                url = queue.pop(0)
                seen.add(url)
                r = self._get(url)
                if r.not_modified:
                    if url == self.spec["url"]:
                        res.unchanged_index = True
                    continue
                self.fetcher.remember(url, r, hashlib.sha256(r.data).hexdigest())
                pages, nested = discover.sitemap_links(r.data)
                found += pages
                queue += [u for u in nested if u not in seen and discover._host(u) in self.hosts]
            return discover.filter_links(found, pattern, self.hosts)
        # html_index: a list page, then its next pages.
        links: list[discover.Link] = []
        url = self.spec["url"]
        for n in range(1, self.spec["max_pages"] + 1):
            try:
                r = self._get(url)
            except FetchError:
                if n == 1:
                    raise
                break                # a missing later page ends the list
            if r.not_modified:
                if n == 1:
                    res.unchanged_index = True
                break
            self.fetcher.remember(url, r, hashlib.sha256(r.data).hexdigest())
            links += discover.filter_links(
                discover.page_links(r.data, r.url, r.charset, self.spec["link_selector"]), pattern, self.hosts)
            nxt = discover.next_page(r.data, r.url, r.charset, self.spec["next_selector"])
            if not nxt and self.spec["page_pattern"]:
                nxt = urljoin_pattern(self.spec["url"], self.spec["page_pattern"], n)
            if not nxt or discover._host(nxt) not in self.hosts:
                break
            url = nxt
        return discover.filter_links(links, "", self.hosts)

    # -- one report --------------------------------------------------------------------
    def _fetch_doc(self, url: str, role: str) -> tuple[Doc, bool]:
        """A document and whether it was unchanged (304)."""
        try:
            r = self._get(url)
        except FetchError as e:
            return Doc(url=url, data=b"", role=role, error=e.reason), False
        if r.not_modified:
            cached = self.store.conn.execute("SELECT sha256 FROM http_cache WHERE url = ?", (url,)).fetchone()
            data = load_blob(self.store, cached["sha256"] if cached else None)
            if data is not None:
                return Doc(url=url, data=data, role=role, etag=r.etag, last_modified=r.last_modified), True
            r = self._get(url, conditional=False)
        sha = store_blob(self.store, r.data)
        self.fetcher.remember(url, r, sha)
        return Doc(url=r.url, data=r.data, role=role, content_type=r.content_type, charset=r.charset,
                   etag=r.etag, last_modified=r.last_modified), False

    def _report(self, link: discover.Link) -> Outcome:
        main, same = self._fetch_doc(link.url, "main")
        docs = [main]
        unchanged = same
        if main.error is None and not discover.is_attachment(link.url) and self.spec["follow_attachments"]:
            for att in discover.attachments(main.data, main.url, main.charset, self.hosts)[:20]:
                doc, s = self._fetch_doc(att.url, "attachment")
                docs.append(doc)
                unchanged = unchanged and s
        existing = self.store.report_by_key(link.url)
        if unchanged and existing is not None and existing["status"] in ("parsed", "not_report", "duplicate",
                                                                          "needs_ocr", "empty", "unsupported"):
            return Outcome(link.url, link.url, "unchanged", report_id=existing["id"])
        return self.ingestor.ingest(link.url, link.url, docs, published_at=link.published)

    def _local(self, res: PollResult) -> None:
        folder = Path(self.spec["path"])
        if not folder.is_dir():
            raise FetchError(f"目录不存在:{folder}")
        for f in iter_files([folder]):
            if self.should_stop():
                break
            if f.suffix.lower() in SUPPORTED_SUFFIXES:
                res.outcomes.append(self.ingestor.ingest(*file_item(f, self.ingestor.limits)))


def urljoin_pattern(base: str, pattern: str, n: int) -> str:
    from urllib.parse import urljoin

    return urljoin(base, pattern.replace("{n}", str(n)))


def record_state(store: Store, res: PollResult) -> dict:
    """Update a source's state after a poll; returns the row."""
    ts = now_iso()
    with store.tx() as c:
        row = c.execute("SELECT * FROM source_state WHERE name = ?", (res.source,)).fetchone()
        failures = ((row["consecutive_failures"] if row else 0) + 1) if res.error else 0
        c.execute(
            "INSERT INTO source_state (name, last_poll_at, last_ok_at, last_error, consecutive_failures, polls,"
            " new_documents, requests) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET last_poll_at = excluded.last_poll_at,"
            " last_ok_at = COALESCE(excluded.last_ok_at, source_state.last_ok_at), last_error = excluded.last_error,"
            " consecutive_failures = excluded.consecutive_failures, polls = source_state.polls + 1,"
            " new_documents = excluded.new_documents, requests = excluded.requests",
            (res.source, ts, None if res.error else ts, res.error, failures, res.new_documents, res.requests))
        return dict(c.execute("SELECT * FROM source_state WHERE name = ?", (res.source,)).fetchone())


__all__ = ["redact"]
