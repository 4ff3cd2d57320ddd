"""`rules test --explain` and the abstention count of `reports show`: each
stated figure with the readings tried and its verdict."""
from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import parse_text
from worker.cli import main
from worker.facts import Claim

TEXT = ("某局2023年度部门决算\n"
        # fits: 25 / 125 = 20%
        "本年“三公”经费支出100万元。其中,公务接待费40万元,公务用车购置及运行费60万元。"
        "比上年减少25万元,下降20%。"
        # no reading fits: 10 / 50 = 20%, not 30%
        "其中:公务接待费比上年减少10万元,下降30%。"
        # unjudged: 公务用车购置费 alone is not printed
        "公务用车购置费比上年减少5万元,下降50%。\n")


def test_each_claim_gets_a_verdict_and_the_readings_tried():
    from rules.explain import explain, summary

    ex = explain(parse_text(TEXT).of(Claim))
    by = {e.claim.stated.raw.strip(): e for e in ex}
    # Computed values are midpoints of the rounding intervals (integers: ±0.5).
    assert by["20%"].verdict == "fits" and abs(by["20%"].readings[0][1] - 20.0) < 0.5
    assert by["30%"].verdict == "no reading fits"
    ((label, value, ok),) = by["30%"].readings
    assert label == "本期40万元" and abs(value - 20.0) < 0.5 and not ok
    assert by["50%"].verdict == "unjudged" and by["50%"].why
    s = summary(ex)
    assert (s["claims"], s["judged"], s["fits"], s["no_reading_fits"], s["unjudged"]) == (3, 2, 1, 1, 1)
    assert s["abstention_rate"] == round(1 / 3, 3)


def test_rules_test_explain_and_reports_show_count_abstentions(tmp_path, db_url):
    f = tmp_path / "r.txt"
    f.write_text(TEXT, encoding="utf-8")
    db = db_url
    runner = CliRunner()
    res = runner.invoke(main, ["--db", db, "rules", "test", str(f), "--explain", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    claims = [x for x in lines if "claim" in x]
    alerts = [x for x in lines if "kind" in x]
    assert sorted(x["verdict"] for x in claims) == ["fits", "no reading fits", "unjudged"]
    # The claim no reading fits is the one alert; the unjudged one raises none.
    assert [a["evidence"]["stated"] for a in alerts if a["rule"] == "stated.growth"] == [-30.0]
    # The terminal form names the verdicts; nothing is stored by rules test.
    res = runner.invoke(main, ["--db", db, "rules", "test", str(f), "--explain"])
    assert "no reading fits" in res.output and "unjudged" in res.output
    runner.invoke(main, ["--db", db, "backfill", str(tmp_path)])
    res = runner.invoke(main, ["--db", db, "reports", "show", "1", "--json"])
    assert json.loads(res.output)["narrative"]["unjudged"] == 1
    res = runner.invoke(main, ["--db", db, "--lang", "zh", "reports", "show", "1"])
    assert "未判定 1" in res.output
