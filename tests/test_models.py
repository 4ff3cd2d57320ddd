"""Statistical detectors on small hand-made populations, and the model
engine's refit policy on a generated corpus."""
import math
import random
import subprocess
import sys


from conftest import ROOT, parse_text

from models.benford import expected_mad
from models.engine import Context
from models.features import benford_mad, features, hugging, table_first_digits
from models.registry import load_all, options_for

load_all()


def ctx(rows, family, state=None, **opts):
    o = options_for(family, {family: opts} if opts else None)
    for i, r in enumerate(rows):
        r.setdefault("report_id", i + 1)
        r.setdefault("issuer", f"单位{i}")
        r.setdefault("year", 2024)
        r.setdefault("level", "city")
    return Context(population=None, state=state or {}, opts=o, targets={r["report_id"] for r in rows},
                   rows_cache=rows)


def test_peer_outlier_needs_enough_peers_and_the_worrying_direction():
    from models.peers import fit_peers, peer_outlier

    import pandas as pd

    vals = [0.10, 0.12, 0.14, 0.15, 0.16, 0.18, 0.11, 0.13, 0.17, 0.19, 0.15, 2.40, 0.01]
    rows = [{"sangong_per_staff": v} for v in vals]
    c = ctx(rows, "peer")
    c.state = fit_peers(pd.DataFrame([{**r, "report_id": i + 1, "year": 2024, "level": "city"}
                                      for i, r in enumerate(rows)]), c.opts)
    out = peer_outlier(c)
    assert list(out) == [12]                     # the high one; the low one is no worry
    (f,) = out[12]
    assert f.kind == "statistical_outlier" and f.evidence["measure"] == "sangong_per_staff"
    assert f.evidence["peers"] == 13 and f.evidence["z"] > 3.5 and f.evidence["median"] == 0.15
    few = rows[:6] + [{"sangong_per_staff": 2.4}]
    c2 = ctx([dict(r) for r in few], "peer")
    c2.state = fit_peers(pd.DataFrame([{**r, "report_id": i + 1, "year": 2024, "level": "city"}
                                       for i, r in enumerate(few)]), c2.opts)
    assert peer_outlier(c2) == {}                # fewer than min_peers: not judged


def test_satisfaction_far_below_its_siblings_in_one_report():
    from models.peers import within_report

    sats = [{"name": n, "value": v, "raw": f"{v}%", "quote": n, "owner": ""}
            for n, v in [("群众满意度", 95.0), ("用户满意度", 96.0), ("工单满意度", 97.0), ("招商满意度", 78.0)]]
    out = within_report(ctx([{"material": {"sats": sats}}], "within"))
    (f,) = out[1]
    assert f.evidence["indicator"] == "招商满意度" and f.evidence["siblings_median"] == 96.0
    close = [dict(s, value=v) for s, v in zip(sats, [95.0, 96.0, 97.0, 88.0])]
    assert within_report(ctx([{"material": {"sats": close}}], "within")) == {}


def benford_sample(n, rng):
    # Log-uniform over six decades: first digits follow Benford's law.
    return [int(f"{10 ** rng.uniform(0, 6):e}"[0]) for _ in range(n)]


def test_benford_with_enough_amounts_only():
    from models.benford import first_digit

    rng = random.Random(3)
    natural = benford_sample(400, rng)
    made_up = [rng.randint(1, 9) for _ in range(400)]
    rows = []
    for digits in (natural, made_up, made_up[:60]):
        mad, chi2 = benford_mad(digits)
        rows.append({"n_amounts": len(digits), "benford_mad": mad, "benford_chi2": chi2})
    out = first_digit(ctx(rows, "benford"))
    assert list(out) == [2]
    assert out[2][0].kind == "benford_deviation" and out[2][0].evidence["amounts"] == 400
    # Chance alone gives a sample of n digits a MAD of about 0.235/√n.
    assert abs(expected_mad(400) - 0.2346 / 20) < 1e-3


def test_first_digits_are_read_from_tables_too():
    digits = table_first_digits("合计 | 1,234.56 | 98.70\n占比 36.37%\n支出 0.45 万元 7.00 7.00")
    assert digits == [1, 9, 7]            # repeats once, percentages and amounts below 1 left out


def test_previous_year_contradiction():
    from models.cross_year import previous

    prev = {"report_id": 1, "issuer": "某局", "year": 2023,
            "material": {"amounts": {"本年支出合计": {"value": 100.0, "p": 2, "scale": 1.0, "raw": "100.00万元",
                                                "quote": "2023年度本年支出合计100.00万元"}}}}
    def cur(delta):
        return {"report_id": 2, "issuer": "某局", "year": 2024, "material": {"growth": [
            {"name": "本年支出合计", "label": "本年支出合计", "current": 120.0, "current_p": 2, "current_scale": 1.0,
             "delta": delta, "delta_p": 2, "delta_scale": 1.0, "dir": 1, "stated": 25.0,
             "quote": f"本年支出合计120.00万元,比上年增加{delta:.2f}万元"}]}}
    out = previous(ctx([prev, cur(25.0)], "cross_year"))
    (f,) = out[2]
    assert f.evidence["computed"] == 95.0 and f.evidence["previous"] == 100.0 and f.severity == "medium"
    assert previous(ctx([prev, cur(30.0)], "cross_year"))[2][0].severity == "high"      # off by 10%
    assert previous(ctx([prev, cur(20.0)], "cross_year")) == {}
    assert previous(ctx([dict(prev, year=2022), cur(30.0)], "cross_year")) == {}     # no previous year stored


