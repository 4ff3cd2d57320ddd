"""Precision and recall per alert kind on a generated, labelled corpus.

    python bench/evaluate.py [--issuers 250] [--years 2021-2024] [--seed 1] [--keep DIR]

Generates a corpus with bench/generate.py (or reads one with --corpus DIR),
backfills it into a fresh database (rules and models), exports the alerts and
compares them with labels.jsonl. A label counts as found when its report has
an alert of its kind; an alert counts as correct when its report carries a
label of its kind. Clean parts of generated reports are consistent by
construction, so any other alert is a false positive.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import DETERMINISTIC, KINDS  # noqa: E402
from worker.app import App  # noqa: E402
from worker.config import Config  # noqa: E402
from worker.storage import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issuers", type=int, default=250)
    ap.add_argument("--years", default="2021-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=None, help="an existing corpus directory")
    ap.add_argument("--keep", type=Path, default=None, help="keep the database here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    corpus = args.corpus
    if corpus is None:
        corpus = tmp / "corpus"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(corpus), "--issuers",
                        str(args.issuers), "--years", args.years, "--seed", str(args.seed)], check=True)
    labels = {}
    for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        labels[d["file"]] = d
    db = (args.keep or tmp) / "eval.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    for old in db.parent.glob("eval.db*"):
        old.unlink()
    app = App(Config(path=None, data={}), Store(db))
    t0 = time.perf_counter()
    summary = app.backfill([corpus])
    dt = time.perf_counter() - t0
    from alerts.export import alert_rows, to_contract

    alerts = [to_contract(r) for r in alert_rows(app.store.conn)]
    by_file = defaultdict(Counter)
    for a in alerts:
        by_file[Path(a["source"]).name][a["kind"]] += 1
    found = Counter()
    total_labels = Counter()
    correct = Counter()
    total_alerts = Counter(a["kind"] for a in alerts)
    misses = defaultdict(list)
    false_pos = defaultdict(list)
    for name, d in labels.items():
        kinds = {x["kind"] for x in d["labels"]}
        for k in kinds:
            total_labels[k] += 1
            if by_file[name][k]:
                found[k] += 1
            else:
                misses[k].append(name)
        for k, n in by_file[name].items():
            if k in kinds:
                correct[k] += n
            else:
                false_pos[k].append(name)
    print(f"corpus: {len(labels)} reports ({summary.counts['ingested']} ingested, "
          f"{summary.total - summary.readable} failed) in {dt:.1f} s; {len(alerts)} alerts")
    print(f"{'kind':28} {'labels':>6} {'found':>6} {'recall':>7} {'alerts':>7} {'correct':>7} {'precision':>9}")
    for k in KINDS:
        rec = found[k] / total_labels[k] if total_labels[k] else float("nan")
        prec = correct[k] / total_alerts[k] if total_alerts[k] else float("nan")
        tag = "" if k in DETERMINISTIC else "  (statistical)"
        print(f"{k:28} {total_labels[k]:6d} {found[k]:6d} {rec:7.3f} {total_alerts[k]:7d} {correct[k]:7d} {prec:9.3f}{tag}")
    for k in KINDS:
        if misses[k]:
            print(f"  missed {k}: {', '.join(misses[k][:8])}")
        if false_pos[k]:
            print(f"  unexpected {k}: {', '.join(false_pos[k][:8])}")
    app.store.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
