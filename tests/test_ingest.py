"""Ingestion into a real database (each store): provenance, idempotence, bad input."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIXTURES
from dbkit import connect

from worker.cli import main
from worker.extract import Limits
from worker.ingest import Doc, Ingestor


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "reports"
    shutil.copytree(EXAMPLES, d)
    return d


def counts(app):
    c = app.store.conn
    return (c.execute("SELECT COUNT(*) FROM reports").fetchone()[0],
            c.execute("SELECT COUNT(*) FROM facts").fetchone()[0],
            c.execute("SELECT COUNT(*) FROM numbers").fetchone()[0])


def test_backfill_records_documents_and_is_idempotent(app, folder):
    s1 = app.backfill([folder], detect=False)
    assert s1.counts["ingested"] == 5 and s1.total == 5
    assert "5 ingested, 0 failed" in s1.text()
    before = counts(app)
    assert before[0] == 5 and before[1] > 200 and before[2] > before[1]
    docs = app.store.conn.execute("SELECT url, sha256, size, content_type, status, fetched_at FROM documents").fetchall()
    assert len(docs) == 5 and all(len(d["sha256"]) == 64 and d["size"] > 0 and d["status"] == "ok" for d in docs)
    s2 = app.backfill([folder], detect=False)
    assert s2.counts["unchanged"] == 5 and s2.counts["ingested"] == 0
    assert counts(app) == before
    # --reparse rewrites the facts without duplicating them.
    s3 = app.backfill([folder], detect=False, reparse=True)
    assert s3.counts["ingested"] == 5
    assert counts(app) == before


def test_stored_numbers_carry_quote_offsets_unit_and_precision(app, folder):
    app.backfill([folder / "002_4b668fb7eaba0e72.txt"], detect=False)
    (rid,) = app.store.report_ids()
    text = app.store.report(rid)["text"]
    rows = app.store.conn.execute("SELECT * FROM fact_figures WHERE report_id = ? AND raw = '710.8078'", (rid,)).fetchall()
    assert rows
    for n in rows:
        assert text[n["raw_start"]:n["raw_end"]] == "710.8078"
        assert n["precision"] == 4 and n["value"] == 710.8078
        assert n["quote_start"] <= n["raw_start"] < n["raw_end"] <= n["quote_end"]
    pct = app.store.conn.execute("SELECT * FROM fact_figures WHERE report_id = ? AND raw = '36.37%'", (rid,)).fetchone()
    assert pct["printed_unit"] == "%" and pct["kind"] == "percent" and pct["precision"] == 2


def test_traditional_report_keeps_its_original_text(app, folder):
    app.backfill([folder / "001_ad24cd6417ee7602.txt"], detect=False)
    row = app.store.conn.execute("SELECT text, original_text FROM reports").fetchone()
    assert "收、支总计45,597.62万元" in row["text"]
    want = "收、支总计45,597.62万元"
    i = row["text"].index(want)
    assert row["original_text"][i:i + len(want)] == "收、支總計45,597.62萬元"


def test_changed_file_is_reparsed_and_same_content_elsewhere_is_a_duplicate(app, tmp_path):
    a = tmp_path / "a.txt"
    a.write_bytes((EXAMPLES / "004_06066fc72a3963be.txt").read_bytes())
    app.backfill([a], detect=False)
    copy = tmp_path / "sub" / "copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(a.read_bytes())
    s = app.backfill([copy], detect=False)
    assert s.counts["duplicate"] == 1
    row = app.store.report_by_key(str(copy.resolve()))
    assert row["status"] == "duplicate" and row["duplicate_of"] == app.store.report_by_key(str(a.resolve()))["id"]
    a.write_text(a.read_text(encoding="utf-8").replace("360.45", "300.45"), encoding="utf-8")
    s = app.backfill([a], detect=False)
    assert s.counts["ingested"] == 1
    rid = app.store.report_by_key(str(a.resolve()))["id"]
    raws = {r[0] for r in app.store.conn.execute("SELECT raw FROM fact_figures WHERE report_id = ?", (rid,))}
    assert "300.45" in raws and "360.45" not in raws


BAD = {
    "empty.txt": (b"", "empty", "为空"),
    "binary.txt": (bytes(range(256)) * 40, "failed", "二进制"),
    "notice.html": ("<html><body><p>关于举办春节联欢会的通知:请各科室于1月20日前报名。</p></body></html>".encode(),
                    "not_report", "不是决算或绩效报告"),
    "scan.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unsupported", ".doc"),
}


def test_bad_inputs_are_recorded_with_reasons_and_the_run_goes_on(app, tmp_path, folder):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, (data, _, _) in BAD.items():
        (bad / name).write_bytes(data)
    good = folder / "003_dffee20ced342b70.txt"
    s = app.backfill([bad, good], detect=False)
    assert s.counts["ingested"] == 1
    for name, (_, status, words) in BAD.items():
        row = app.store.report_by_key(str((bad / name).resolve()))
        assert row["status"] == status, name
        assert words in row["error"], (name, row["error"])
    assert "1 ingested, 4 failed" in s.text()
    # A failed document is retried on the next run (it may have been a bug).
    s2 = app.backfill([bad], detect=False)
    retried = [o for o in s2.outcomes if o.status == "failed"]
    assert retried and app.store.report_by_key(str((bad / "binary.txt").resolve()))["attempts"] == 2


def test_truncated_report_is_ingested_with_a_warning(app, tmp_path):
    full = (EXAMPLES / "002_4b668fb7eaba0e72.txt").read_bytes()
    cut = full[: len(full) // 2].decode("utf-8", "ignore").encode("utf-8")
    cut = cut + "预算执行率为".encode()[:4]          # ends inside a multi-byte character
    p = tmp_path / "truncated.txt"
    p.write_bytes(cut)
    s = app.backfill([p], detect=False)
    row = app.store.report_by_key(str(p.resolve()))
    assert row["status"] == "parsed"
    assert "截断" in row["warnings"] or "不完整" in row["warnings"]
    assert s.outcomes[0].warnings


def test_gbk_and_big5_files(app, tmp_path):
    html = (FIXTURES / "html_report.html").read_text(encoding="utf-8").replace("utf-8", "gbk")
    (tmp_path / "gbk.html").write_bytes(html.encode("gbk"))
    (tmp_path / "big5.txt").write_bytes("某市審計局2021年度部門決算\n2021年度本年支出合計1,250.00萬元,"
                                        "完成預算的98.50%。\n".encode("big5"))
    s = app.backfill([tmp_path], detect=False)
    assert s.counts["ingested"] == 2
    enc = {Path(r["url"]).name: r["encoding"] for r in app.store.conn.execute("SELECT url, encoding FROM documents")}
    assert enc["gbk.html"] == "gb18030" and enc["big5.txt"].startswith("big5")
    issuers = {r[0] for r in app.store.conn.execute("SELECT issuer FROM reports")}
    assert issuers == {"某市测试局", "某市审计局"}


def test_oversized_documents_are_refused(app, tmp_path):
    p = tmp_path / "huge.txt"
    p.write_bytes(b"x" * 2048)
    ing = Ingestor(app.store, limits=Limits(max_bytes=1024))
    out = ing.ingest_path(p)
    assert out.status == "failed" and "文件过大" in out.reason
    out2 = ing.ingest("mem://huge", "mem://huge", [Doc(url="mem://huge", data=b"y" * 4096)])
    assert out2.status == "failed" and "过大" in out2.reason


def test_cli_backfill_exit_status_and_summary(tmp_path, folder, db_url):
    runner = CliRunner()
    db = db_url
    res = runner.invoke(main, ["--db", db, "backfill", str(folder), "--no-detect"])
    assert res.exit_code == 0, res.output
    assert "5 ingested, 0 failed" in res.output
    empty = tmp_path / "only-empty"
    empty.mkdir()
    (empty / "a.txt").write_bytes(b"")
    res = runner.invoke(main, ["--db", db, "backfill", str(empty)])
    assert res.exit_code == 1 and "0 ingested, 1 failed" in res.output
    res = runner.invoke(main, ["--db", db, "reports", "list"])
    assert res.exit_code == 0 and "北京市丰台区政务服" in res.output
    res = runner.invoke(main, ["--db", db, "reports", "show", "3"])
    assert res.exit_code == 0 and "710.8078" in res.output and "群众满意度" in res.output
    res = runner.invoke(main, ["--db", db, "reports", "show", "999"])
    assert res.exit_code == 1 and "no report #999" in res.output


def test_a_run_keeps_counts_for_all_but_lists_only_what_is_worth_a_line(app, tmp_path, monkeypatch):
    # A national backfill must not hold an outcome per report: only the failed,
    # skipped or warned ones are kept, up to a cap; the counts stay exact.
    from worker.app import Summary

    monkeypatch.setattr(Summary, "LISTED", 2)
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(EXAMPLES.glob("*.txt"))[:3]:
        (folder / p.name).write_bytes(p.read_bytes())
    for i in range(5):
        (folder / f"bad{i}.txt").write_bytes(b"\x00\x01\x02 binary " * 50)
    s = app.backfill([folder], detect=False)
    assert s.counts["ingested"] == 3 and s.total == 8
    assert len(s.outcomes) == 2 and all(o.status == "failed" for o in s.outcomes)
    text = s.text()
    assert "3 ingested, 5 failed" in text
    assert "… and 3 more failed, skipped or with warnings" in text
    assert sum(1 for line in text.splitlines() if line.startswith("  failed")) == 2


def _stored(db) -> dict:
    """Everything read from the reports, by file name: facts, numbers, ledger, alerts."""
    c = connect(db)

    def rows(sql, *args):
        return [tuple(r) for r in c.execute(sql, args).fetchall()]

    try:
        out = {}
        for rid, key in rows("SELECT id, key FROM reports"):
            name = Path(key).name
            out[name] = (
                rows("SELECT kind, name, quote_start, quote_end, data FROM facts WHERE report_id = ? ORDER BY seq",
                     rid),
                rows("SELECT f.seq, n.field, n.value, n.unit, n.raw_start, n.raw_end FROM numbers n "
                     "JOIN facts f ON f.report_id = n.report_id AND f.seq = n.seq WHERE f.report_id = ? "
                     "ORDER BY f.seq, n.field", rid),
                rows("SELECT * FROM ledger WHERE report_id = ? ORDER BY seq", rid),
                sorted(rows("SELECT rule, title, message FROM alerts WHERE report_id = ?", rid)))
        return out
    finally:
        c.close()


def test_reports_read_in_worker_processes_are_stored_as_when_read_here(tmp_path, db_url, second_db_url):
    # The workers ship back only what is written (encoded rows, not the parsed
    # objects): the database must hold exactly what reading in this process gives.
    from worker.app import App
    from worker.config import load
    from worker.storage import Store

    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(EXAMPLES.glob("*.*")) + sorted((Path(__file__).parent.parent / "bench" / "heldout").rglob("*.txt"))[:6]:
        shutil.copy(p, folder / p.name)
    stored = []
    for name, limits, url in (("pool", "", db_url),
                              ("here", "document_seconds = 0\ndocument_memory_mb = 0\n", second_db_url)):
        cfg = tmp_path / f"{name}.toml"
        cfg.write_text("[limits]\n" + limits, encoding="utf-8")
        app = App(load(str(cfg)), Store(url))
        s = app.backfill([folder], jobs=2)
        assert s.counts["ingested"] >= 5, s.text()
        app.store.close()
        stored.append(_stored(url))
    pool, here = stored
    assert pool.keys() == here.keys()
    assert sum(len(v[0]) for v in here.values()) > 100       # facts were read at all
    for name in here:
        assert pool[name] == here[name], name


def test_the_folder_walk_keeps_the_order_of_sorted_paths(tmp_path):
    # The walk holds names as strings (memory at 100,000 files) but must order
    # them as Paths sort, part by part: "a/z.txt" before "a-b/a.txt", although
    # "-" sorts before "/" in a string.
    from worker.walk import iter_files

    for rel in ("a/z.txt", "a-b/a.txt", "a.b/c.txt", "a/b/c.txt", "b.txt", "a0.txt", "A/x.txt", "a/b-c/d.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x", encoding="utf-8")
    walked = list(iter_files([tmp_path]))
    assert walked == sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert walked.index(tmp_path / "a/z.txt") < walked.index(tmp_path / "a-b/a.txt")
