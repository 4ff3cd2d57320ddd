"""Recall and false alarms of audit-worker on a generated, labelled corpus of
filled 部门决算 publications (bench/reportgen).

    python bench/ledger_eval.py [--pdf 200 --xlsx 50 --html 50 --seed 1] [--corpus DIR]
                                [--json] [--min-recall R] [--max-false-per-1000 F]

1. Generates a corpus into a temporary directory (or takes --corpus DIR with
   its labels.jsonl).
2. Runs the product as a user would: `audit-worker --db DB backfill DIR`, then
   `audit-worker --db DB alerts export --format jsonl`.
3. Matches alerts to labels. An alert matches a label when its `source` ends
   with the label's file name, its `kind` equals the label's kind, and — when
   the label has numbers — one of them appears among the numbers anywhere in
   the alert's evidence (within 0.006, or ×/÷ 10000 for 元/万元), or — when it
   has text — one of its snippets appears in the evidence's quotes (spaces,
   thousands separators and full-width forms ignored). A label without either
   matches on file and kind. An alert of one of the label's `also_kinds` that
   matches the same way is a legitimate second view of the same fault: it is
   not counted as a false alarm (nor as a find).
4. Prints recall per kind and overall, the alerts that match no label (false
   alarms) and the false alarms per 1,000 relations checked (summed from
   `audit-worker reports show ID --json` → verification.relations_checked;
   "n/a" when the product does not report it).

Exit status 0, or 1 when --min-recall / --max-false-per-1000 is not met.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["total_mismatch", "text_table_conflict", "stated_value_mismatch", "disclosure_incomplete", "wording_mismatch"]
NUM_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
SKIP_KEYS = {"locations", "start", "end", "id"}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"[\s,]", "", s)


def evidence_numbers(ev, out: list | None = None) -> list[float]:
    out = [] if out is None else out
    if isinstance(ev, dict):
        for k, v in ev.items():
            if k not in SKIP_KEYS:
                evidence_numbers(v, out)
    elif isinstance(ev, list):
        for v in ev:
            evidence_numbers(v, out)
    elif isinstance(ev, bool) or ev is None:
        pass
    elif isinstance(ev, (int, float)):
        out.append(float(ev))
    elif isinstance(ev, str):
        for m in NUM_RE.findall(unicodedata.normalize("NFKC", ev)):
            try:
                out.append(float(m.replace(",", "")))
            except ValueError:
                pass
    return out


def evidence_quotes(ev, out: list | None = None, inside: bool = False) -> list[str]:
    out = [] if out is None else out
    if isinstance(ev, dict):
        for k, v in ev.items():
            evidence_quotes(v, out, inside or "quote" in k.lower())
    elif isinstance(ev, list):
        for v in ev:
            evidence_quotes(v, out, inside)
    elif isinstance(ev, str) and inside:
        out.append(norm(ev))
    return out


def numbers_match(label_nums: list, ev_nums: list) -> bool:
    for x in label_nums:
        for n in ev_nums:
            if abs(n - x) <= 0.006 or abs(n - x * 10000) <= 0.006 or abs(n - x / 10000) <= 0.006:
                return True
    return False


def evidence_match(label: dict, alert: dict) -> bool:
    nums, texts = label.get("numbers") or [], [norm(t) for t in label.get("text") or [] if t]
    if not nums and not texts:
        return True
    ev = alert.get("evidence") or {}
    if nums and numbers_match(nums, evidence_numbers(ev)):
        return True
    if texts:
        quotes = evidence_quotes(ev)
        return any(t and t in q for t in texts for q in quotes)
    return False


def score(labels: dict, alerts: list) -> dict:
    """labels: file → label line; alerts: the alert contract dicts."""
    found = [[False] * len(d["errors"]) for d in labels.values()]
    idx = {name: k for k, name in enumerate(labels)}
    false_alarms, also = [], 0
    for a in alerts:
        name = Path(a.get("source") or "").name
        d = labels.get(name)
        if d is None:
            false_alarms.append(a)
            continue
        hit = False
        for j, lab in enumerate(d["errors"]):
            if a["kind"] == lab["kind"] and evidence_match(lab, a):
                found[idx[name]][j] = True
                hit = True
        if not hit and any(a["kind"] in lab.get("also_kinds", []) and evidence_match(lab, a) for lab in d["errors"]):
            also += 1
            hit = True
        if not hit:
            false_alarms.append(a)
    per_kind = {k: {"labels": 0, "found": 0} for k in KINDS}
    misses = defaultdict(list)
    for name, d in labels.items():
        for j, lab in enumerate(d["errors"]):
            pk = per_kind.setdefault(lab["kind"], {"labels": 0, "found": 0})
            pk["labels"] += 1
            if found[idx[name]][j]:
                pk["found"] += 1
            else:
                misses[lab["kind"]].append(f"{name}: {lab['detail']}")
    for pk in per_kind.values():
        pk["recall"] = pk["found"] / pk["labels"] if pk["labels"] else None
    n_lab = sum(pk["labels"] for pk in per_kind.values())
    n_found = sum(pk["found"] for pk in per_kind.values())
    clean = {n for n, d in labels.items() if d["clean"]}
    return {"reports": len(labels), "clean_reports": len(clean), "alerts": len(alerts), "per_kind": per_kind,
            "labels": n_lab, "found": n_found, "recall": n_found / n_lab if n_lab else None,
            "false_alarms": len(false_alarms), "also_kind_alerts": also,
            "false_alarms_by_kind": dict(Counter(a["kind"] for a in false_alarms)),
            "false_alarms_on_clean_reports": sum(Path(a.get("source") or "").name in clean for a in false_alarms),
            "false_alarm_list": [{"file": Path(a.get("source") or "").name, "kind": a["kind"], "rule": a.get("rule"),
                                  "title": a.get("title")} for a in false_alarms],
            "misses": dict(misses)}


def find_key(obj, key: str):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = find_key(v, key)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_key(v, key)
            if r is not None:
                return r
    return None


def relations_checked(aw: str, db: str, report_id: int) -> int | None:
    p = subprocess.run([aw, "--db", db, "reports", "show", str(report_id), "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    docs = []
    try:
        docs.append(json.loads(p.stdout))
    except ValueError:
        for line in p.stdout.splitlines():
            try:
                docs.append(json.loads(line))
            except ValueError:
                continue
    for d in docs:
        ver = find_key(d, "verification")
        if isinstance(ver, dict) and isinstance(ver.get("relations_checked"), (int, float)):
            return int(ver["relations_checked"])
        if isinstance(d, dict) and d.get("kind") == "verification":
            v = find_key(d, "relations_checked")
            if isinstance(v, (int, float)):
                return int(v)
    return None


def run_product(aw: str, corpus: Path, db: Path, jobs: int) -> tuple[list, int | None, float, dict]:
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    t0 = time.perf_counter()
    subprocess.run([aw, "--db", str(db), "backfill", str(corpus)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    p = subprocess.run([aw, "--db", str(db), "alerts", "export", "--format", "jsonl"], check=True,
                       capture_output=True, text=True)
    alerts = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    p = subprocess.run([aw, "--db", str(db), "reports", "list", "--json", "--limit", "1000000"], check=True,
                       capture_output=True, text=True)
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    ids = [r["id"] for r in rows]
    statuses = dict(Counter(r.get("status") for r in rows))
    with ThreadPoolExecutor(max(1, jobs)) as ex:
        counts = list(ex.map(lambda i: relations_checked(aw, str(db), i), ids))
    known = [c for c in counts if c is not None]
    return alerts, (sum(known) if known else None), dt, statuses


def report(res: dict, out=sys.stdout) -> None:
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"corpus: {res['reports']} reports ({res['clean_reports']} clean), {res['labels']} labelled errors, "
      f"{res['alerts']} alerts; backfill {res.get('backfill_seconds', 0):.1f} s; "
      f"stored reports by status: {res.get('report_statuses', {})}")
    p(f"{'kind':24} {'labels':>6} {'found':>6} {'recall':>7}")
    for k, pk in res["per_kind"].items():
        rec = "n/a" if pk["recall"] is None else f"{pk['recall']:.3f}"
        p(f"{k:24} {pk['labels']:6d} {pk['found']:6d} {rec:>7}")
    rec = "n/a" if res["recall"] is None else f"{res['recall']:.3f}"
    p(f"{'overall':24} {res['labels']:6d} {res['found']:6d} {rec:>7}")
    rc = res.get("relations_checked")
    fp1000 = res.get("false_per_1000")
    p(f"false alarms: {res['false_alarms']} ({res['false_alarms_on_clean_reports']} on clean reports; "
      f"{res['also_kind_alerts']} alerts accepted as another view of a labelled error)")
    p(f"relations checked: {rc if rc is not None else 'n/a'}; false alarms per 1,000 relations: "
      f"{'n/a' if fp1000 is None else f'{fp1000:.3f}'}")
    for k, n in sorted(res["false_alarms_by_kind"].items(), key=lambda x: -x[1]):
        p(f"  false {k}: {n}")
    for fa in res["false_alarm_list"][:40]:
        p(f"    {fa['file']} {fa['kind']} [{fa['rule']}] {fa['title']}")
    for k, ms in res["misses"].items():
        p(f"  missed {k} ({len(ms)}):")
        for m in ms[:8]:
            p(f"    {m}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdf", type=int, default=200)
    ap.add_argument("--xlsx", type=int, default=50)
    ap.add_argument("--html", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=None, help="an existing corpus with labels.jsonl")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and database in this directory")
    ap.add_argument("--audit-worker", default=str(ROOT / ".venv" / "bin" / "audit-worker"))
    ap.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--min-recall", type=float, default=None)
    ap.add_argument("--max-false-per-1000", type=float, default=None)
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ledger_eval_"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus
    try:
        gen_s = 0.0
        if corpus is None:
            sys.path.insert(0, str(ROOT))
            from bench.reportgen import generate
            corpus = work / "corpus"
            if corpus.exists():
                shutil.rmtree(corpus)
            t0 = time.perf_counter()
            generate(corpus, pdf=args.pdf, xlsx=args.xlsx, html=args.html, seed=args.seed, jobs=args.jobs)
            gen_s = time.perf_counter() - t0
        labels = {}
        for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                labels[d["file"]] = d
        alerts, rc, dt, statuses = run_product(args.audit_worker, corpus, work / "eval.db", args.jobs)
        res = score(labels, alerts)
        res["relations_checked"] = rc
        res["false_per_1000"] = (res["false_alarms"] / rc * 1000) if rc else None
        res["backfill_seconds"] = dt
        res["report_statuses"] = statuses
        res["generate_seconds"] = gen_s
        if args.json:
            print(json.dumps(res, ensure_ascii=False, indent=1))
        else:
            report(res)
        ok = True
        if args.min_recall is not None and (res["recall"] or 0.0) < args.min_recall:
            ok = False
        if args.max_false_per_1000 is not None and (res["false_per_1000"] is None or
                                                     res["false_per_1000"] > args.max_false_per_1000):
            ok = False
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
