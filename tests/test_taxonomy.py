"""The taxonomy is data: loaded, validated, extended by a region's folder."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rules.taxonomy import TaxonomyError, configure, default, label_key, load


@pytest.fixture(autouse=True)
def _restore_default():
    yield
    configure([])


def test_titles_name_the_standard_tables():
    tax = load()
    cases = {
        "一、收入支出决算总表": "income_expense_total",
        "表四:财政拨款收入支出决算总表": "fiscal_total",
        "上海市某某局2024年度一般公共预算财政拨款基本支出决算表": "gpb_basic",
        "七、财政拨款“三公”经费支出决算表": "sangong",
        "收支决算总表(公开01表)": "income_expense_total",
        "政府性基金预算财政拨款基本支出决算表": "gov_fund_basic",
    }
    for title, tid in cases.items():
        assert tax.table_for_title(title).id == tid, title
    # A qualifier in front of a known title is another table, not that one.
    for title in ("项目支出决算表", "2024年度部门整体支出绩效自评表", "某某项目收入决算表说明文字很长不是标题"):
        assert tax.table_for_title(title) is None, title


def test_labels_and_codes():
    tax = load()
    assert label_key(" 二十二、灾害防治及应急管理支出 ") == "灾害防治及应急管理支出"
    assert label_key("其中：基本支出") == "基本支出"
    assert tax.func_class("二十二、灾害防治及应急管理支出") == "224"
    assert tax.func_class("医疗卫生与计划生育支出") == "210"      # the name before 2018
    t = tax.term("年初财政拨款结转和结余")
    assert (t.concept, t.dims, t.opens) == ("carry_begin", {"fund": "fiscal"}, True)
    func = tax.dims["func"]
    # A table that skips the 款 level: 类 adds up its 项.
    assert func.children("201", {"201", "2010301", "2010302", "205"}) == ["2010301", "2010302"]
    econ = tax.dims["econ"]
    assert econ.children("personnel", {"301", "30101", "303"}) == ["301", "303"]


def _folder(tmp_path, files: dict[str, str]):
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    return str(tmp_path)


def test_a_region_adds_a_title_and_a_word(tmp_path):
    folder = _folder(tmp_path, {
        "tables.toml": '[[table]]\nid = "expense"\nno = 3\nname = "支出决算表"\nrequired = true\n'
                       'titles = ["支出决算表", "部门支出决算明细总表"]\nrows = "func"\n'
                       'defaults = { concept = "expense", measure = "final" }\n',
        "terms.toml": '[[term]]\nnames = ["本年决算支出"]\nmeasure = "final"\n',
    })
    assert load().table_for_title("部门支出决算明细总表") is None
    tax = configure([folder])
    assert default() is tax
    assert tax.table_for_title("部门支出决算明细总表").id == "expense"
    assert tax.term("本年决算支出").measure == "final"
    assert any(s.endswith("terms.toml") and folder in s for s in tax.sources)


@pytest.mark.parametrize("files, words", [
    ({"terms.toml": '[[term]]\nnames = ["某某"]\nconcept = "no_such_concept"\n'}, "unknown concept 'no_such_concept'"),
    ({"terms.toml": '[[term]]\nnames = ["本年收入合计"]\nmeasure = "final"\n'}, "already a term"),
    ({"tables.toml": '[[table]]\nid = "mine"\nname = "x"\ntitles = ["收入决算表"]\nrows = "func"\n'},
     "already names table income"),
    ({"terms.toml": '[[term]]\nnames = ["某某"]\ndims = { fund = "nowhere" }\n'}, "fund has no member 'nowhere'"),
    ({"concepts.toml": "this is = = not toml"}, "not valid TOML"),
])
def test_bad_data_is_refused_with_the_file_named(tmp_path, files, words):
    folder = _folder(tmp_path, files)
    with pytest.raises(TaxonomyError) as e:
        configure([folder])
    assert words in str(e.value)
    assert str(tmp_path) in str(e.value) or "concepts.toml" in str(e.value)


def test_config_check_names_the_taxonomy_problem(tmp_path):
    from worker.cli import main

    bad = _folder(tmp_path, {"terms.toml": '[[term]]\nnames = ["某某"]\nconcept = "nothing"\n'})
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[taxonomy]\nextra = ["{bad}"]\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"])
    assert res.exit_code == 2
    assert "taxonomy.extra" in res.output and "unknown concept 'nothing'" in res.output


def test_taxonomy_command_lists_what_is_loaded(db_url):
    from worker.cli import main

    res = CliRunner().invoke(main, ["--db", db_url, "taxonomy", "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.strip().splitlines()]
    ids = {r["id"] for r in rows}
    assert {"income_expense_total", "gpb_basic", "sangong", "gov_fund"} <= ids
    res = CliRunner().invoke(main, ["--db", db_url, "taxonomy", "--relations"])
    assert res.exit_code == 0 and "grand_total_in" in res.output
