"""Facts from tables: funding rows, indicators, scores, project forms.

Tables are read by their headers, never by position: a column is a budget
because its header says 年初预算数 / 调整后预算数 / 全年预算数, an actual
because it says 实际完成值. Flattened rows lose the cells of merged columns
on the left, so a short row is aligned to the header from the right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from worker.facts import FundingRow, Indicator, Mention, PartSet, Project, Quote
from worker.numbers import Num
from worker.parse.cellnums import is_cell_number
from worker.parse import formheader, lang
from worker.parse.indicatorcells import make_indicator, quote_row as _quote_row
from worker.parse.tables import Cell, cell_num as _num, Table



def _forms():
    """The self-evaluation forms' header roles and indicator levels (rules/taxonomy/data/forms.toml)."""
    from rules.taxonomy import default

    return default().forms


_WS = re.compile(r"\s+")
_TOTAL_LABEL = re.compile(r"年度资金总额|^合计|^总计|资金总额|^小计")
_NAME_NUMBER = re.compile(r"^指标\s*\d+\s*[::]")
_POINTS = re.compile(r"[((]\s*(?:满分)?\s*(\d+(?:\.\d+)?)\s*分\s*[))]")


@dataclass
class TableFacts:
    facts: list = field(default_factory=list)
    project_names: list = field(default_factory=list)
    text_cells: list = field(default_factory=list)     # (start, end) of free-text answer cells
    ignore: list = field(default_factory=list)         # (start, end) of target cells: not narrative


_ROLE_CACHE: dict[tuple[int, str], str | None] = {}


def _role(key: str, cols) -> str | None:
    """The column role a header cell names (cached: headers repeat)."""
    if key.isascii():          # a number: every role is named in Chinese
        return None
    ck = (id(cols), key)
    if ck not in _ROLE_CACHE:
        if len(_ROLE_CACHE) > 50_000:
            _ROLE_CACHE.clear()
        _ROLE_CACHE[ck] = next((role for role, rx in cols if rx.search(key)), None)
    return _ROLE_CACHE[ck]


def _roles(row: list[Cell], cols, keys: list[str] | None = None) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, key in enumerate(keys if keys is not None else [c.key for c in row]):
        if not key or len(key) > 24:
            continue
        role = _role(key, cols)
        if role is not None and role not in out.values():
            out[i] = role
    return out


def _align(row: list[Cell], width: int, aligned: bool) -> list[Cell | None]:
    """Map a row onto the header's columns (flattened rows lose left cells)."""
    if aligned and len(row) == width:
        return list(row)
    if len(row) >= width:
        return list(row[len(row) - width:])
    return [None] * (width - len(row)) + list(row)


def _fits(row: list[Cell], shift: int, roles: dict[int, str], is_num: list[bool] | None = None) -> int | None:
    """How many figures land in figure columns when row cell j is read under
    header column j + shift; None when the reading is impossible: the label in
    a figure column, or a percentage outside the rate column. `is_num`: whether
    each cell is a number (computed once for all shifts)."""
    has_rate = "rate" in roles.values()
    if is_num is None:
        is_num = [bool(c.text) and is_cell_number(c.text) for c in row]
    placed = 0
    for j, c in enumerate(row):
        col = j + shift
        if not is_num[j]:
            if j == 0 and c.text and col in roles:
                return None
            continue
        if col not in roles:
            if col < 0 or j == 0:
                return None
            continue
        if has_rate and "%" in c.text and roles[col] != "rate":
            return None
        placed += 1
    return placed


def _align_fund(row: list[Cell], header: list[Cell], roles: dict[int, str]) -> list[Cell | None] | None:
    """A funding row placed under its header. Flattened forms lose or add
    cells on the left (a group label such as 项目资金(万元) spanning two
    header cells), so every shift is tried; the row is read only when one
    placement fits best (design.md, "Precision"); otherwise it is skipped."""
    width = len(header)
    while row and not row[-1].text.strip():
        row = row[:-1]
    if not row:
        return None
    scores = {}
    is_num = [bool(c.text) and is_cell_number(c.text) for c in row]
    for shift in range(-3, 4):
        f = _fits(row, shift, roles, is_num)
        if f:
            scores[shift] = f
    if not scores:
        return None
    best = max(scores.values())
    winners = [s for s, f in scores.items() if f == best]
    if 0 in winners:
        shift = 0
    elif len(winners) == 1:
        shift = winners[0]
    else:
        return None
    out: list[Cell | None] = [None] * width
    for j, c in enumerate(row):
        if 0 <= j + shift < width:
            out[j + shift] = c
    return out


