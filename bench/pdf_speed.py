"""Seconds per PDF page: the product's reading against pypdfium2's text alone.

    python bench/pdf_speed.py [--reports 20] [--seed 3] [--runs 3]

Generates filled 部门决算 PDFs (bench/reportgen), then times, page for page
and in the same process:

* floor    — pypdfium2's text of every page (what any reader must pay at least);
* extract  — the product's extraction (pdfplumber grids, merged cells,
             continued tables, reading order);
* read     — extraction plus normalization, parsing and the ledger
             (worker.ingest.prepare: everything but the database).

Prints the medians over `--runs` runs and the ratios to the floor.
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
    times: dict[str, list[float]] = {"floor": [], "extract": [], "read": []}
    for _ in range(args.runs):
        for name, fn in (("floor", _floor), ("extract", _extract), ("read", _read)):
            t = time.perf_counter()
            fn(data)
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{len(data)} PDFs, {pages} pages, median of {args.runs} runs")
    print(f"{'stage':10} {'s total':>8} {'ms/page':>8} {'× floor':>8}")
    for k in ("floor", "extract", "read"):
        print(f"{k:10} {med[k]:8.2f} {1000 * med[k] / pages:8.1f} {med[k] / med['floor']:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
