"""Ingest N distinct documents made from the example reports; print reports/s
and peak memory.

    python bench/ingest.py [--n 500] [--detect] [--html-share 0.5]

Each document is an example report with its department renamed, its year
shifted and some figures perturbed, so that every document is new content;
about half are wrapped as HTML pages (paragraphs and <table>s) so both
extraction paths are measured.
"""
from __future__ import annotations

import argparse
import html
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from worker.app import App  # noqa: E402
from worker.config import Config  # noqa: E402
from worker.storage import Store  # noqa: E402

SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))


def variant(text: str, i: int, rng: random.Random) -> str:
    """A distinct report: another department, another year, nudged figures."""
    text = text.replace("政务服务", f"政务服务{i}号")
    def nudge(m):
        if rng.random() < 0.1:
            digits = list(m.group(0))
            k = rng.randrange(len(digits))
            if digits[k].isdigit():
                digits[k] = str((int(digits[k]) + 1) % 10)
            return "".join(digits)
        return m.group(0)
    return re.sub(r"\d+\.\d+", nudge, text)


def as_html(text: str) -> str:
    """Wrap a report as a portal page: paragraphs, and tables as <table>."""
    out = ["<html><head><meta charset='utf-8'><title>report</title></head><body>",
           "<div class='nav'>首页 &gt; 政务公开</div><div id='content'>"]
    rows: list[list[str]] = []
    for line in text.split("\n"):
        if " | " in line:
            rows.append([html.escape(c) for c in line.split(" | ")])
            continue
        if rows:
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
                       + "</table>")
            rows = []
        out.append(f"<p>{html.escape(line)}</p>")
    out.append("</div><div class='footer'>版权所有</div></body></html>")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--detect", action="store_true", help="run the detectors too")
    ap.add_argument("--html-share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=None, help="parser processes (default: up to 4 by CPU count)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        n_html = 0
        for i in range(args.n):
            t = variant(texts[i % len(texts)], i, rng)
            if rng.random() < args.html_share:
                (folder / f"{i:05d}.html").write_text(as_html(t), encoding="utf-8")
                n_html += 1
            else:
                (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8")
        size = sum(f.stat().st_size for f in folder.iterdir())
        app = App(Config(path=None, data={}), Store(Path(tmp) / "bench.db"))
        t0 = time.perf_counter()
        summary = app.backfill([folder], detect=args.detect, jobs=args.jobs)
        dt = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        db_size = sum(f.stat().st_size for f in Path(tmp).glob("bench.db*"))
        c = summary.counts
        print(f"documents: {args.n} ({n_html} HTML, {args.n - n_html} text), {size / 1e6:.1f} MB")
        print(f"ingested: {c['ingested']}, failed: {summary.total - c['ingested'] - c['unchanged'] - c['duplicate']}")
        print(f"detect: {'yes' if args.detect else 'no'}; alerts new: {summary.alerts_new}")
        print(f"time: {dt:.2f} s  ->  {args.n / dt:.1f} reports/s")
        print(f"peak memory (max RSS): {peak:.0f} MB main process, {peak_children:.0f} MB largest worker;"
              f" database: {db_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
