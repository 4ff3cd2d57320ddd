"""Findings: what a detector reports, before it becomes an alert.

A finding carries the alert contract's content (kind, severity, a Chinese
title and message, evidence with quotes and numbers) and a `key`: the facts
involved, as numbers rounded to what identifies them. Findings of one kind in
one report with equal keys are the same problem (stated in the text and again
in a table, or in two sections) and become one alert with all their quotes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from worker.numbers import Num

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3}


@dataclass
class Finding:
    kind: str
    rule: str
    severity: str
    title: str
    message: str
    evidence: dict
    key: tuple
    # [(text, start, end)] in the report's normalized text; (text, start, end,
    # report id) for a quote of another report
    quotes: list = field(default_factory=list)
    priority: int = 0          # when findings merge, the highest priority one speaks for them
    # Offsets of the stated figure a finding is about: two detectors that
    # question the same printed figure for the same kind make one alert.
    anchor: tuple | None = None

    def merge(self, other: "Finding") -> None:
        """Fold a second statement of the same problem into this one."""
        for q in other.quotes:
            # The same words, or the same place (quotes given by offsets alone have no words).
            if not any((q[0] and q[0] == mine[0]) or tuple(q[1:]) == tuple(mine[1:]) for mine in self.quotes):
                self.quotes.append(q)
        if SEVERITY_ORDER[other.severity] > SEVERITY_ORDER[self.severity]:
            self.severity = other.severity
        # The other statement's figures that differ from this one's, kept
        # together so an auditor sees each statement as printed.
        diff = {k: v for k, v in other.evidence.items()
                if k not in ("quote", "also") and self.evidence.get(k) != v}
        if diff:
            also = self.evidence.setdefault("also", [])
            if diff not in also and len(also) < 6:
                also.append(diff)

    def contract_evidence(self, source=None, other=None) -> dict:
        """The evidence of the alert contract: the detector's figures and
        `quotes`, the exact original text of each quote (worker/quotes.py).
        `source` is the report's QuoteSource; `other` loads another report's
        (for a quote of a previous year's report)."""
        from worker.quotes import QUOTE_KEYS, quote_objects

        ev = {k: v for k, v in self.evidence.items() if k not in QUOTE_KEYS}
        ev["quotes"] = quote_objects(self.quotes, source, other)
        return ev


def said(text: str, limit: int = 80) -> str:
    """Report text to embed in a message (“…”。): trimmed, at most `limit`
    characters, without its own closing punctuation (no 。”。 or 。。)."""
    return text.strip()[:limit].rstrip("。.;；,，、:：").rstrip()


def r(x: float | None, nd: int = 2) -> float | None:
    """Round for keys and evidence (keeps keys stable across float noise)."""
    if x is None:
        return None
    return round(float(x) + 0.0, nd)


def num(n: Num | None) -> float | None:
    if n is None:
        return None
    return r(n.value, max(2, n.precision))


def printed(n: Num | None, default_unit: str = "") -> str:
    """A figure as the report printed it, with its unit."""
    if n is None:
        return "—"
    raw = "".join(n.raw.split())
    if n.unit:
        return raw if raw.endswith(n.unit) else f"{raw}{n.unit}"
    u = default_unit or ("万元" if n.kind == "money" else "%" if n.kind == "percent" else "")
    return f"{raw}{u}"


def q(quote) -> tuple:
    return (quote.text, quote.start, quote.end)


def severity_by(value: float, bands: list[tuple[float, str]], default: str) -> str:
    """First band whose bound the value is below: [(60, 'high'), (90, 'medium')]."""
    for bound, sev in bands:
        if value < bound:
            return sev
    return default
