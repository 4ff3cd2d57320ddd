"""Ingestion: a report's documents in, facts stored, with a status and a reason.

A report is identified by its key (a file's absolute path, or a detail page's
URL) and made of documents (the page and its attachments). The same content
is never processed twice: a report whose documents are unchanged is skipped,
and content already stored under another key is recorded as a duplicate.
Every outcome is recorded; bad input never stops a run.
"""
from __future__ import annotations

import functools
import json
import hashlib
import logging
import traceback
from pathlib import Path

from worker import ledger_store, originals, pubdate, text_boxes, versions
from worker.bounds import Bounds, out_of_range_note
from worker.documents import (Doc, DocInfo, Outcome, Prepared, _content_sha, _json, _list_page, _shift,  # noqa: F401
                              _short, file_item, remap_grid)
from worker.extract import Extracted, ExtractError, Limits, extract
from worker.sandbox import Budget, Pool, Result
from worker.walk import iter_files  # noqa: F401  (the folder walk; imported from here by callers)
from worker.fact_rows import encode_facts
from worker.facts import ParsedReport
from worker.parse import PARSER_VERSION, parse_report
from worker.parse.meta import looks_like_report
from worker.parse.tables import Table
from worker.storage import Store, now_iso
from worker.textnorm import normalize

log = logging.getLogger("audit_worker.ingest")

OK_STATUSES = ("parsed",)
FINAL_STATUSES = ("parsed", "not_report", "empty", "unsupported", "needs_ocr", "duplicate", "skipped")
SUPPORTED_SUFFIXES = (".txt", ".text", ".htm", ".html", ".shtml", ".pdf", ".xlsx", ".xls", ".docx", ".doc")


