"""The floor: the least any reader of these reports must do, timed on one core.

    python bench/floor.py CORPUS_DIR [--facts N] [--numbers M] [--runs 3]

A bare pass over the corpus with no reading at all: every file read and
decoded (UTF-8, else GB18030, as Chinese portals publish), the HTML's tags
dropped with one regular expression, OpenCC (traditional → simplified) over
every text, the product's number pattern run over it once, and then N fact
rows and M number rows inserted into a fresh SQLite file in one transaction
(by default as many as there are numbers found, and half as many facts).
The product's end-to-end rate is compared with this floor's rate, measured in
the same run on the same files (bench/scale.py prints both): the share says
how much of the time goes to reading rather than to the unavoidable.
"""
from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TAG = re.compile(r"<[^>]*>")
SUFFIXES = (".txt", ".html", ".htm")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def floor(corpus: Path, facts: int | None = None, numbers: int | None = None) -> dict:
    """One pass; returns seconds, files, bytes and the rows written."""
    import opencc

    from worker.numbers import NUMBER_RE

    conv = opencc.OpenCC("t2s.json")
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUFFIXES)
    t0 = time.perf_counter()
    size = found = 0
    for p in files:
        data = p.read_bytes()
        size += len(data)
        text = _decode(data)
        if p.suffix.lower() != ".txt":
            text = _TAG.sub(" ", text)
        text = conv.convert(text)
        found += sum(1 for _ in NUMBER_RE.finditer(text))
    n_numbers = numbers if numbers is not None else found
    n_facts = facts if facts is not None else n_numbers // 2
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE facts (id INTEGER PRIMARY KEY, report_id INTEGER, seq INTEGER, kind TEXT, "
                     "data TEXT)")
        conn.execute("CREATE TABLE numbers (fact_id INTEGER, field TEXT, value REAL, unit TEXT, raw_start INTEGER, "
                     "raw_end INTEGER)")
        per = max(1, len(files))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO facts (report_id, seq, kind, data) VALUES (?, ?, ?, ?)",
                         ((i % per, i, "amount", '{"name":"一般公共服务支出"}') for i in range(n_facts)))
        conn.executemany("INSERT INTO numbers VALUES (?, ?, ?, ?, ?, ?)",
                         ((i % max(1, n_facts) + 1, "num", i * 0.01, "万元", i, i + 6) for i in range(n_numbers)))
        conn.execute("COMMIT")
        conn.close()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "files": len(files), "bytes": size, "facts": n_facts, "numbers": n_numbers,
            "rate": len(files) / seconds if seconds else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--facts", type=int, default=None)
    ap.add_argument("--numbers", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = [floor(args.corpus, args.facts, args.numbers) for _ in range(args.runs)]
    med = statistics.median(r["seconds"] for r in runs)
    r = runs[0]
    print(f"floor: {r['files']} files, {r['bytes'] / 1e6:.1f} MB, {r['facts']:,} facts, {r['numbers']:,} numbers: "
          f"median {med:.2f} s of {args.runs} runs = {r['files'] / med:.0f} reports/s (one core)")


if __name__ == "__main__":
    main()