def read_tables(text: str, tables: list[Table]) -> TableFacts:
    out = TableFacts()
    for t in tables:
        if t.kind == "flat":
            from worker.parse.formflat import read_flat

            read_flat(text, t, out)
        else:
            _read_rows(text, t, out)
    return out


def _table_unit(text: str, t: Table) -> str:
    if t.unit:
        return t.unit
    head = text[max(0, t.start - 120): t.start] + " ".join(c.text for r in t.rows[:4] for c in r)
    m = re.search(r"单位[::]\s*(万元|元|千元|亿元)|[((](万元|元|千元|亿元)[))]", head)
    if m:
        return m.group(1) or m.group(2)
    return "万元"


def _read_rows(text: str, t: Table, out: TableFacts) -> None:
    owner, owner_kind = "", "department"
    unit = _table_unit(text, t)
    # A table of capped spending (its title, or two of its row labels): spending
    # less is the aim there, not a low execution (budget.capped_spending checks above).
    lines_above = [x for x in text[max(0, t.start - 120):t.start].split("\n") if x.strip()]
    title = " ".join([t.caption or ""] + lines_above[-2:])     # the title may sit over a 单位 line
    capped = bool(lang.CAPPED_SPENDING.search(title)) or \
        sum(bool(lang.CAPPED_SPENDING.search(r[0].text)) for r in t.rows if r) >= 2
    mode = None
    header: list[Cell] = []
    roles: dict[int, str] = {}
    carry = {"l1": "", "l2": ""}
    ind_items: list[Indicator] = []
    fund_rows: list[FundingRow] = []
    total_score = None
    exec_points = None
    upper = None
    forms = _forms()
    for row in t.rows:
        keys = [c.key for c in row]
        joined = "".join(keys)
        # Who the table speaks of.
        for i, k in enumerate(keys):
            if k in ("项目名称", "项目") and i + 1 < len(row) and row[i + 1].text:
                owner, owner_kind = row[i + 1].text.strip(), "project"
                out.project_names.append(owner)
            elif k in ("部门名称", "单位名称", "部门(单位)名称") and i + 1 < len(row) and row[i + 1].text:
                owner, owner_kind = row[i + 1].text.strip(), "department"
        if "部门整体" in joined and len(row) <= 2 and owner_kind == "project":
            owner, owner_kind = "", "department"
        # 自评得分(满分100分) | 93.64 | 预算执行(10分) | 3.64
        if any(k.startswith("自评得分") or k.startswith("总得分") for k in keys):
            for i, k in enumerate(keys):
                if (k.startswith("自评得分") or k.startswith("总得分")) and i + 1 < len(row):
                    total_score = _num(row[i + 1])
                if k.startswith("预算执行") and i + 1 < len(row):
                    pts = _POINTS.search(row[i].text)
                    exec_points = (_points_num(row[i], pts), _num(row[i + 1]), row)
            continue
        froles = _roles(row, forms.funding, keys)
        iroles = _roles(row, forms.indicator, keys)
        if ("name" in iroles.values() or "l1" in iroles.values()) and (
                "target" in iroles.values() or "actual" in iroles.values()):
            mode, header, roles = "ind", row, iroles
            two = formheader.merge(*upper, row, iroles) if upper is not None else None
            if two is not None:
                header, roles = two
            carry = {"l1": "", "l2": ""}
            continue
        # 绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分: the upper row of a two-row header.
        upper = (row, iroles) if {"target", "actual", "score"} <= set(iroles.values()) else None
        if sum(1 for r in froles.values() if r in ("initial", "budget", "executed")) >= 2:
            mode, header, roles = "fund", row, froles
            continue
        if joined in ("年度总体目标预期目标实际完成情况", "年度总体目标预期目标实际完成目标") or (
                len(keys) >= 2 and keys[-1] in ("实际完成情况", "实际完成目标")):
            mode = "goal"
            continue
        if keys and keys[0] in ("总分", "合计分", "总计") and mode == "ind":
            nums = [n for n in (_num(c) for c in row[1:]) if n is not None]
            _score_sets(text, owner, ind_items, fund_rows, nums, row, total_score, exec_points, out)
            mode = None
            continue
        if mode == "fund":
            if not capped:
                _funding_row(text, row, header, roles, owner, owner_kind, unit, out, fund_rows)
        elif mode == "ind":
            ind = _indicator_row(text, row, header, roles, owner, carry, t.aligned)
            if ind is not None:
                out.facts.append(ind)
                ind_items.append(ind)
        elif mode == "goal":
            # The answer cell: what was achieved, in words; the targets are
            # in the cell before it.
            if len(row) >= 2 and len(row[-1].text) > 10:
                out.text_cells.append((row[-1].start, row[-1].end))
            mode = None
    if ind_items and total_score is not None and exec_points is not None:
        _score_sets(text, owner, ind_items, fund_rows, [], None, total_score, exec_points, out)
    if fund_rows and exec_points is not None:
        _execution_points(owner, fund_rows, exec_points, out)


