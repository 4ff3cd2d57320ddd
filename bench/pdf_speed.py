"""Seconds per PDF page: the product's reading against pypdfium2's text alone.

    python bench/pdf_speed.py [--reports 20] [--seed 3] [--runs 3]

Generates filled 部门决算 PDFs (bench/reportgen), then times, page for page
and in the same process:

* floor    — pypdfium2's text of every page (what any reader must pay at least);
* extract  — the product's extraction: pages read with pdfium where it vouches
             for them (worker/extract/pdffast.py), grids by pdfplumber's table
             finder, merged cells, continued tables, reading order;
* old      — the same extraction with every page read by pdfplumber
             (extract_pdf(fast=False), the reading before issue 16);
* read     — extraction plus normalization, parsing and the ledger
             (worker.ingest.prepare: everything but the database).

Prints the medians over `--runs` runs (wall clock, and CPU time of this
process, which a busy machine disturbs less) and the ratios to the floor.
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


def _floor(data: list[bytes]) -> int:
    import pypdfium2 as pdfium

    pages = 0
    for d in data:
        pdf = pdfium.PdfDocument(d)
        for i in range(len(pdf)):
            page = pdf[i]
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    return pages


def _extract(data: list[bytes]) -> None:
    from worker.extract import Limits, extract

    for d in data:
        extract(d, "r.pdf", limits=Limits())


def _old(data: list[bytes]) -> None:
    from worker.extract import Limits
    from worker.extract.pdf import extract_pdf

    for d in data:
        extract_pdf(d, Limits(), fast=False)


def _read(data: list[bytes]) -> None:
    from worker.extract import Limits
    from worker.ingest import Doc, prepare

    for d in data:
        prep = prepare([Doc(url="r.pdf", data=d)], Limits())
        assert prep.status == "parsed", prep.reason


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=20)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from bench.reportgen import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), pdf=args.reports, xlsx=0, html=0, seed=args.seed)
        data = [p.read_bytes() for p in sorted(Path(tmp).glob("*.pdf"))]
    pages = _floor(data)
    _read(data[:2])                        # warm imports and caches
    stages = (("floor", _floor), ("extract", _extract), ("old", _old), ("read", _read))
    wall: dict[str, list[float]] = {k: [] for k, _ in stages}
    cpu: dict[str, list[float]] = {k: [] for k, _ in stages}
    for _ in range(args.runs):
        for name, fn in stages:
            t, c = time.perf_counter(), time.process_time()
            fn(data)
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    w = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"{len(data)} PDFs, {pages} pages, median of {args.runs} runs")
    print(f"{'stage':10} {'s total':>8} {'ms/page':>8} {'× floor':>8} {'cpu ms/page':>12} {'× floor':>8}")
    for k, _ in stages:
        print(f"{k:10} {w[k]:8.2f} {1000 * w[k] / pages:8.1f} {w[k] / w['floor']:8.1f}"
              f" {1000 * c[k] / pages:12.1f} {c[k] / c['floor']:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