class Ingestor:
    def __init__(self, store: Store, *, limits: Limits | None = None, reparse: bool = False,
                 max_attempts: int = 5, source_name: str = "", analyse=None, bounds: Bounds | None = None,
                 keep_originals: Path | None = None):
        self.store = store
        # The folder PDFs of parsed reports are kept in, for their page images (worker/originals.py).
        self.keep_originals = keep_originals
        # --since/--until: a report outside is recorded `out_of_range`, not stored as parsed.
        self.bounds = bounds or Bounds()
        # A picklable function of a ParsedReport run in the parser process
        # (detectors, features); its result rides on the Outcome.
        self.analyse = analyse
        self.limits = limits or Limits()
        self.reparse = reparse
        self.max_attempts = max_attempts
        self.source_name = source_name
        # Called as on_parsed(conn, key) in the transaction that stores a parsed report
        # (worker/leases.py records the parse there).
        self.on_parsed = None

    # -- entry points -----------------------------------------------------------
    def ingest_path(self, path: Path) -> Outcome:
        return self.ingest(*file_item(path, self.limits))

    def ingest(self, key: str, source: str, docs: list[Doc], published: pubdate.PubDate | None = None) -> Outcome:
        """`published`: the date the index gave (list page, feed), if any."""
        sha = _content_sha(docs)
        done = self.check(key, source, sha)
        if done is not None:
            return done
        prep = next(prepare_limited([docs], self.limits, self.analyse))
        return self.commit(key, source, sha, prep, published, docs)

    def ingest_many(self, items, jobs: int = 1):
        """Ingest (key, source, docs) items, extracting and parsing in `jobs`
        worker processes kept for the whole run (what they warm stays warm);
        the database is written here, one transaction per report. Yields an
        Outcome per item, in order."""
        pending = []
        pool = reader_pool(self.limits, self.analyse, jobs)
        try:
            for key, source, docs in items:
                sha = _content_sha(docs)
                if any(p[2] == sha for p in pending):
                    # The same bytes as a report of this batch: that one is written
                    # first, so that this one is found to be its duplicate.
                    yield from self._drain(pending, pool)
                    pending = []
                done = self.check(key, source, sha)
                if done is not None:
                    if pending:
                        yield from self._drain(pending, pool)
                        pending = []
                    yield done
                    continue
                pending.append((key, source, sha, docs))
                if len(pending) >= 64:
                    yield from self._drain(pending, pool)
                    pending = []
            if pending:
                yield from self._drain(pending, pool)
        finally:
            if pool is not None:
                pool.close()

    def _drain(self, pending, pool):
        results = prepare_limited([docs for _, _, _, docs in pending], self.limits, self.analyse, pool=pool)
        for (key, source, sha, docs), prepared in zip(pending, results):
            yield self.commit(key, source, sha, prepared, docs=docs)

    def check(self, key: str, source: str, sha: str) -> Outcome | None:
        """An outcome without work: unchanged content, or content stored under another key."""
        existing = self.store.report_by_key(key)
        if existing is not None and existing["content_sha"] == sha and not self.reparse:
            if existing["status"] in FINAL_STATUSES and existing["parser_version"] == PARSER_VERSION:
                return Outcome(key, source, "unchanged", report_id=existing["id"])
            if existing["status"] == "failed" and existing["attempts"] >= self.max_attempts:
                return Outcome(key, source, "unchanged", existing["error"] or "", report_id=existing["id"])
            if existing["status"] == "out_of_range":
                why = self.bounds.excludes(existing["year"], existing["published_at"] or existing["first_seen"])
                if why:     # still outside: no need to read it again to say so
                    return Outcome(key, source, "out_of_range", why, report_id=existing["id"])
        dup = self.store.parsed_report_with_sha(sha, key)
        if dup is not None:
            with self.store.tx() as conn:
                rid = self.store.upsert_report_row(
                    conn, key, source, **self._named(), status="duplicate", content_sha=sha,
                    duplicate_of=dup["id"], error=f"内容与报告 #{dup['id']}({dup['source']})完全相同,不再重复处理",
                    title=dup["title"], issuer=dup["issuer"], year=dup["year"])
            return Outcome(key, source, "duplicate", f"same content as report #{dup['id']}", report_id=rid)
        return None

    def commit(self, key: str, source: str, sha: str, prep: "Prepared", published: pubdate.PubDate | None = None,
               docs: list[Doc] | None = None) -> Outcome:
        """Write a prepared report (or its failure) in one transaction; `docs`
        (their bytes) to keep the originals of its PDFs."""
        if prep.status != "parsed":
            return self._record_failure(key, source, prep.status, prep.reason, sha, prep.documents, prep.text)
        meta = prep.parsed.meta
        dates, notes = pubdate.report_dates(self.store.report_by_key(key), key, meta, published, now_iso())
        if self.bounds:
            why = self.bounds.excludes(meta.year, dates.get("published_at") or self._first_seen(key))
            if why:
                return self._record_out_of_range(key, source, sha, prep, why)
        with self.store.tx() as conn:
            # A new version of a parsed report: what the comparison needs of the old one is kept first.
            ts = now_iso()
            first = versions.before_replace(conn, key, sha, ts)
            rid = self.store.upsert_report_row(
                conn, key, source, **self._named(), status="parsed", error=None,
                content_sha=sha, duplicate_of=None, title=meta.title, issuer=meta.issuer, region=meta.region,
                year=meta.year, report_type=meta.report_type, level=meta.level,
                warnings=_json(meta.warnings + notes), text=prep.text, original_text=prep.original,
                parser_version=PARSER_VERSION, parsed_at=now_iso(), attempts=0, **dates)
            self._save_documents(conn, rid, prep.documents)
            self.store.save_parsed(conn, rid, prep.parsed, prep.rows)
            text_boxes.save(conn, rid, prep.boxes)
            versions.after_store(conn, rid, first, ts)
            if self.on_parsed is not None:
                self.on_parsed(conn, key)
        self._keep(docs, prep)
        return Outcome(key, source, "ingested", report_id=rid, changed=True, warnings=list(meta.warnings) + notes,
                       analysis=prep.analysis)

    def _keep(self, docs: list[Doc] | None, prep: "Prepared") -> None:
        """Keep the PDFs a parsed report was read from, unless the database holds
        their bytes already (fetched documents are in `blobs`). A failure to
        write is logged: the report is stored, only its page images are missing."""
        if self.keep_originals is None or not docs or not prep.boxes:
            return
        for d in docs:
            if not d.data.startswith(b"%PDF"):
                continue
            try:
                sha = hashlib.sha256(d.data).hexdigest()
                if self.store.conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha,)).fetchone() is not None:
                    continue
                if self.keep_originals is originals.IN_BLOBS:
                    with self.store.tx() as conn:
                        originals.keep_blob(conn, d.data, self.limits.max_bytes)
                else:
                    originals.keep(self.keep_originals, d.data, self.limits.max_bytes)
            except OSError as e:
                log.warning("original not kept url=%s folder=%s error=%s", d.url, self.keep_originals, e)

    def _named(self) -> dict:
        """The source name to record: kept as it is when none is given (a
        re-parse of stored reports must not strip a polled report of its source)."""
        return {"source_name": self.source_name} if self.source_name else {}

    def _first_seen(self, key: str) -> str:
        row = self.store.report_by_key(key)
        return (row["published_at"] or row["first_seen"]) if row is not None else now_iso()

    def _record_out_of_range(self, key: str, source: str, sha: str, prep: "Prepared", why: str) -> Outcome:
        """A report outside --since/--until: recorded with its reason and without
        facts, so it neither looks clean nor counts as done; a later run without
        the bound reads it in. A report already stored as parsed is left as it is."""
        existing = self.store.report_by_key(key)
        if existing is not None and existing["status"] == "parsed":
            return Outcome(key, source, "out_of_range", why, report_id=existing["id"])
        meta = prep.parsed.meta
        with self.store.tx() as conn:
            rid = self.store.upsert_report_row(
                conn, key, source, **self._named(), status="out_of_range", error=out_of_range_note(why),
                content_sha=sha, duplicate_of=None, title=meta.title, issuer=meta.issuer, region=meta.region,
                year=meta.year, report_type=meta.report_type, level=meta.level, warnings=None, text=prep.text,
                original_text=prep.original, parser_version=PARSER_VERSION, parsed_at=None, attempts=0)
            self.store.clear_parsed(conn, rid)
            self._save_documents(conn, rid, prep.documents)
        return Outcome(key, source, "out_of_range", why, report_id=rid)

    def _save_documents(self, conn, rid, documents) -> None:
        conn.execute("DELETE FROM documents WHERE report_id = ?", (rid,))
        ts = now_iso()
        for d in documents or ():
            conn.execute(
                "INSERT INTO documents (report_id, url, role, sha256, size, content_type, encoding, status, error,"
                " etag, last_modified, fetched_at, text_start, text_end) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, d.url, d.role, d.sha256, d.size, d.content_type, d.encoding, d.status, d.error,
                 d.etag, d.last_modified, ts, d.text_start, d.text_end))

    def _record_failure(self, key, source, status, reason, sha, documents=None, text=None) -> Outcome:
        with self.store.tx() as conn:
            row = conn.execute("SELECT id, attempts, status, content_sha, warnings FROM reports WHERE key = ?",
                               (key,)).fetchone()
            if row is not None and row["status"] == "parsed" and row["content_sha"] != sha:
                # A republished version that cannot be read (empty, not a report, broken): the
                # version read before stays, with its facts and alerts, and says why; not a fix.
                note = f"重新发布的新内容无法读取({reason}),保留上一版本的数据和预警"
                warnings = [w for w in json.loads(row["warnings"] or "[]") if "重新发布的新内容无法读取" not in str(w)]
                conn.execute("UPDATE reports SET warnings = ?, updated_at = ? WHERE id = ?",
                             (_json(warnings + [note]), now_iso(), row["id"]))
                return Outcome(key, source, status, f"{reason}; the version read before is kept",
                               report_id=row["id"])
            attempts = (row["attempts"] if row else 0) + (1 if status == "failed" else 0)
            rid = self.store.upsert_report_row(
                conn, key, source, **self._named(), status=status, error=reason, content_sha=sha,
                parser_version=PARSER_VERSION, attempts=attempts, text=text)
            self.store.clear_parsed(conn, rid)
            if documents:
                self._save_documents(conn, rid, documents)
        return Outcome(key, source, status, reason, report_id=rid, changed=True)


