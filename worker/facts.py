"""Facts: what the parser keeps from a report, each number with its quote.

Every fact is a dataclass that round-trips through JSON (`to_row` /
`from_row`), so stages talk through SQLite and detectors can re-run on what
is stored. Numbers are `Num` objects: normalized value, printed unit,
printed precision, raw text and offsets into the report's normalized text.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from worker.numbers import Num


@dataclass
class Quote:
    text: str
    start: int
    end: int


# Compact JSON: a Num is a list of its fields; a Quote that is exactly the
# report text between its offsets is stored as the offsets alone.
_NUM_FIELDS = ("value", "unit", "kind", "precision", "raw", "start", "end", "scale", "approx")


_PLAIN = (str, int, float, bool, type(None))


def _enc(value: Any, text: str | None) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Num):
        return {"n": [getattr(value, f) for f in _NUM_FIELDS]}
    if isinstance(value, Quote):
        if text is not None and text[value.start:value.end] == value.text:
            return {"q": [value.start, value.end]}
        return {"qt": [value.text, value.start, value.end]}
    if isinstance(value, Fact):
        out = {}
        for name in _field_names(type(value)):
            v = getattr(value, name)
            if v is None or v == "" or v == [] or v is False:
                continue      # defaults are restored on reading
            out[name] = _enc(v, text)
        return out
    if isinstance(value, (list, tuple)):
        return [_enc(v, text) for v in value]
    if isinstance(value, dict):
        return {k: _enc(v, text) for k, v in value.items()}
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _dec(value: Any, text: str | None) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        if "n" in value and len(value) == 1:
            return Num(**dict(zip(_NUM_FIELDS, value["n"])))
        if "q" in value and len(value) == 1:
            s, e = value["q"]
            return Quote(text[s:e] if text is not None else "", s, e)
        if "qt" in value and len(value) == 1:
            t, s, e = value["qt"]
            return Quote(t, s, e)
        return {k: _dec(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_dec(v, text) for v in value]
    return value


class Fact:
    """Base of all facts: a kind name and JSON round-tripping."""

    kind: ClassVar[str] = "fact"

    def to_json(self, text: str | None = None) -> str:
        """JSON of the fact; with the report text, quotes are stored as offsets."""
        return json.dumps(_enc(self, text), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str, text: str | None = None):
        raw = _dec(json.loads(data), text)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})

    def numbers(self) -> list[tuple[str, Num]]:
        """Every Num the fact holds, with the field name it sits in."""
        out: list[tuple[str, Num]] = []
        for name in _field_names(type(self)):
            v = getattr(self, name)
            if isinstance(v, Num):
                out.append((name, v))
            elif isinstance(v, list):
                for i, item in enumerate(v):
                    if isinstance(item, Num):
                        out.append((f"{name}[{i}]", item))
                    elif isinstance(item, (list, tuple)):
                        for x in item:
                            if isinstance(x, Num):
                                out.append((f"{name}[{i}]", x))
        return out

    @property
    def display_name(self) -> str:
        return getattr(self, "name", "") or getattr(self, "label", "") or getattr(self, "subject", "")


@dataclass
class ReportMeta(Fact):
    kind: ClassVar[str] = "meta"
    title: str = ""
    issuer: str = ""
    region: str = ""
    year: int | None = None
    report_type: str = ""          # 部门决算 / 单位决算 / 绩效自评 / …
    level: str = ""                # province / city / district / county
    has_performance: bool = False
    warnings: list = field(default_factory=list)
    # Publication dates found in the document itself (worker/pubdate.PubDate.as_dict():
    # meta tag, 发布时间 line, attachment line); the one stored is chosen at ingest.
    published: list = field(default_factory=list)
    approved_at: str = ""                   # the 批复 date printed in the report (worker/parse/approval.py)
    approved_quote: Quote | None = None     # … and the sentence printing it


@dataclass
class Amount(Fact):
    """A named money figure: 本年支出合计 7226.38万元."""

    kind: ClassVar[str] = "amount"
    name: str
    num: Num
    quote: Quote
    subject: str = ""              # the entity it belongs to ('' = department)
    section: str = "other"         # headline|functional|sangong|admin|procurement|project|other
    role: str = ""                 # initial_budget|budget|final|executed|total|income|…


@dataclass
class LineItem(Fact):
    """A functional-classification line (类/款/项) with budget and outturn."""

    kind: ClassVar[str] = "line_item"
    name: str
    level: str                     # 类 | 款 | 项
    path: list
    quote: Quote
    initial_budget: Num | None = None
    budget: Num | None = None
    final: Num | None = None
    stated_rate: Num | None = None
    rate_base: str = ""            # initial | budget | arrangement
    change: Num | None = None      # signed change against the initial budget
    change_pct: Num | None = None
    parent: str = ""


@dataclass
class Project(Fact):
    """A project's money: from a self-evaluation table or from the text."""

    kind: ClassVar[str] = "project"
    name: str
    source: str                    # table | text
    quote: Quote
    initial_budget: Num | None = None
    budget: Num | None = None      # full-year / adjusted budget
    executed: Num | None = None
    stated_rate: Num | None = None
    weight: Num | None = None      # points for budget execution
    score: Num | None = None
    total_score: Num | None = None
    scope_start: int = 0
    scope_end: int = 0