def _points_num(cell: Cell, m: re.Match | None) -> Num | None:
    if not m:
        return None
    return Num(value=float(m.group(1)), unit="分", kind="count", precision=0, raw=m.group(0),
               start=cell.start + m.start(), end=cell.start + m.end())


def _funding_row(text, row, header, roles, owner, owner_kind, unit, out, fund_rows) -> None:
    cells = _align_fund(row, header, roles)
    if cells is None:
        return
    # The row's label: its cells outside the figure columns, less the cells a
    # rowspan repeated from the header (项目资金).
    label_cells = [c for i, c in enumerate(cells) if c is not None and c.text and i not in roles
                   and not is_cell_number(c.text) and c.text not in ("—", "——", "-", "/")
                   and c.key != header[i].key]
    label = _WS.sub("", " ".join(c.text for c in label_cells[:2])) or "合计"
    vals: dict[str, Num | None] = {}
    for i, role in roles.items():
        c = cells[i] if i < len(cells) else None
        if role in ("initial", "adjustment", "budget", "executed"):
            vals[role] = _num(c, unit)
        elif role == "rate":
            n = _num(c)
            if n is not None and not n.unit:
                # A bare number in a rate column: its header says % or not.
                n = Num(value=n.value, unit="", kind="ratio_or_percent", precision=n.precision, raw=n.raw,
                        start=n.start, end=n.end)
            vals[role] = n
        else:
            vals[role] = _num(c)
    if not any(vals.get(k) is not None for k in ("initial", "budget", "executed")):
        return
    is_total = bool(_TOTAL_LABEL.search(label))
    fr = FundingRow(owner=owner or "部门整体", owner_kind=owner_kind if owner else "department", label=label,
                    quote=_quote_row([c for c in row], text), is_total=is_total,
                    initial_budget=vals.get("initial"), adjustment=vals.get("adjustment"),
                    budget=vals.get("budget"), executed=vals.get("executed"),
                    stated_rate=vals.get("rate"), rate_header=header[_col(roles, "rate")].text if _col(roles, "rate") is not None else "",
                    weight=vals.get("weight"), score=vals.get("score"))
    out.facts.append(fr)
    fund_rows.append(fr)
    if is_total and owner_kind == "project" and owner:
        out.facts.append(Project(name=owner, source="table", quote=fr.quote,
                                 initial_budget=fr.initial_budget, budget=fr.budget or fr.initial_budget,
                                 executed=fr.executed, stated_rate=_as_percent(fr.stated_rate, fr.rate_header),
                                 weight=fr.weight, score=fr.score))


def _col(roles: dict[int, str], role: str) -> int | None:
    for i, r in roles.items():
        if r == role:
            return i
    return None


def _as_percent(n: Num | None, header: str) -> Num | None:
    if n is None:
        return None
    if n.kind == "ratio_or_percent":
        return Num(value=n.value, unit="%", kind="percent", precision=n.precision, raw=n.raw,
                   start=n.start, end=n.end)
    return n


