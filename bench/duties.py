"""How long the disclosure duties take to judge, per poll cycle (issue 18).

The daemon evaluates every expected (department, year, type) against the
stored reports after each poll cycle. This times that evaluation — matching
every report to the expected departments and judging each duty — on
synthetic names in the forms real issuers take (region prefixes, aliases,
traditional characters), without a database (the reports query is one
indexed SELECT).

    python bench/duties.py --departments 2000 --reports 20000 --runs 3
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from worker.duties import due
from worker.duties.settings import Disclosure, Expected

REGIONS = ["北京市通州区", "北京市丰台区", "广西壮族自治区玉林市", "四川省雅安市", "浙江省衢州市衢江区", "湖南省益阳市赫山区",
           "重庆市沙坪坝区", "云南省红河哈尼族彝族自治州", "湖北省黄冈市", "河北省石家庄市"]
CORES = ["财政局", "教育局", "卫生健康委员会", "政务服务管理局", "大数据发展和政务服务局", "民政局", "司法局", "审计局",
         "自然资源局", "生态环境局", "住房和城乡建设委员会", "交通运输局", "水务局", "农业农村局", "商务局", "文化和旅游局",
         "应急管理局", "市场监督管理局", "统计局", "医疗保障局", "城市管理委员会", "档案馆", "机关事务管理局", "信访办公室"]


def corpus(n_dep: int, n_rep: int, seed: int) -> tuple[list[Expected], list[dict]]:
    rng = random.Random(seed)
    names = []
    for i in range(n_dep):
        region = REGIONS[i % len(REGIONS)] + (f"第{i // (len(REGIONS) * len(CORES))}片区" if i >= len(REGIONS) * len(CORES)
                                               else "")
        names.append((region, CORES[(i // len(REGIONS)) % len(CORES)]))
    entries = [Expected(name=r + c, aliases=[f"区{c}"], source="portal", years=[2023, 2024], types=["部门决算"],
                        origin=f"expected[{i}]") for i, (r, c) in enumerate(names)]
    reports = []
    publishing = names[: max(1, len(names) * 9 // 10)]          # one department in ten publishes nothing
    for k in range(n_rep):
        r, c = publishing[rng.randrange(len(publishing))]
        issuer = rng.choice([r + c, r.split("市")[-1] + c if "市" in r else r + c, c])
        reports.append({"id": k + 1, "key": f"http://portal/{k}.html", "source": "", "source_name": "portal",
                        "status": "parsed", "title": f"{issuer}{2023 + k % 2}年度部门决算", "issuer": issuer,
                        "region": "", "year": 2023 + k % 2, "report_type": "部门决算",
                        "published_at": f"{2024 + k % 2}-{1 + rng.randrange(12):02d}-15",   # a quarter after 09-30 "published_from": "page",
                        "first_seen": "2025-01-01T00:00:00+00:00", "approved_at": None})
    return entries, reports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--departments", type=int, default=2000)
    ap.add_argument("--reports", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    entries, reports = corpus(a.departments, a.reports, a.seed)
    d = Disclosure(deadline="09-30")
    times, statuses = [], {}
    for _ in range(a.runs):
        t0 = time.perf_counter()
        got = due.duties(d, entries, reports, {}, date(2026, 1, 1))
        times.append(time.perf_counter() - t0)
        statuses = {s: sum(x.status == s for x in got) for s in ("found", "late", "missing", "pending")}
    print(f"duties={len(entries) * 2} reports={len(reports)} median={statistics.median(times):.3f}s "
          f"runs={[round(t, 3) for t in times]} {statuses}")


if __name__ == "__main__":
    main()
