"""Polling a source: discover report links, fetch what changed, ingest.

A report is a detail page together with its attachments, identified by the
detail page's URL. A list page, feed or sitemap answered 304 lists no new
report, but a portal corrects a report at the same URL without touching its
list: so its links are read from the copy kept, and each detail page is
revalidated by conditional GET as on any poll (a 304 each when nothing
changed; a changed page is a new version of its report). A detail page and
attachments all answered 304 are an unchanged report and are not
re-ingested. Bytes of fetched documents are kept (compressed, by hash) so a
304 can reuse them when only part of a report changed.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from worker.ingest import FINAL_STATUSES, SUPPORTED_SUFFIXES, Doc, Ingestor, Outcome, file_item, iter_files
from worker.net import redact
from worker.sources import discover
from worker.sources.http import Fetcher, FetchError, Response
from worker.sources.state import record_state
from worker.storage import Store
from worker.urls import AllowList

log = logging.getLogger("audit_worker.sources")


@dataclass
class PollResult:
    source: str
    outcomes: list = field(default_factory=list)
    error: str | None = None          # the source itself failed (list page, feed)
    requests: int = 0
    unchanged_index: bool = False
    # Limits that cut this poll short (links capped, time budget spent): not
    # failures, recorded in source_events and the log so an operator sees them.
    notes: list = field(default_factory=list)

    @property
    def new_documents(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "ingested")


def store_blob(store: Store, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    with store.tx() as c:
        c.execute("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                  (sha, len(data), zlib.compress(data, 6)))
    return sha


def load_blob(store: Store, sha: str | None) -> bytes | None:
    if not sha:
        return None
    row = store.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
    return zlib.decompress(row["data"]) if row else None


class SourcePoller:
    def __init__(self, spec: dict, store: Store, ingestor: Ingestor, fetcher: Fetcher, claimed=None,
                 should_stop=None, leases=None):
        self.spec = spec
        # Several workers on one PostgreSQL store (worker/leases.py): a report fetched as new or
        # changed is leased before it is parsed, so two workers polling sources that list the same
        # report do not both parse it.
        self.leases = leases
        self.should_stop = should_stop or (lambda: False)
        # Report URLs taken by a source in this run (sources may list the same report).
        self.claimed = claimed if claimed is not None else (set(), threading.Lock())
        self.store = store
        self.ingestor = ingestor
        self.fetcher = fetcher
        extra = spec.get("allowed_hosts") or []
        self.allowed = AllowList.for_source(spec.get("url"), extra if isinstance(extra, list) else [])
        self.private = bool(spec.get("allow_private"))
        cfg = fetcher.cfg
        self.per_page = int(cfg.get("links_per_page", 200))
        self.per_poll = int(cfg.get("links_per_poll", 1000))
        self.budget = float(cfg.get("poll_source_seconds", 1800.0))
        self.deadline = float("inf")
        self.cut = False                  # the index was not followed to its end
        self._index: list[tuple[str, object]] = []   # index pages to remember when not cut

    def _out_of_time(self, res: PollResult, left: int) -> bool:
        if time.monotonic() < self.deadline:
            return False
        if not self.cut:
            self.cut = True
            res.notes.append(f"轮询时限 {self.budget:g} 秒已到,还有 {left} 个链接留待下次轮询"
                             f"(poll_source_seconds)")
        return True

    def poll(self) -> PollResult:
        res = PollResult(source=self.spec["name"])
        before = self.fetcher.requests
        self.deadline = time.monotonic() + self.budget
        try:
            if self.spec["kind"] == "local_dir":
                self._local(res)
            else:
                links = self._cap_poll(self._discover(res), res)
                seen, lock = self.claimed
                for i, link in enumerate(links):
                    if self.should_stop():
                        self.cut = True
                        break           # stopping: the report in progress was finished
                    if self._out_of_time(res, len(links) - i):
                        break
                    with lock:
                        if link.url in seen:
                            continue
                        seen.add(link.url)
                    outcome = self._report(link)
                    if outcome is not None:
                        res.outcomes.append(outcome)
                self._remember_index()
        except FetchError as e:
            res.error = e.reason
        except re.error as e:
            res.error = f"link_pattern 不是有效的正则表达式:{e}"
        except sqlite3.Error:
            raise                       # the database itself: the command reports it
        except Exception as e:  # noqa: BLE001 - one bad source must not stop the others
            log.exception("source poll failed source=%s", res.source)
            res.error = f"轮询出错({type(e).__name__}: {str(e)[:200]})"
        for note in res.notes:
            log.warning("source limited source=%s note=%s", res.source, note)
        res.requests = self.fetcher.requests - before
        return res

    def _cap_poll(self, links: list[discover.Link], res: PollResult) -> list[discover.Link]:
        """Links never seen before first (stable order), so that polls cut by
        the time budget or the cap make progress through a long index; then
        at most links_per_poll."""
        known = [self._known(link.url) is not None for link in links]
        ordered = [lk for lk, k in zip(links, known) if not k] + [lk for lk, k in zip(links, known) if k]
        if len(ordered) <= self.per_poll:
            return ordered
        res.notes.append(f"本次轮询找到 {len(links)} 个链接,超过上限 {self.per_poll}(links_per_poll),"
                         f"只跟进 {self.per_poll} 个,新链接优先")
        self.cut = True
        return ordered[:self.per_poll]

    def _known(self, key: str) -> sqlite3.Row | None:
        """A report's id and status (not its text: a poll asks this of every link)."""
        return self.store.conn.execute("SELECT id, status FROM reports WHERE key = ?", (key,)).fetchone()

    def _cap_page(self, url: str, links: list[discover.Link], res: PollResult) -> list[discover.Link]:
        if len(links) <= self.per_page:
            return links
        res.notes.append(f"索引页 {redact(url)} 有 {len(links)} 个匹配链接,超过上限 {self.per_page}"
                         f"(links_per_page),只跟进前 {self.per_page} 个")
        self.cut = True
        return links[:self.per_page]

    def _remember_index(self) -> None:
        """Index validators are kept only when the index was followed to its
        end: after a cut, the next run must read it again (a 304 would hide
        the links not yet followed)."""
        for url, r in self._index:
            if self.cut:
                self.fetcher.forget(url)
            else:       # the bytes too: a 304 next time reads the links from them
                self.fetcher.remember(url, r, store_blob(self.store, r.data))

    # -- discovery -------------------------------------------------------------------
    def _get(self, url: str, conditional: bool = True):
        return self.fetcher.get(url, allowed=self.allowed, allow_private=self.private, conditional=conditional)

    def _kept_copy(self, url: str) -> bytes | None:
        """The bytes kept of a page that answered 304 (None: none kept: fetch it in full)."""
        row = self.store.conn.execute("SELECT b.data FROM http_cache h JOIN blobs b ON b.sha256 = h.sha256"
                                      " WHERE h.url = ?", (url,)).fetchone()
        return zlib.decompress(row["data"]) if row else None

    def _get_index(self, url: str) -> tuple[Response, bool]:
        """An index page (list page, feed, sitemap) and whether it was unchanged
        (304). An unchanged one is read from the copy kept, so that the reports
        it lists are still revalidated; without a copy it is fetched in full."""
        r = self._get(url)
        if not r.not_modified:
            self._index.append((url, r))
            return r, False
        data = self._kept_copy(url)
        if data is not None:
            return Response(url=url, status=304, data=data, etag=r.etag, last_modified=r.last_modified,
                            not_modified=True), True
        r = self._get(url, conditional=False)
        self._index.append((url, r))
        return r, False

    def _discover(self, res: PollResult) -> list[discover.Link]:
        kind = self.spec["kind"]
        pattern = self.spec["link_pattern"]
        if kind in ("rss", "atom"):
            r, res.unchanged_index = self._get_index(self.spec["url"])
            return self._cap_page(self.spec["url"], discover.filter_links(discover.feed_links(r.data), pattern,
                                                                          self.allowed), res)
        if kind == "sitemap":
            found: list[discover.Link] = []
            queue, seen = [self.spec["url"]], set()
            while queue and len(seen) < self.spec["max_pages"]:
                if self._out_of_time(res, len(found)):
                    break
                url = queue.pop(0)
                seen.add(url)
                r, same = self._get_index(url)
                if same and url == self.spec["url"]:
                    res.unchanged_index = True
                pages, nested = discover.sitemap_links(r.data)
                found += self._cap_page(url, discover.filter_links(pages, pattern, self.allowed), res)
                queue += [u for u in nested[:self.per_page] if u not in seen and self.allowed.permits(u)]
            return discover.filter_links(found, "", self.allowed)
        # html_index: a list page, then its next pages.
        links: list[discover.Link] = []
        url = self.spec["url"]
        for n in range(1, self.spec["max_pages"] + 1):
            if n > 1 and self._out_of_time(res, len(links)):
                break
            try:
                r, same = self._get_index(url)
            except FetchError:
                if n == 1:
                    raise
                break                # a missing later page ends the list
            if same and n == 1:
                res.unchanged_index = True
            links += self._cap_page(url, discover.filter_links(
                discover.page_links(r.data, r.url, r.charset, self.spec["link_selector"], dated=True), pattern,
                self.allowed),
                res)
            nxt = discover.next_page(r.data, r.url, r.charset, self.spec["next_selector"])
            if not nxt and self.spec["page_pattern"]:
                nxt = urljoin_pattern(self.spec["url"], self.spec["page_pattern"], n)
            if not nxt or not self.allowed.permits(nxt):
                break
            url = nxt
        return discover.filter_links(links, "", self.allowed)

    # -- one report --------------------------------------------------------------------
    def _fetch_doc(self, url: str, role: str) -> tuple[Doc, bool]:
        """A document and whether it was unchanged (304)."""
        try:
            r = self._get(url)
        except FetchError as e:
            return Doc(url=url, data=b"", role=role, error=e.reason), False
        if r.not_modified:
            data = self._kept_copy(url)
            if data is not None:
                return Doc(url=url, data=data, role=role, etag=r.etag, last_modified=r.last_modified), True
            r = self._get(url, conditional=False)
        sha = store_blob(self.store, r.data)
        self.fetcher.remember(url, r, sha)
        return Doc(url=r.url, data=r.data, role=role, content_type=r.content_type, charset=r.charset,
                   etag=r.etag, last_modified=r.last_modified), False

    def _report(self, link: discover.Link) -> Outcome | None:
        """The report's outcome; None when another worker holds its lease (it is parsing it)."""
        main, same = self._fetch_doc(link.url, "main")
        docs = [main]
        unchanged = same
        if main.error is None and not discover.is_attachment(link.url) and self.spec["follow_attachments"]:
            for att in discover.attachments(main.data, main.url, main.charset, self.allowed)[:20]:
                if time.monotonic() >= self.deadline:
                    docs.append(Doc(url=att.url, data=b"", role="attachment",
                                    error=f"轮询时限 {self.budget:g} 秒已到,附件未下载,下次重试"))
                    unchanged = False
                    continue
                doc, s = self._fetch_doc(att.url, "attachment")
                docs.append(doc)
                unchanged = unchanged and s
        existing = self._known(link.url)
        # Not out_of_range: a run without the bound must read that report in.
        if unchanged and existing is not None and existing["status"] in FINAL_STATUSES:
            return Outcome(link.url, link.url, "unchanged", report_id=existing["id"])
        if self.leases is None:
            return self.ingestor.ingest(link.url, link.url, docs, published=link.dated())
        if not self.leases.claim(self.store, "report", link.url):
            log.info("report skipped: leased by another worker url=%s", redact(link.url))
            return None
        try:    # the holder may have stored it meanwhile: ingest then finds it unchanged
            return self.ingestor.ingest(link.url, link.url, docs, published=link.dated())
        finally:
            self.leases.release(self.store, "report", link.url)

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


__all__ = ["redact", "record_state"]