@dataclass
class FundingRow(Fact):
    """One row of a funding table (资金来源 / 项目资金)."""

    kind: ClassVar[str] = "funding_row"
    owner: str                     # project name, or the department
    owner_kind: str                # project | department
    label: str
    quote: Quote
    is_total: bool = False
    initial_budget: Num | None = None
    adjustment: Num | None = None
    budget: Num | None = None
    executed: Num | None = None
    stated_rate: Num | None = None
    rate_header: str = ""          # the rate column's header as printed
    weight: Num | None = None
    score: Num | None = None


@dataclass
class Indicator(Fact):
    """A performance indicator with its target and actual value."""

    kind: ClassVar[str] = "indicator"
    owner: str
    name: str
    quote: Quote
    level1: str = ""
    level2: str = ""
    target_raw: str = ""
    comparator: str = ""           # >= <= > < = range | grade | ''
    target: Num | None = None
    target_high: Num | None = None # upper bound of a range target
    target_kind: str = ""          # number | grade | date | text
    actual_raw: str = ""
    actual: Num | None = None
    actual_is_share: bool = False  # actual printed as a percentage of the target
    weight: Num | None = None
    score: Num | None = None
    note: str = ""
    source: str = "table"          # table | text
    comparator_implied: bool = False


@dataclass
class Claim(Fact):
    """A stated percentage, share, growth or difference, with its operands."""

    kind: ClassVar[str] = "claim"
    type: str                      # share|growth|completion|execution|difference|score
    stated: Num
    quote: Quote
    subject: str = ""
    numerator: Num | None = None
    base: Num | None = None
    base_name: str = ""
    base_role: str = ""            # initial | budget | arrangement | total | previous
    candidates: list = field(default_factory=list)   # other bases the words admit
    delta: Num | None = None
    direction: int = 0             # +1 increase, -1 decrease, 0 unknown / 持平
    section: str = "other"
    owner: str = ""                # project the claim belongs to, if any


@dataclass
class PartSet(Fact):
    """A total and its parts (其中 …), money or counts."""

    kind: ClassVar[str] = "part_set"
    name: str
    total: Num
    parts: list                    # [[name, Num], …]
    quote: Quote
    exhaustive: bool = False
    measure: str = "money"         # money | count | score | weight
    section: str = "other"


@dataclass
class Mention(Fact):
    """A named quantity stated somewhere (text, table cell, indicator)."""

    kind: ClassVar[str] = "mention"
    name: str
    num: Num
    quote: Quote
    where: str = "text"            # text | cell | indicator
    owner: str = ""
    is_part: bool = False
    shown: str = ""                # how to print a derived value (76次 = 76% of a target of 100次)


@dataclass
class Execution(Fact):
    """Department-level budget execution stated in the text."""

    kind: ClassVar[str] = "execution"
    name: str
    quote: Quote
    budget: Num | None = None
    executed: Num | None = None
    stated_rate: Num | None = None
    rate_base: str = "budget"


@dataclass
class UnitSlip(Fact):
    """A number whose printed unit contradicts its neighbours."""

    kind: ClassVar[str] = "unit_slip"
    name: str
    num: Num
    quote: Quote
    expected_unit: str
    reason: str
    related: list = field(default_factory=list)


FACT_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (ReportMeta, Amount, LineItem, Project, FundingRow, Indicator, Claim,
                PartSet, Mention, Execution, UnitSlip)
}


@dataclass
class ParsedReport:
    """Everything parsed from one report."""

    text: str
    meta: ReportMeta
    facts: list = field(default_factory=list)
    reading: object = None         # worker.ledger.Reading: tables, ledger facts, statements

    def of(self, cls):
        return [f for f in self.facts if isinstance(f, cls)]

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)


def fact_from_row(kind: str, data: str, text: str | None = None) -> Fact:
    return FACT_TYPES[kind].from_json(data, text)


# -- counts and balance identities (issue 12) ---------------------------------

@dataclass
class CountList(Fact):
    """A stated count of units and the list that names them:
    直属事业单位10个,即A、B、…"""

    kind: ClassVar[str] = "count_list"
    name: str                      # the counted noun as printed (直属事业单位)
    count: Num
    items: list                    # the names listed, in order
    quote: Quote


@dataclass
class CountSum(Fact):
    """A total count and the counts it is made of, stated in one sentence:
    项目共15个,年初批复8个项目,年中增加8个项目."""

    kind: ClassVar[str] = "count_sum"
    name: str                      # the counted noun (项目)
    total: Num
    parts: list                    # [[role word as printed, Num], …]
    quote: Quote


@dataclass
class GrandTotals(Fact):
    """收入总计 and 支出总计 stated in the text: 收、支总计各是A,B万元."""

    kind: ClassVar[str] = "grand_totals"
    name: str                      # the words naming them (收、支总计)
    income: Num
    expense: Num
    quote: Quote


for _cls in (CountList, CountSum, GrandTotals):
    FACT_TYPES[_cls.kind] = _cls
