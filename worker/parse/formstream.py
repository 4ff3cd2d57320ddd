"""Self-evaluation forms flattened into a run of cells.

Some portals strip a 绩效自评表's markup and leave its cells one a line or
all on one line separated by spaces. Empty cells are lost, so the form is
read by its grammar rather than by position:

* the funding block: a header naming its columns (年初预算数 全年预算数
  全年执行数 分值 执行率 得分; header words may be broken over two cells,
  年初 / 预算数), then rows, each a label (年度资金总额, 其中:本年财政拨款,
  上年结转资金 …) followed by its figures;
* the indicator block: 一级 / 二级 / 三级指标 年度指标值 实际完成值 分值 得分
  偏差原因, then rows: level words, an indicator's name, its target, its
  actual value, its weight and its score.

A row is read only when its cells fit the header in one way (design.md,
"Precision"); the rest are skipped.
"""
from __future__ import annotations

import re

from worker.facts import FundingRow, Project, Quote
from worker.numbers import Num
from worker.parse.cellnums import is_cell_number
from worker.parse.tables import Cell, cell_num as _num

MONEY = ("initial", "adjustment", "budget", "executed")
# A funding row's label: 年度资金总额, 其中:当年财政拨款, 上年结转资金, 其他资金, 合计 ….
_ROW_LABEL = re.compile(r"^(?:其中[::]?)?[\u4e00-\u9fff]{0,10}(?:资金总额|资金|拨款|合计|总计|小计)[::]?$")
_PREFIX = re.compile(r"^其中[::]?$")
_BLANK = ("-", "—", "——", "/", "--", "/")
_NOISE = re.compile(r"^[((](?:万元|元|[A-Za-z/]{1,5})[))]$")     # (万元) (A) (B/A) under a header word
_STOP_OWNER = re.compile(r"^(?:主管部门|实施单位|项目负责人|预算单位|项目资金|资金情况|项目单位)")


def _forms():
    from rules.taxonomy import default

    return default().forms


def _role(key: str, cols) -> str | None:
    if not key or key.isascii() or len(key) > 24:
        return None
    return next((role for role, rx in cols if rx.search(key)), None)


def tokens(text: str, start: int, end: int) -> list[Cell]:
    """The cells of a stretch of text: runs of non-space characters."""
    return [Cell(m.group(), start + m.start(), start + m.end())
            for m in re.finditer(r"[^\s\u3000]+", text[start:end])]


def read_header(toks: list[Cell], i: int, cols) -> tuple[list[str], list[Cell], int]:
    """The column roles named from token i on (a header word may be split
    over up to three tokens: 年初 / 预算数), the cells naming them, and where
    the header ends."""
    roles: list[str] = []
    cells: list[Cell] = []
    while i < len(toks):
        if _NOISE.match(toks[i].text):
            i += 1
            continue
        n, role = _header_word(toks, i, cols)
        if role is None:
            break
        part = toks[i:i + n]
        if role in roles:
            break
        roles.append(role)
        cells.append(Cell("".join(c.text for c in part), part[0].start, part[-1].end))
        i += n
    return roles, cells, i


def _header_word(toks: list[Cell], i: int, cols) -> tuple[int, str | None]:
    """How many tokens from i form one header word, and its role: 年初 / 预算数
    is one word; so is 实际 / 完成值, whose halves would name the same role
    twice; 分值 / 得分 are two."""
    first = _role(toks[i].text, cols)
    nxt = _role(toks[i + 1].text, cols) if i + 1 < len(toks) else None
    if first is not None:
        return (2, first) if nxt == first else (1, first)
    for n in (2, 3):
        if i + n <= len(toks):
            role = _role("".join(c.text for c in toks[i:i + n]), cols)
            if role is not None:
                return n, role
    return 1, None


def _is_funding_header(roles: list[str]) -> bool:
    # The self-evaluation form's, not a 决算 table's: money columns and one of
    # the form's own columns (分值, 执行率, 得分).
    return ("budget" in roles or "initial" in roles) and "executed" in roles and bool(
        {"weight", "rate", "score"} & set(roles))


def place(roles: list[str], cells: list[Cell]) -> dict[str, Cell] | None:
    """A row's figures under the header: all columns, or the money columns
    alone (the component rows of the template leave 分值/执行率/得分 empty),
    or the money columns and a percentage under 执行率. None: no single
    reading fits."""
    money = [r for r in roles if r in MONEY]
    if len(cells) == len(roles):
        placed = dict(zip(roles, cells))
    elif len(cells) == len(money) and roles[:len(money)] == money:
        placed = dict(zip(money, cells))
    elif (len(cells) == len(money) + 1 and "rate" in roles and "%" in cells[-1].text
          and roles[:len(money)] == money):
        placed = dict(zip(money + ["rate"], cells))
    else:
        return None
    # A percentage anywhere but the rate column is a misreading.
    if any("%" in c.text and r != "rate" for r, c in placed.items()):
        return None
    return {r: c for r, c in placed.items() if c.text not in _BLANK}


def _owner(text: str, pos: int) -> tuple[str, str]:
    """The form's 项目名称 (a project form) or none (the department's)."""
    window_start = max(0, pos - 800)
    idx = text.rfind("项目名称", window_start, pos)
    if idx < 0:
        return "", "department"
    name = []
    for c in tokens(text, idx + 4, pos):
        if _STOP_OWNER.match(c.text) or len(name) >= 4:
            break
        name.append(c.text.strip("::"))
    owner = "".join(name)
    return (owner, "project") if owner else ("", "department")