def prepare(docs: list[Doc], limits: Limits, analyse=None) -> Prepared:
    """Extract, normalize and parse a report's documents, encode its facts and
    run `analyse` on them: pure, no database (it runs in parser processes)."""
    prep = _prepare_safe(docs, limits)
    if prep.status == "parsed" and analyse is not None:
        try:
            prep.analysis = analyse(prep.parsed)
        except MemoryError:
            raise
        except Exception:  # without it, detection reads the facts back and runs each rule guarded
            log.exception("analysis failed url=%s", docs[0].url if docs else "")
    return prep


def _prepare_safe(docs: list[Doc], limits: Limits) -> Prepared:
    try:
        return _prepare(docs, limits)
    except MemoryError:
        raise       # the document's budget: the sandbox reports it as such
    except Exception as e:  # a parser bug must not stop the run
        log.error("parse failed url=%s error=%s\n%s", docs[0].url if docs else "", e, traceback.format_exc())
        infos = [_info(d, None, None, "failed") for d in docs]
        return Prepared("failed", f"解析出错({type(e).__name__}: {e}),已记录,下次运行将重试", infos)


def reader_pool(limits: Limits, analyse=None, jobs: int = 1) -> Pool | None:
    """Worker processes that run `prepare` under the per-document limits
    (None when no limit is set: documents are then read in this process)."""
    budget = Budget(limits.document_seconds, limits.document_memory_mb)
    if budget.unlimited:
        return None
    # No reader is imported here: a worker imports what its documents need
    # (a text backfill never loads the PDF libraries) and keeps it for the
    # next ones. The daemon imports them all before its threads fork
    # (worker/preload.py).
    return Pool(functools.partial(prepare_to_ship, limits=limits, analyse=analyse), budget, jobs)


