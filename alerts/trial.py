"""`rules test`: parse one file in memory and evaluate the detectors on it."""
from __future__ import annotations

from pathlib import Path

from alerts.engine import evaluate
from worker import pubdate
from worker.extract import ExtractError, Limits, extract
from worker.ingest import remap_grid
from worker.parse import parse_report
from worker.quotes import QuoteSource
from worker.textnorm import normalize


def trial(cfg, path: Path, rule_ids: list[str] | None, limits: Limits | None = None):
    """Findings a document would raise, and its parsed report; nothing stored."""
    try:
        ex = extract(path.read_bytes(), path.name, None, limits)
    except ExtractError as e:
        raise ValueError(f"{path}: {e.status}: {e.reason}") from None
    norm = normalize(ex.text)
    for g in ex.grids:
        remap_grid(g, norm)
    pages = [[norm.to_normalized(off), n] for n, off in enumerate(ex.pages or [], 1)]
    if pages:
        pages.append([len(norm.text), None])
    report = parse_report(norm.text, ex.grids, pages)
    report.meta.published = pubdate.merged(ex.dates, report.meta.published)
    # What the alerts would quote: the file's own text and pages.
    report.quote_source = QuoteSource.from_normalized(norm, pages)
    return evaluate(report, cfg.rules, rule_ids), report