def _rate(cell: Cell | None) -> Num | None:
    n = _num(cell)
    if n is not None and not n.unit:
        # A bare number under 执行率: a percentage or a ratio, as the figures say.
        n = Num(value=n.value, unit="", kind="ratio_or_percent", precision=n.precision, raw=n.raw,
                start=n.start, end=n.end)
    return n


def _unit(text: str, pos: int) -> str:
    m = re.search(r"[((](万元|元)[))]|单位[::]\s*(万元|元)", text[max(0, pos - 60): pos + 40])
    return (m.group(1) or m.group(2)) if m else "万元"


def funding_rows(text: str, toks: list[Cell], i: int, roles: list[str], owner: str, owner_kind: str,
                 unit: str) -> tuple[list, int]:
    """The funding rows after a header: label, then figures; the block ends
    at the first cell that is neither."""
    facts: list = []
    label: list[Cell] = []
    figures: list[Cell] = []

    def flush() -> None:
        if label and figures:
            facts.extend(_funding_fact(text, label, figures, roles, owner, owner_kind, unit))

    while i < len(toks):
        c = toks[i]
        if is_cell_number(c.text) or (c.text in _BLANK and label):
            if not label:
                break
            figures.append(c)
        elif _PREFIX.match(c.text) and i + 1 < len(toks) and _ROW_LABEL.match(toks[i + 1].text):
            flush()
            label, figures = [c, toks[i + 1]], []
            i += 1
        elif _ROW_LABEL.match(c.text):
            flush()
            label, figures = [c], []
        else:
            break
        i += 1
    flush()
    return facts, i


def _funding_fact(text, label, figures, roles, owner, owner_kind, unit) -> list:
    placed = place(roles, figures)
    if placed is None:
        return []
    name = "".join(c.text for c in label).rstrip("::")
    vals: dict[str, Num | None] = {}
    for role, c in placed.items():
        vals[role] = _num(c, unit) if role in MONEY else _rate(c) if role == "rate" else _num(c)
    if not any(vals.get(k) is not None for k in ("initial", "budget", "executed")):
        return []
    cells = label + figures
    quote = Quote(" | ".join(c.text for c in cells), cells[0].start, cells[-1].end)
    is_total = bool(re.search(r"资金总额|^合计|^总计|^小计", name))
    fr = FundingRow(owner=owner or "部门整体", owner_kind=owner_kind, label=name, quote=quote, is_total=is_total,
                    initial_budget=vals.get("initial"), adjustment=vals.get("adjustment"), budget=vals.get("budget"),
                    executed=vals.get("executed"), stated_rate=vals.get("rate"),
                    rate_header="执行率" if "rate" in roles else "", weight=vals.get("weight"), score=vals.get("score"))
    out: list = [fr]
    if is_total and owner_kind == "project" and owner:
        rate = fr.stated_rate
        if rate is not None and rate.kind == "ratio_or_percent" and rate.value > 1.5:
            rate = Num(value=rate.value, unit="%", kind="percent", precision=rate.precision, raw=rate.raw,
                       start=rate.start, end=rate.end)
        out.append(Project(name=owner, source="table", quote=quote, initial_budget=fr.initial_budget,
                           budget=fr.budget or fr.initial_budget, executed=fr.executed, stated_rate=rate,
                           weight=fr.weight, score=fr.score))
    return out


def read_streams(text: str, covered: list[tuple[int, int]]):
    """Funding blocks and indicators of forms flattened into runs of cells,
    outside the tables already read."""
    from worker.parse.tablefacts import TableFacts

    out = TableFacts()
    pos = 0
    for s, e in sorted(covered) + [(len(text), len(text))]:
        if s > pos and "执行" in text[pos:s]:
            read_region(text, pos, s, out)
        pos = max(pos, e)
    return out


def read_region(text: str, start: int, end: int, out) -> None:
    """The funding and indicator blocks in text[start:end], read as a run of cells."""
    from worker.parse.formindicators import indicator_rows

    toks = tokens(text, start, end)
    fcols, icols = _forms().funding, _forms().indicator
    i = 0
    while i < len(toks):
        if _role(toks[i].text, fcols) is None and _role(toks[i].text + (toks[i + 1].text if i + 1 < len(toks) else ""),
                                                        fcols) is None:
            if _role(toks[i].text, icols) == "l1":
                roles, _cells, j = read_header(toks, i, icols)
                if "name" in roles and "target" in roles and "actual" in roles:
                    owner, _kind = _owner(text, toks[i].start)
                    facts, j = indicator_rows(text, toks, j, roles, owner)
                    out.facts.extend(facts)
                    i = max(j, i + 1)
                    continue
            i += 1
            continue
        roles, _cells, j = read_header(toks, i, fcols)
        if len(roles) >= 3 and _is_funding_header(roles):
            owner, kind = _owner(text, toks[i].start)
            facts, j = funding_rows(text, toks, j, roles, owner, kind, _unit(text, toks[i].start))
            out.facts.extend(facts)
            out.project_names += [owner] if owner and facts else []
        i = max(j, i + 1)
