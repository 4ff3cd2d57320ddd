"""Every detector that can raise an alert, from both registries, and the
names a person may type for them: detector ids, families, alert kinds.

Commands that take such a name (`silence`, `--rules`, `rules list`) check it
here, so a typo is refused with the valid choices instead of matching nothing.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

# Operator alerts are raised by alerts/operator.py, outside the registries.
OPERATOR_RULE = "operator.source_failure"


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    type: str           # rule (rules/), model (models/) or operator
    family: str
    severity: str
    doc: str


def detectors(operator: bool = False) -> list[Entry]:
    """The deterministic rules, then the statistical models (then the operator alert), each sorted by id."""
    from models.registry import load_all as load_models
    from rules.registry import load_all as load_rules

    out = [Entry(d.id, d.kind, "rule", d.family, d.severity, d.doc) for _, d in sorted(load_rules().items())]
    out += [Entry(d.id, d.kind, "model", d.family, d.severity, d.doc) for _, d in sorted(load_models().items())]
    if operator:
        from alerts.operator import KIND

        out.append(Entry(OPERATOR_RULE, KIND, "operator", "operator", "high",
                         "a source failed source_failure_threshold polls in a row"))
        # Disclosure duties (alerts/duties.py): raised after poll cycles, by detect and coverage --alert.
        out.append(Entry("duties.late_publication", "late_publication", "operator", "duties", "low",
                         "a report published after its due date (批复 + publish_within_days, or a fixed deadline)"))
        out.append(Entry("duties.report_missing", "report_missing", "operator", "duties", "medium",
                         "an expected department's report not found when its due date passed"))
        from alerts import restated

        out.append(Entry(restated.RULE, restated.KIND, "restatement", "restate", restated.SEVERITY,
                         "a report republished with figures changed or tables added or removed"))
    return out


def kinds() -> list[str]:
    """Every alert kind a stored alert can have."""
    from rules.registry import KINDS

    return sorted(set(KINDS) | {e.kind for e in detectors(operator=True)})


def prefixes(ids: list[str]) -> list[str]:
    """Each id and every dotted prefix of it: `models.peer.outlier` → models, models.peer, models.peer.outlier."""
    out = set()
    for i in ids:
        parts = i.split(".")
        out.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return sorted(out)


def rule_names(operator: bool = False) -> list[str]:
    """Names that select detectors: ids and families (`execution_rate`, `models`, `models.peer`)."""
    return prefixes([e.id for e in detectors(operator)])


def is_model(name: str) -> bool:
    return name == "models" or name.startswith("models.")


def close(value: str, choices: list[str], n: int = 5) -> list[str]:
    """The choices nearest to a mistyped value (difflib), best first."""
    return difflib.get_close_matches(value, choices, n=n, cutoff=0.5)


def unknown_rules(names: list[str], operator: bool = False) -> str | None:
    """None when every name selects a detector; else a message naming the bad ones and close valid ids."""
    valid = rule_names(operator)
    bad = [n for n in names if n not in valid]
    if not bad:
        return None
    lines = []
    for b in bad:
        near = close(b, valid)
        lines.append(f"unknown detector {b!r}" + (f"; did you mean: {', '.join(near)}?" if near else ""))
    families = sorted({v.split(".")[0] for v in valid if not is_model(v)})
    model_families = sorted({".".join(v.split(".")[:2]) for v in valid if v.count(".") >= 1 and is_model(v)})
    lines.append("valid: a detector id or family: " + ", ".join(families + ["models"] + model_families)
                 + " (every id: audit-worker rules list)")
    return "\n".join(lines)