def _indicator_row(text, row, header, roles, owner, carry, aligned) -> Indicator | None:
    if "op" in roles.values():
        cells = formheader.place(row, len(header), roles)
        if cells is None:
            return None
    else:
        cells = _align(row, len(header), aligned)
    get = {}
    for i, role in roles.items():
        get[role] = cells[i] if i < len(cells) else None
    for lvl in ("l1", "l2"):
        c = get.get(lvl)
        if c is not None and c.text:
            carry[lvl] = _WS.sub("", c.text)
            if lvl == "l1":
                carry["l2"] = carry["l2"] if get.get("l2") is not None else ""
    name_c = get.get("name")
    if name_c is None or not name_c.text:
        return None
    name = _NAME_NUMBER.sub("", _WS.sub("", name_c.text))
    target_c, actual_c = get.get("target"), get.get("actual")
    if "op" in get:
        target_c = formheader.target_cell(get.get("op"), target_c, get.get("unit"))
    return make_indicator(owner, carry["l1"], carry["l2"], name, target_c, actual_c,
                          _num(get.get("weight")), _num(get.get("score")),
                          get["note"].text if get.get("note") is not None else "",
                          [c for c in row if c is not None], text)


def _score_sets(text, owner, items, fund_rows, total_nums, total_row, total_score, exec_points, out) -> None:
    """Scores and weights of an evaluation table add up to its 总分."""
    scores = [(i.name, i.score) for i in items if i.score is not None]
    weights = [(i.name, i.weight) for i in items if i.weight is not None]
    fund_total = next((f for f in fund_rows if f.is_total), None)
    if fund_total is not None and fund_total.score is not None:
        scores.insert(0, ("预算执行", fund_total.score))
    if fund_total is not None and fund_total.weight is not None:
        weights.insert(0, ("预算执行", fund_total.weight))
    if exec_points is not None:
        pts, got, _row = exec_points
        if got is not None:
            scores.insert(0, ("预算执行", got))
        if pts is not None:
            weights.insert(0, ("预算执行", pts))
    quote = _quote_row(total_row, text) if total_row else (
        Quote(f"自评得分 {total_score.raw}", total_score.start, total_score.end) if total_score else None)
    if quote is None:
        return
    if total_row is not None and len(total_nums) >= 2:
        w_total, s_total = total_nums[0], total_nums[1]
        if len(weights) >= 2:
            out.facts.append(PartSet(name=f"{owner}指标分值", total=w_total, parts=[[n, v] for n, v in weights],
                                     quote=quote, exhaustive=True, measure="weight", section="score"))
        if len(scores) >= 2:
            out.facts.append(PartSet(name=f"{owner}得分", total=s_total, parts=[[n, v] for n, v in scores],
                                     quote=quote, exhaustive=True, measure="score", section="score"))
    elif total_score is not None and len(scores) >= 2 and total_row is None:
        out.facts.append(PartSet(name=f"{owner}自评得分", total=total_score, parts=[[n, v] for n, v in scores],
                                 quote=quote, exhaustive=True, measure="score", section="score"))


def _execution_points(owner, fund_rows, exec_points, out) -> None:
    pts, got, row = exec_points
    total = next((f for f in fund_rows if f.is_total), None)
    if total is None or pts is None or got is None:
        return
    total.weight = total.weight or pts
    total.score = total.score or got


def form_projects(text: str, covered: list[tuple[int, int]]) -> TableFacts:
    """Forms laid out without table markup (worker/parse/formflat.py, formstream.py)."""
    from worker.parse.formflat import form_projects as read

    return read(text, covered)


def cell_mentions(indicators: list[Indicator]) -> list[Mention]:
    """Indicator actuals as named quantities (for text/table comparisons)."""
    out: list[Mention] = []
    for ind in indicators:
        a = ind.actual
        if a is None:
            continue
        if ind.actual_is_share and ind.target is not None:
            # 76% of a target of 100次 is 76次.
            value = ind.target.value * a.value / 100.0
            shown = f"{value:.{max(a.precision, 0) + 2}f}".rstrip("0").rstrip(".") + ind.target.unit
            shown += f"(目标{ind.target.raw}的{a.raw})"
            a = Num(value=value, unit=ind.target.unit, kind=ind.target.kind, precision=max(a.precision, 0),
                    raw=a.raw, start=a.start, end=a.end, scale=ind.target.scale)
        elif a.kind not in ("count", "percent"):
            continue
        else:
            shown = ""
        out.append(Mention(name=ind.name, num=a, quote=ind.quote, where="indicator", owner=ind.owner, shown=shown))
    return out
