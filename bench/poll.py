"""Poll N unchanged sources with conditional GET; print time and requests.

    python bench/poll.py [--sources 1000] [--runs 3]

A portal on 127.0.0.1 serves one list page per source, each linking to a
report page (20 distinct reports made from the examples). A first poll
ingests everything; the measured second poll finds every list page
unchanged (304) and downloads nothing. With --runs N the unchanged poll is
repeated N times and the median is printed, beside the process's CPU time
(all threads, the portal's included: it runs in this process), which a busy
machine disturbs less than the wall clock.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from servers import Portal  # noqa: E402

from worker.app import App  # noqa: E402
from worker.config import Config  # noqa: E402
from worker.storage import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1, help="unchanged polls to take the median of")
    args = ap.parse_args()
    seeds = sorted((ROOT / "examples" / "reports").glob("*.txt"))
    with Portal() as portal, tempfile.TemporaryDirectory() as tmp:
        for k in range(20):
            text = f"第{k}号报告\n" + seeds[k % len(seeds)].read_text(encoding="utf-8")
            portal.add(f"/d/{k}.html", "<html><body><div id='content'>" +
                       "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</div></body></html>")
        sources = []
        for i in range(args.sources):
            portal.add(f"/s/{i}/index.html", f"<html><body><ul><li><a href='/d/{i % 20}.html'>2024年度部门决算</a>"
                                             f"</li></ul></body></html>")
            sources.append({"name": f"s{i}", "kind": "html_index", "url": portal.url(f"/s/{i}/index.html"),
                            "allow_private": True, "max_pages": 1})
        data = {"fetch": {"per_host_interval_seconds": 0.0, "per_host_concurrency": 4, "retries": 0},
                "sources": sources}
        app = App(Config(path=None, data=data), Store(Path(tmp) / "poll.db"))
        t0 = time.perf_counter()
        first = app.run_once(deliver=False)
        t1 = time.perf_counter()
        walls, cpus = [], []
        for _ in range(max(1, args.runs)):
            portal.hits.clear()
            c0, w0 = time.process_time(), time.perf_counter()
            second = app.run_once(deliver=False)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        codes: dict[int, int] = {}
        for _, code in portal.hits:
            codes[code] = codes.get(code, 0) + 1
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"sources: {args.sources}")
        print(f"first poll: {t1 - t0:.2f} s, {first.counts['ingested']} reports ingested, "
              f"{sum(r.requests for r, _ in first.polls)} requests")
        print(f"second poll (unchanged): {wall:.2f} s, {sum(r.requests for r, _ in second.polls)} requests "
              f"({', '.join(f'{v}× {k}' for k, v in sorted(codes.items()))}), "
              f"{second.counts['ingested']} ingested, {wall / args.sources * 1000:.1f} ms per source")
        if len(walls) > 1:
            print(f"unchanged polls: median of {len(walls)}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                  f"(runs: {', '.join(f'{w:.2f}' for w in walls)} s)")

if __name__ == "__main__":
    main()