def prepare_to_ship(docs: list[Doc], limits: Limits, analyse=None) -> Prepared:
    """`prepare` in a worker: what travels back to the writer is what it
    writes (the encoded rows, the meta, the analysis), not the fact and
    table objects they were encoded from — unpickling those cost the writer
    more than writing them."""
    prep = prepare(docs, limits, analyse)
    if prep.parsed is not None and prep.rows is not None:
        prep.parsed = ParsedReport(text="", meta=prep.parsed.meta)
    return prep


def prepare_limited(batches: list[list[Doc]], limits: Limits, analyse=None, jobs: int = 1,
                    pool: Pool | None = None):
    """`prepare` for each report's documents, each in a worker process under
    the per-document time and memory limits (worker/sandbox.py); a report
    over a limit comes back as a failure with the reason, to be retried on
    a later run. `pool`: workers kept by the caller (reader_pool). Yields in
    order."""
    own = pool is None
    if own:
        pool = reader_pool(limits, analyse, jobs)
    if pool is None:
        for docs in batches:
            try:
                yield prepare(docs, limits, analyse)
            except MemoryError:
                reason = "内存不足:抽取与解析所需内存过多,已停止;下次运行将重试"
                yield Prepared("failed", reason, [_info(d, None, reason, "failed") for d in docs])
        return
    try:
        for docs, res in zip(batches, pool.map([(docs,) for docs in batches])):
            if res.failure is None:
                yield res.value
                continue
            reason = _limit_reason(res, limits)
            log.warning("document stopped url=%s limit=%s detail=%s", docs[0].url if docs else "", res.failure,
                        res.detail)
            yield Prepared("failed", reason, [_info(d, None, reason, "failed") for d in docs])
    finally:
        if own:
            pool.close()


def _limit_reason(res: Result, limits: Limits) -> str:
    if res.failure == "time":
        return f"超过单文件处理时限 {limits.document_seconds:g} 秒:抽取与解析未能按时完成,已停止;下次运行将重试"
    if res.failure == "memory":
        return (f"超过内存上限 {limits.document_memory_mb:,} MB:抽取与解析所需内存过多,已停止;"
                f"下次运行将重试")
    return f"处理进程异常退出({res.detail}),已记录;下次运行将重试"


def _info(d: Doc, ex, reason, status, seg=(None, None)) -> DocInfo:
    return DocInfo(url=d.url, role=d.role, sha256=hashlib.sha256(d.data).hexdigest(), size=len(d.data),
                   content_type=(ex.content_type if ex else d.content_type), encoding=(ex.encoding if ex else None),
                   status="ok" if ex else status, error=reason, etag=d.etag, last_modified=d.last_modified,
                   text_start=seg[0], text_end=seg[1])


