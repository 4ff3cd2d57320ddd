"""The web inbox at 100,000 alerts: milliseconds per page through the real HTTP path.

    python bench/web_inbox.py [--alerts 100000] [--reports 2000] [--runs 7] [--rebuild]

Builds (once; cached under out/bench/ by a hash of the parameters) a database
of generated alerts shaped like real ones: the schema of `worker.storage.Store`,
reports of --issuers issuers in --regions regions over --years years, alerts
of the registered rules with their kinds, severities, Chinese titles and
evidence with quotes in the alert contract's JSON shape, some acknowledged,
some withdrawn, a few silences and verdicts. Then starts `audit-worker serve`
on 127.0.0.1 (uvicorn, the real app; opening the database applies the
schema's migrations, timed), logs in through the login form with httpx, and
times each page of the cases below: the median (and min/max) of --runs
requests after one warm-up. `digest` is a hash of what the page shows (the
total, the ids listed and every facet's counts), so two runs, before and
after a change, can be compared for identical results.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUILD = 1     # bump when the generated data changes (the cache key)
PASSWORD = "bench-Inbox-2026-long-passphrase"

CASES = [
    ("inbox, page 1 (open)", "/"),
    ("all statuses, page 1", "/?status=all"),
    ("inbox, page 1000 (deep)", "/?page=1000"),
    ("one facet: issuer", None),                # filled in from the data (an issuer with alerts)
    ("two facets: severity + year", "/?severity=high&year=2023"),
    ("search: word in quotes", "/?q=质保续保"),
    ("search: rare word", "/?q=档案数字化"),
    ("search: 2 characters", "/?q=资金"),
    ("search: no match", "/?q=无此词语☃"),
    ("status = judged", "/?status=judged"),
]

REGIONS = ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区", "通州区", "顺义区",
           "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区", "黄浦区", "徐汇区", "长宁区", "静安区",
           "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区"]
DEPTS = ["教育委员会", "卫生健康委员会", "财政局", "民政局", "司法局", "生态环境局", "交通委员会", "水务局",
         "文化和旅游局", "体育局", "统计局", "审计局", "市场监督管理局", "城市管理委员会", "园林绿化局",
         "应急管理局", "人力资源和社会保障局", "住房和城乡建设委员会", "农业农村局", "政务服务管理局"]
PROJ_A = ["信息化", "办公楼", "道路", "学校", "医疗设备", "绿化", "污水处理", "政务服务", "社区养老", "档案数字化"]
PROJ_B = ["软硬件", "维修", "改造", "采购", "运维", "质保续保", "建设", "租赁"]
PROJ_C = ["服务项目", "工程", "专项经费", "补助"]
FUNCS = ["一般公共服务支出", "教育支出", "卫生健康支出", "社会保障和就业支出", "城乡社区支出", "节能环保支出",
         "农林水支出", "文化旅游体育与传媒支出"]
# Kinds of the statistical models (not in the rule registry).
MODEL_RULES = [("models.within.satisfaction", "statistical_outlier"), ("models.hugging.share", "target_hugging"),
               ("models.benford.first_digit", "benford_deviation"), ("models.cross_year.total", "cross_year_mismatch")]
SEVERITIES = ["high", "medium", "low", "info"]
SEV_WEIGHTS = [20, 45, 30, 5]


def _project(rnd: random.Random) -> str:
    # 档案数字化 is rare (1 in ~200 projects); the rest are even.
    a = "档案数字化" if rnd.random() < 0.005 else rnd.choice(PROJ_A[:-1])
    return f"{rnd.randint(2020, 2024)}年{a}{rnd.choice(PROJ_B)}{rnd.choice(PROJ_C)}"


def _money(rnd: random.Random) -> float:
    return round(rnd.uniform(1, 5000), 2)


def _quote(rnd: random.Random, year: int, project: str) -> str:
    a, b = _money(rnd), _money(rnd)
    return rnd.choice([
        f"资金情况:合同金额{a}万元,{year}年度完成支付{b}万元。",
        f"{project} |\n{a} |\n{b} |\n{a} |\n10 |\n100% |\n10",
        f"“{rnd.choice(FUNCS)}”(类){year}年度年初预算{a}万元,{year}年度决算{b}万元,完成年初预算的{rnd.randint(50, 140)}%。",
        f"{project}:年初预算数{a}万元,全年预算数{b}万元,全年执行数{a}万元,执行率{rnd.randint(40, 100)}%。",
        f"满意度指标:服务对象满意度目标值≥90%,实际完成值{rnd.randint(60, 99)}%,得分{rnd.randint(0, 10)}分。",
    ])


def _title(rnd: random.Random, kind: str, project: str, func: str) -> str:
    a, b = _money(rnd), _money(rnd)
    return {
        "execution_rate_low": f"预算执行率偏低:{project} 执行率{rnd.randint(10, 79)}%",
        "text_table_conflict": f"项目支出金额前后不一致:{project} 文字{a}万元,表中{b}万元",
        "total_mismatch": f"合计数与分项之和不符:{func} 合计{a}万元,分项之和{b}万元",
        "stated_value_mismatch": f"说明中的数值与计算不符:{project} 称{rnd.randint(50, 100)}%,实为{rnd.randint(50, 100)}%",
        "undefined_ratio": f"年初预算为0却称完成年初预算的100%:{func}(类)(决算{a}万元)",
        "unit_error": f"单位疑似错误:{project} {a}元应为万元",
        "satisfaction_below_target": f"满意度未达目标:{project} 实际{rnd.randint(60, 89)}%,目标90%",
        "indicator_target_missed": f"绩效指标未完成:{project} 目标{a},实际{b}",
    }.get(kind, f"{kind}:{project} {a}万元")


def generate(path: Path, args) -> dict:
    """The database at `path` (new): returns facts about it the cases need."""
    from rules.registry import load_all
    from worker.storage import Store

    rnd = random.Random(args.seed)
    Store(path).close()                  # the real schema, as this version makes it
    rules = [(d.id, d.kind) for d in load_all().values()] + MODEL_RULES
    rule_weights = [rnd.choice([1, 2, 4, 8]) for _ in rules]
    issuers = [(f"{REGIONS[i % args.regions]}{DEPTS[(i // args.regions) % len(DEPTS)]}"
                + (f"{i // (args.regions * len(DEPTS)) + 1}所" if i >= args.regions * len(DEPTS) else ""),
                REGIONS[i % args.regions]) for i in range(args.issuers)]
    years = list(range(2024 - args.years + 1, 2025))
    ts0 = 1_700_000_000
    reports = []
    for rid in range(1, args.reports + 1):
        issuer, region = issuers[rid % len(issuers)]
        year = years[(rid // len(issuers)) % len(years)]
        rtype = "部门决算" if rid % 3 else "绩效自评"
        src = f"https://www.example.gov.cn/{rid}/{year}.pdf"
        at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts0 + rid * 600))
        reports.append((rid, f"bench:{rid}", src, "bench", "parsed", f"{issuer}{year}年度{rtype}", issuer, region,
                        year, rtype, at, at, at))
    alerts = []
    for aid in range(1, args.alerts + 1):
        rid = rnd.randint(1, args.reports)
        year = reports[rid - 1][8]
        rule, kind = rnd.choices(rules, rule_weights)[0]
        sev = rnd.choices(SEVERITIES, SEV_WEIGHTS)[0]
        project, func = _project(rnd), rnd.choice(FUNCS)
        quotes = []
        for _ in range(rnd.choice([1, 1, 2, 2, 3])):
            text = _quote(rnd, year, project)
            s = rnd.randint(0, 60000)
            q = {"text": text, "start": s, "end": s + len(text)}
            if rid % 2:
                q["page"] = rnd.randint(1, 40)
            quotes.append(q)
        evidence = {"project": project, "text": _money(rnd), "table": _money(rnd), "difference": _money(rnd),
                    "quotes": quotes}
        at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts0 + 10 * 86400 + aid * 30))
        r = rnd.random()
        status = "withdrawn" if r < 0.07 else "acked" if r < 0.15 else "open"
        acked = ("bench", at, "已核实") if status == "acked" else (None, None, None)
        alerts.append((aid, f"bench-{aid}", kind, rule, sev, rid, reports[rid - 1][2],
                       _title(rnd, kind, project, func), "说明:" + _title(rnd, kind, project, func),
                       json.dumps(evidence, ensure_ascii=False), status, at, at, at,
                       at if status == "withdrawn" else None, *acked))
    # A few operator alerts (a source failing): not audit findings, not in the inbox.
    for k in range(20):
        aid = args.alerts + 1 + k
        alerts.append((aid, f"bench-op-{k}", "source_failure", "source.unreachable", "medium", None, "portal",
                       "来源无法访问", "连接超时", "{}", "open", "2024-01-01T00:00:00+00:00",
                       "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", None, None, None, None))
    judged = rnd.sample(range(1, args.alerts + 1), max(1, args.alerts // 70))
    verdicts = [(a, rnd.choice(["confirmed", "false_alarm"]), "核对原文", "audrey", "2025-01-01T00:00:00+00:00")
                for a in judged]
    verdicts += [(a, "confirmed", "复核确认", "ada", "2025-02-01T00:00:00+00:00") for a in judged[:50]]
    silences = [("kind", "benford_deviation", None, "operator", "模型尚在校准", "2024-06-01T00:00:00+00:00", None),
                ("rule", "wording", "2099-01-01T00:00:00+00:00", "operator", "措辞规则复核中",
                 "2024-06-01T00:00:00+00:00", None),
                ("report", "17", None, "operator", "单位已说明", "2024-06-01T00:00:00+00:00", None),
                ("report", "1234", None, "operator", "单位已说明", "2024-06-01T00:00:00+00:00", None),
                ("rule", "unit", "2020-01-01T00:00:00+00:00", "operator", "已过期", "2019-06-01T00:00:00+00:00", None),
                ("kind", "unit_error", None, "operator", "已解除", "2019-06-01T00:00:00+00:00",
                 "2019-07-01T00:00:00+00:00")]
    conn = _connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO reports (id, key, source, source_name, status, title, issuer, region, year,"
                     " report_type, first_seen, updated_at, parsed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", reports)
    conn.executemany("INSERT INTO alerts (id, fingerprint, kind, rule, severity, report_id, source, title, message,"
                     " evidence, status, created_at, updated_at, last_seen_at, withdrawn_at, acked_by, acked_at,"
                     " ack_comment) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", alerts)
    conn.executemany("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'raised', ?, ?)",
                     [(a[0], a[11], a[4]) for a in alerts])
    conn.executemany("INSERT INTO alert_verdicts (alert_id, verdict, comment, by, at) VALUES (?,?,?,?,?)", verdicts)
    conn.executemany("INSERT INTO silences (matcher, value, until, created_by, comment, created_at, expired_at)"
                     " VALUES (?,?,?,?,?,?,?)", silences)
    conn.execute("COMMIT")       # no ANALYZE: a real database has no statistics either
    if str(path).startswith("postgresql://"):
        for table in ("reports", "alerts"):         # ids given: the identity goes on after them
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.close()
    return {}


def _connect(path):
    """An SQLite file (autocommit: the BEGIN is ours), or a PostgreSQL URL (bench/web_inbox_pg.py)."""
    if str(path).startswith("postgresql://"):
        from worker.db.pgconn import PgConnection

        return PgConnection(str(path))
    import sqlite3

    return sqlite3.connect(path, isolation_level=None)


def database(args) -> Path:
    key = json.dumps({"build": BUILD, **{k: getattr(args, k) for k in
                                         ("alerts", "reports", "issuers", "regions", "years", "seed")}})
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    out = ROOT / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"web_inbox-{digest}.db"
    if args.rebuild or not path.exists():
        for p in out.glob(f"web_inbox-{digest}.db*"):
            p.unlink()
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        for p in out.glob(tmp.name + "*"):
            p.unlink()
        generate(tmp, args)
        tmp.rename(path)
        print(f"built {path.name}: {args.alerts:,} alerts in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _add_user(db: Path) -> None:
    from worker.storage import Store, now_iso
    from worker.web import users

    store = Store(db)
    try:
        with store.tx() as conn:
            if conn.execute("SELECT 1 FROM web_users WHERE name = 'bench'").fetchone() is None:
                users.add(conn, "bench", "viewer", PASSWORD, now_iso())
    finally:
        store.close()


def shown(page: str) -> str:
    """What a page shows, hashed: the total, the ids listed, each facet's counts."""
    total = re.search(r'data-total="(\d+)"', page)
    ids = re.findall(r'<td><a href="/alerts/(\d+)">#', page)
    facets = re.findall(r'data-facet="(\w+)">(.*?)</section>', page, re.S)
    counts = [(f, re.findall(r'data-value="([^"]*)">(\d+)<', body)) for f, body in facets]
    blob = json.dumps([total.group(1) if total else None, ids, counts], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def serve(db: Path, runs: int, cases: list[tuple[str, str]]) -> list[dict]:
    import httpx

    port = _free_port()
    tmp = Path(tempfile.mkdtemp())
    (tmp / "config.toml").write_text("[web]\npage_size = 50\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "worker.cli", "--config", str(tmp / "config.toml"), "--db",
                             str(db), "serve", "--port", str(port)], cwd=tmp, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            while True:
                try:
                    page = c.get("/login").text
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        raise SystemExit(proc.stderr.read().decode())
                    time.sleep(0.1)
            print(f"server up in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            token = html.unescape(re.search(r'name="csrf_token" value="([^"]*)"', page).group(1))
            r = c.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token, "next": "/"})
            assert r.status_code == 303, r.text[:500]
            out = []
            for name, url in cases:
                page = c.get(url)              # warm-up (and the page checked)
                assert page.status_code == 200, (url, page.status_code)
                times = []
                for _ in range(runs):
                    t = time.perf_counter()
                    r = c.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200
                total = re.search(r'data-total="(\d+)"', r.text)
                out.append({"case": name, "url": url, "median": statistics.median(times), "min": min(times),
                            "max": max(times), "total": int(total.group(1)) if total else None,
                            "digest": shown(r.text)})
            return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alerts", type=int, default=100_000)
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--issuers", type=int, default=300)
    ap.add_argument("--regions", type=int, default=30)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    ap.add_argument("--copy", action="store_true",
                    help="serve a fresh copy of the cached database (so a migration is timed every run)")
    args = ap.parse_args()
    db = database(args)
    if args.copy:
        import shutil

        fresh = db.with_name(db.stem + "-copy.db")
        shutil.copyfile(db, fresh)
        db = fresh
    t = time.perf_counter()
    _add_user(db)          # the first open of the database by this version: its migrations run here
    print(f"database opened (and migrated if made by an older version) in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    import sqlite3

    conn = sqlite3.connect(db)
    issuer = conn.execute("SELECT r.issuer FROM alerts a JOIN reports r ON r.id = a.report_id"
                          " GROUP BY r.issuer ORDER BY count(*) DESC, r.issuer LIMIT 1").fetchone()[0]
    conn.close()

    cases = [(n, u if u is not None else f"/?issuer={issuer}") for n, u in CASES]
    load = Path("/proc/loadavg").read_text().split()[:3]
    results = serve(db, args.runs, cases)
    print(f"{args.alerts:,} alerts, {args.reports:,} reports; {args.runs} runs per case; "
          f"load before: {' '.join(load)}, after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print()
    print("| case | URL | median ms | min ms | max ms | alerts matching | digest |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r['case']} | `{r['url']}` | {r['median']:.0f} | {r['min']:.0f} | {r['max']:.0f} | "
              f"{'—' if r['total'] is None else format(r['total'], ',')} | {r['digest']} |")


if __name__ == "__main__":
    main()
