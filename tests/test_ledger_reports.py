"""Whole publications through the product: real PDFs rendered with a CJK
font, XLSX and HTML from the report generator (bench/reportgen, which knows
nothing of the product), and the published template.

The generator's labels are the expected findings; its clean reports must
raise no ledger alert.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import dbkit
from tests.conftest import FIXTURES, STORES, fresh_db
from worker.cli import main

LEDGER_RULES = ("ledger.", "statements.", "disclosure.", "wording.")


def cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from bench.reportgen import generate

    out = tmp_path_factory.mktemp("corpus")
    labels = generate(out, pdf=4, xlsx=2, html=2, seed=7)
    return out, {d["file"]: d for d in labels}


@pytest.fixture(scope="module", params=STORES)
def corpus(generated, request, tmp_path_factory):
    """The generated publications backfilled into each store once."""
    out, labels = generated
    db, drop = fresh_db(request, tmp_path_factory, request.param, "ledger")
    cli("--db", db, "backfill", str(out))
    alerts = [json.loads(line) for line in cli("--db", db, "alerts", "export", "--format", "jsonl").splitlines()]
    yield out, db, labels, alerts
    drop()


def test_every_table_of_every_format_is_read(corpus):
    out, db, labels, _ = corpus
    rows = {Path(r["source"]).name: r for r in map(json.loads, cli("--db", db, "reports", "list", "--json").splitlines())}
    assert {labels[n]["format"] for n in labels} == {"pdf", "xlsx", "html"}
    for name, lab in labels.items():
        ver = json.loads(cli("--db", db, "reports", "show", str(rows[name]["id"]), "--json"))["verification"]
        dropped = {e["table"] for e in lab["errors"] if e["kind"] == "disclosure_incomplete" and "未公开" in e["detail"]}
        assert len(ver["standard_tables_found"]) == 9 - len(dropped), (name, ver["standard_tables_found"])
        assert ver["relations_checked"] >= 150, name
        assert all(t["page"] for t in ver["tables"] if t["type"]) or lab["format"] != "pdf"


def test_injected_errors_are_found_and_clean_reports_are_quiet(corpus):
    from bench.ledger_eval import score

    _, _, labels, alerts = corpus
    ledger_alerts = [a for a in alerts if a["rule"].startswith(LEDGER_RULES)]
    result = score(labels, ledger_alerts)
    assert result["labels"] >= 4
    assert result["found"] == result["labels"], result["misses"]
    assert result["false_alarm_list"] == []
    for a in ledger_alerts:
        quotes = a["evidence"]["quotes"]
        assert quotes, a["title"]


def test_alerts_quote_the_report_and_name_the_page(corpus):
    _, db, labels, alerts = corpus
    from worker.storage import Store

    store = Store(db)
    for a in alerts:
        if not a["rule"].startswith(("ledger.sum", "ledger.same_figure")):
            continue
        row = store.report(a["report"]["id"])
        original = row["original_text"] or row["text"]
        for q in a["evidence"]["quotes"]:
            assert original[q["start"]:q["end"]] == q["text"]
            if Path(a["source"]).suffix == ".pdf":
                assert q.get("page"), a["title"]
        if Path(a["source"]).suffix == ".pdf":
            assert a["evidence"].get("page"), a["title"]
    store.close()


def test_the_published_template_is_read_and_raises_nothing(db_url):
    db = db_url
    cli("--db", db, "backfill", str(FIXTURES / "template_shanghai_2024.pdf"))
    ver = json.loads(cli("--db", db, "reports", "show", "1", "--json"))["verification"]
    assert ver["blank_form"]
    found = {t["type"]: t for t in ver["tables"] if t["type"]}
    assert sorted(found) == sorted(["income_expense_total", "income", "expense", "fiscal_total", "gpb_expense",
                                    "gpb_basic", "sangong", "gov_fund", "soe_capital"])
    assert (found["fiscal_total"]["page"], found["fiscal_total"]["page_end"]) == (8, 9)     # one table over two pages
    assert "政府性基金" in found["gov_fund"]["empty_note"]       # the note the template asks for under it
    assert cli("--db", db, "alerts", "export", "--format", "jsonl").strip() == ""


def test_detectors_rerun_on_the_stored_ledger_change_nothing(corpus):
    _, db, _, alerts = corpus
    out = cli("--db", db, "detect")
    assert f"alerts: 0 new, 0 updated, 0 withdrawn, {len(alerts)} unchanged" in out


def test_originals_are_kept_beside_an_sqlite_file_and_never_in_a_folder_named_after_a_url(db_url, tmp_path,
                                                                                          monkeypatch):
    # A PostgreSQL URL is no path: its "folder" was once made in the working directory, named after the URL.
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    cli("--db", db_url, "backfill", str(FIXTURES / "template_shanghai_2024.pdf"))
    if db_url.startswith("postgresql://"):
        assert list(work.iterdir()) == []
        # kept where every worker machine sees it: the database's blobs (the template PDF's bytes)
        data = (FIXTURES / "template_shanghai_2024.pdf").read_bytes()
        assert dbkit.scalar(db_url, "SELECT size FROM blobs") == len(data)
    else:
        assert len(list((Path(db_url).parent / "originals").glob("*.pdf"))) == 1 and list(work.iterdir()) == []