def _folded(boxes: list[tuple], joined: str) -> list[tuple]:
    """Box offsets moved into the stored original, where normalizing folded CRLF into LF."""
    import bisect
    import re

    crlf = [m.start() for m in re.finditer("\r\n", joined)]
    return [(i, pno, s - bisect.bisect_left(crlf, s), e - bisect.bisect_left(crlf, e), *rest)
            for i, pno, s, e, *rest in boxes]


def _prepare(docs: list[Doc], limits: Limits) -> Prepared:
    extracted: list[tuple[Doc, Extracted | None, str | None, str]] = []
    for d in docs:
        if d.error:
            extracted.append((d, None, d.error, "failed"))
            continue
        try:
            extracted.append((d, extract(d.data, d.url, d.content_type, limits, d.charset), None, "ok"))
        except ExtractError as e:
            extracted.append((d, None, e.reason, e.status))
    main = extracted[0]
    usable = [(d, ex) for d, ex, _, _ in extracted if ex is not None]
    if not usable:
        status = main[3] if main[3] != "ok" else "failed"
        reasons = "; ".join(f"{_short(d.url)}: {r}" for d, _, r, _ in extracted if r) if len(extracted) > 1 else main[2]
        return Prepared(status, reasons or "无法读取", [_info(d, ex, r, st) for d, ex, r, st in extracted])
    # One text for the report: the page, then each attachment under a heading.
    parts: list[str] = []
    grids: list[Table] = []
    pages: list[list] = []          # [offset, page] of PDF pages, [end, None] after each PDF
    segments: dict[int, tuple[int, int]] = {}
    boxes: list[tuple] = []         # PDF text boxes, offsets in the joined (original) text
    index = {id(d): i for i, (d, _, _, _) in enumerate(extracted)}     # a document's place in `documents`
    warnings: list[str] = []
    pos = 0
    for d, ex in usable:
        header = "" if d.role == "main" and not parts else f"\n【附件:{_short(d.url)}】\n"
        parts.append(header)
        pos += len(header)
        for g in ex.grids:
            _shift(g, pos)
            grids.append(g)
        segments[id(d)] = (pos, pos + len(ex.text))
        if ex.pages:
            pages += [[pos + off, n] for n, off in enumerate(ex.pages, 1)] + [[pos + len(ex.text), None]]
        boxes += [(index[id(d)], pno, pos + s, pos + e, *rest) for pno, s, e, *rest in ex.boxes]
        parts.append(ex.text)
        pos += len(ex.text)
        warnings += [f"{_short(d.url)}: {w}" if len(usable) > 1 else w for w in ex.warnings]
    joined = "".join(parts)
    norm = normalize(joined)
    if boxes and "\r\n" in joined:
        boxes = _folded(boxes, joined)
    for g in grids:
        remap_grid(g, norm)
    pages = [[norm.to_normalized(off), n] for off, n in pages]
    infos = []
    for d, ex, r, st in extracted:
        seg = segments.get(id(d))
        if seg is not None:
            seg = (norm.to_normalized(seg[0]), norm.to_normalized(seg[1]))
        infos.append(_info(d, ex, r, st, seg or (None, None)))
    failed = [f"{_short(d.url)}: {r}" for d, ex, r, st in extracted if ex is None and r]
    listed = _list_page(extracted)
    if listed:
        return Prepared("skipped", listed, infos, text=norm.text)
    ok, why = looks_like_report(norm.text)
    if not ok:
        if failed:
            # The page only points at its attachments, and they could not be read.
            return Prepared("failed", "; ".join(failed), infos, text=norm.text)
        return Prepared("not_report", why, infos, text=norm.text)
    parsed = parse_report(norm.text, grids, pages)
    parsed.meta.warnings = warnings + [f"附件未能读取 {f}" for f in failed] + parsed.meta.warnings
    # The detail page's own dates (meta tags, 发布时间 outside its content block, attachment line).
    parsed.meta.published = pubdate.merged(usable[0][1].dates, parsed.meta.published)
    rows = encode_facts(parsed)
    rows.ledger = ledger_store.encode(parsed.reading) if parsed.reading is not None else None
    # The boxes' offsets are into the joined text: the stored original (or the text, when
    # normalizing changed nothing), which is what the quotes of alerts index.
    return Prepared("parsed", "", infos, text=norm.text, original=norm.original if norm.changed else None,
                    parsed=parsed, rows=rows, boxes=boxes)