def test_a_change_with_the_wrong_word_is_a_wording_finding():
    from models.cross_year import direction, previous

    prev = {"report_id": 1, "issuer": "某局", "year": 2023,
            "material": {"amounts": {"expense|": {"value": 100.0, "p": 2, "scale": 1.0, "raw": "100.00万元",
                                                  "quote": "本年支出合计100.00万元"}}}}
    # 120.00 this year against 100.00 last year is a rise of 20.00, written as 减少20.00万元.
    cur = {"report_id": 2, "issuer": "某局", "year": 2024, "material": {"growth": [
        {"name": "expense|", "label": "本年支出合计", "currents": [120.0], "current_p": 2, "current_scale": 1.0,
         "delta": 20.0, "delta_p": 2, "delta_scale": 1.0, "dir": -1, "stated": 14.29,
         "quote": "本年支出合计120.00万元,比上年减少20.00万元,下降14.29%"}]}}
    (f,) = direction(ctx([prev, cur], "cross_year"))[2]
    assert f.kind == "wording_mismatch" and f.evidence["stated_word"] == "减少" and f.evidence["actual"] == "增加"
    assert previous(ctx([prev, cur], "cross_year")) == {}      # the size is right: not a second alert
    cur["material"]["growth"][0]["dir"] = 1
    assert direction(ctx([prev, cur], "cross_year")) == {}


def test_target_hugging_counts_only_non_trivial_inequality_targets():
    rows = [("数量指标", f"指标{i}", f"≥{t}个", f"{t}个") for i, t in enumerate([10, 20, 30, 40, 50])]
    rows += [("质量指标", "合格率", "≥100%", "100%"), ("质量指标", "事故数", "≤0起", "0起"),
             ("数量指标", "站点数", "≥8个", "9个"), ("数量指标", "终端数", "=100台", "100台")]
    text = "某局2024年度部门决算\n一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值\n" + "\n".join(
        f"产出指标 | {a} | {b} | {c} | {d}" for a, b, c, d in rows)
    hit, total = hugging(parse_text(text))
    assert (hit, total) == (5, 6)          # 100%, 0 and "=" targets do not count
    from models.hugging import share

    f = features(parse_text(text))
    out = share(ctx([{"n_indicators": f["n_indicators"], "hug_share": f["hug_share"]}], "hugging"))
    assert out[1][0].evidence["hits"] == 5
    assert share(ctx([{"n_indicators": 6, "hug_share": 0.5}], "hugging")) == {}
    assert share(ctx([{"n_indicators": 4, "hug_share": 1.0}], "hugging")) == {}


def test_models_refit_only_when_the_population_changes_and_rank_reports_by_risk(tmp_path, app):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(corpus), "--issuers", "35",
                    "--years", "2023-2024", "--seed", "5"], check=True, capture_output=True)
    app.backfill([corpus])
    conn = app.store.conn
    fitted = {r["family"]: r["fitted_at"] for r in conn.execute("SELECT family, fitted_at FROM model_state")}
    assert {"iforest", "peer", "hugging"} <= set(fitted)
    n = conn.execute("SELECT n FROM model_state WHERE family = 'iforest'").fetchone()[0]
    assert n == 70
    scored = conn.execute("SELECT COUNT(*) FROM reports WHERE risk_score IS NOT NULL").fetchone()[0]
    assert scored == 70
    from alerts.engine import run_detectors

    import time
    time.sleep(1.1)
    run_detectors(app, app.store.report_ids()[:3])                 # same population: no refit
    again = {r["family"]: r["fitted_at"] for r in conn.execute("SELECT family, fitted_at FROM model_state")}
    assert again == fitted
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "r.txt").write_text((ROOT / "examples" / "reports" / "004_06066fc72a3963be.txt").read_text(
        encoding="utf-8"), encoding="utf-8")
    app.backfill([extra])                                          # a new report: refit
    assert conn.execute("SELECT n FROM model_state WHERE family = 'iforest'").fetchone()[0] == 71
    rows = app.list_reports(by_risk=True, limit=5)
    assert rows[0]["risk_score"] >= rows[-1]["risk_score"] and rows[0]["risk_score"] > 0.9
    feats = conn.execute("SELECT risk_features FROM reports WHERE id = ?", (rows[0]["id"],)).fetchone()[0]
    assert "feature" in feats and "z" in feats
    assert not math.isnan(rows[0]["risk_score"])
