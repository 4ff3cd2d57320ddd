"""CLI: python -m bench.reportgen OUT_DIR [--pdf N] [--xlsx N] [--html N] [--seed S] [--jobs J]"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

from .corpus import generate


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reportgen",
                                 description="Generate filled 部门决算 reports with labelled injected errors.")
    ap.add_argument("out_dir")
    ap.add_argument("--pdf", type=int, default=200)
    ap.add_argument("--xlsx", type=int, default=50)
    ap.add_argument("--html", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clean-rate", type=float, default=0.3, help="share of reports without errors")
    ap.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                    help="worker processes (output does not depend on it)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    lines = generate(args.out_dir, pdf=args.pdf, xlsx=args.xlsx, html=args.html, seed=args.seed, jobs=args.jobs,
                     clean_rate=args.clean_rate)
    kinds = Counter(e["kind"] for line in lines for e in line["errors"])
    clean = sum(line["clean"] for line in lines)
    print(f"{len(lines)} reports ({clean} clean) in {time.perf_counter() - t0:.1f} s → {args.out_dir}/labels.jsonl",
          file=sys.stderr)
    for k, n in sorted(kinds.items()):
        print(f"  {k}: {n}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
