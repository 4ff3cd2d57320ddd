"""Issue 14, item 9: exports a person opens in Excel — CSV with a BOM and
readable columns, an xlsx workbook — with quotes in either stored shape and
no cell run as a formula."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from tests.dbkit import rows
from worker.cli import main
from worker.storage import Store

BOM = b"\xef\xbb\xbf"
EN = ["id", "severity", "kind", "rule", "title", "message", "issuer", "region", "year", "report_title", "source",
      "quotes", "stated", "computed", "other_evidence", "status", "created_at", "fingerprint"]


def cli(*args, env=None):
    return CliRunner(env=env).invoke(main, list(args))


@pytest.fixture
def stored(examples_db_url):
    """The example reports backfilled, on each store (not modified: see `db`)."""
    return examples_db_url


@pytest.fixture
def db(examples_db_url):
    return examples_db_url


def one(db, sql, *args):
    got = rows(db, sql, args)
    return got[0] if got else None


def hostile(db) -> dict:
    """Three alerts rewritten as a hostile or newer database would hold them: a formula as title,
    quotes as a plain string, a list of strings, and the list of quote objects (with pages)."""
    ids = [r[0] for r in rows(db, "SELECT id FROM alerts ORDER BY id LIMIT 3")]
    shapes = {
        ids[0]: {"quote": "-5%的降幅", "stated": 93.1, "computed": 91.5},
        ids[1]: {"quote": ["第一句原文", "=HYPERLINK(\"http://evil\")"], "target": 90, "actual": 80},
        ids[2]: {"quote": [{"text": "@SUM(A1) 原文", "normalized": "@SUM(A1)原文", "page": 3, "start": 5, "end": 12},
                           {"text": "另一处原文", "normalized": "另一处原文", "page": 12, "start": 40, "end": 45}],
                 "stated": "100%", "parts": [1, 2]},
    }
    store = Store(db)
    with store.tx() as c:
        for i, ev in shapes.items():
            c.execute("UPDATE alerts SET evidence = ? WHERE id = ?", (json.dumps(ev, ensure_ascii=False), i))
        c.execute("UPDATE alerts SET title = '=1+2 标题', source = 'https://portal.example/a/r.pdf' WHERE id = ?",
                  (ids[0],))
        c.execute("UPDATE alerts SET source = 'https://robot:hunter2@portal.example/b.pdf' WHERE id = ?", (ids[1],))
    store.close()
    return {"ids": ids, "shapes": shapes}


def test_csv_file_has_a_bom_and_readable_columns(db, tmp_path):
    h = hostile(db)
    out = tmp_path / "a.csv"
    res = cli("--db", db, "alerts", "export", "--format", "csv", "-o", str(out))
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(BOM) and not data.startswith(BOM * 2)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == EN
    body = {int(r[0]): dict(zip(EN, r)) for r in rows[1:]}
    assert len(body) == one(db, "SELECT count(*) FROM alerts WHERE status != 'withdrawn'")[0]
    a, b, c = (body[i] for i in h["ids"])
    # Readable cells, not JSON: the report's fields and the evidence's numbers each in a column.
    rep = one(db, "SELECT r.issuer, r.region, r.year, r.title FROM alerts a JOIN reports r ON r.id = a.report_id"
                  " WHERE a.id = ?", h["ids"][0])
    assert (a["issuer"], a["region"], a["year"], a["report_title"]) == (rep[0], rep[1] or "", str(rep[2]), rep[3])
    assert a["stated"] == "93.1" and a["computed"] == "91.5" and a["status"] == "open"
    # Quotes are numbered (issue 14, newcomer): "[1] " starts the cell, so no formula can.
    assert a["quotes"] == "[1] -5%的降幅" and a["title"] == "'=1+2 标题"          # neutralised, text kept
    assert b["quotes"] == "[1] 第一句原文\n\n[2] =HYPERLINK(\"http://evil\")"   # a later quote is not a cell start
    assert b["other_evidence"] == "target: 90\nactual: 80"
    assert b["source"] == "https://portal.example/b.pdf"                      # no password in an export
    assert c["quotes"] == "[1] (p. 3) @SUM(A1) 原文\n\n[2] (p. 12) 另一处原文"
    assert c["stated"] == "100%" and c["other_evidence"] == "parts: [1, 2]"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r)
    assert "{" not in a["quotes"] + b["quotes"] + c["quotes"]


def test_csv_to_stdout_has_a_bom_only_when_asked(stored):
    plain = CliRunner().invoke(main, ["--db", str(stored), "alerts", "export", "--format", "csv"])
    assert plain.exit_code == 0 and not plain.stdout_bytes.startswith(BOM)
    assert plain.stdout_bytes.decode("utf-8").startswith("id,severity,kind")
    bom = CliRunner().invoke(main, ["--db", str(stored), "alerts", "export", "--format", "csv", "--bom"])
    assert bom.exit_code == 0 and bom.stdout_bytes.startswith(BOM)
    assert bom.stdout_bytes[len(BOM):] == plain.stdout_bytes


def test_csv_headers_and_values_in_chinese(stored, tmp_path):
    out = tmp_path / "zh.csv"
    res = cli("--db", str(stored), "alerts", "export", "--format", "csv", "-o", str(out), "--no-bom",
              env={"AUDIT_WORKER_LANG": "zh"})
    assert res.exit_code == 0
    assert not out.read_bytes().startswith(BOM)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["编号", "级别", "类型", "规则"] and "原文引述" in rows[0] and "来源地址" in rows[0]
    sev = {r[1] for r in rows[1:]}
    assert sev <= {"高", "中", "低", "提示"} and "高" in sev
    assert {r[rows[0].index("状态")] for r in rows[1:]} == {"待处理"}


def test_xlsx_one_row_per_alert_text_never_formula(db, tmp_path):
    from openpyxl import load_workbook

    h = hostile(db)
    out = tmp_path / "a.xlsx"
    res = cli("--db", db, "--lang", "zh", "alerts", "export", "--format", "xlsx", "-o", str(out))
    assert res.exit_code == 0, res.output
    ws = load_workbook(out).active
    head = [c.value for c in ws[1]]
    assert head[:6] == ["编号", "级别", "类型", "规则", "标题", "说明"] and "原文引述" in head
    n = one(db, "SELECT count(*) FROM alerts WHERE status != 'withdrawn'")[0]
    assert ws.max_row == n + 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:R{n + 1}"
    col = {name: i + 1 for i, name in enumerate(head)}
    width = lambda name: ws.column_dimensions[chr(64 + col[name])].width        # noqa: E731
    assert width("说明") > width("编号") and width("说明") <= 72
    by_id = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    a, b, c = (by_id[i] for i in h["ids"])
    assert isinstance(ws.cell(a, 1).value, int) and ws.cell(a, col["所述值"]).value == 93.1
    # Exact text, stored as a string (never a formula), with Excel's quote prefix.
    title = ws.cell(a, col["标题"])
    assert title.value == "=1+2 标题" and title.data_type == "s" and title.quotePrefix
    quote = ws.cell(a, col["原文引述"])
    assert quote.value == "[1] -5%的降幅" and quote.data_type == "s"     # numbered quotes: never a formula
    assert ws.cell(c, col["原文引述"]).value == "[1] (第3页) @SUM(A1) 原文\n\n[2] (第12页) 另一处原文"
    assert ws.cell(b, col["原文引述"]).value == "[1] 第一句原文\n\n[2] =HYPERLINK(\"http://evil\")"
    src = ws.cell(a, col["来源地址"])
    assert src.value == "https://portal.example/a/r.pdf" and src.hyperlink.target == src.value
    assert ws.cell(b, col["来源地址"]).hyperlink.target == "https://portal.example/b.pdf"
    local = next(r for r in range(2, ws.max_row + 1) if not str(ws.cell(r, col["来源地址"]).value).startswith("http"))
    assert ws.cell(local, col["来源地址"]).hyperlink is None           # a file path is not a link
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet


def test_xlsx_needs_a_file(stored):
    res = cli("--db", str(stored), "alerts", "export", "--format", "xlsx")
    assert res.exit_code == 2 and "-o" in res.output
