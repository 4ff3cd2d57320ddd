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
from worker.numbers import Num, find_numbers, parse_cell_number
from worker.parse import formheader, lang
from worker.parse.tables import Cell, Table



def _forms():
    """The self-evaluation forms' header roles and indicator levels (rules/taxonomy/data/forms.toml)."""
    from rules.taxonomy import default

    return default().forms


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


def _roles(row: list[Cell], cols) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, c in enumerate(row):
        key = c.key
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


def _fits(row: list[Cell], shift: int, roles: dict[int, str]) -> int | None:
    """How many figures land in figure columns when row cell j is read under
    header column j + shift; None when the reading is impossible: the label in
    a figure column, or a percentage outside the rate column."""
    has_rate = "rate" in roles.values()
    placed = 0
    for j, c in enumerate(row):
        col = j + shift
        num = parse_cell_number(c.text) if c.text else None
        if j == 0 and num is None and c.text and col in roles:
            return None
        if num is None:
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
    for shift in range(-3, 4):
        f = _fits(row, shift, roles)
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


def _num(cell: Cell | None, unit: str = "") -> Num | None:
    if cell is None:
        return None
    n = parse_cell_number(cell.text, cell.start)
    if n is None:
        return None
    return n.with_unit(unit) if unit else n


def read_tables(text: str, tables: list[Table]) -> TableFacts:
    out = TableFacts()
    for t in tables:
        if t.kind == "flat":
            _read_flat(text, t, out)
        else:
            _read_rows(text, t, out)
    return out


def _quote_row(row: list[Cell], text: str = "") -> Quote:
    """A row as its cells joined by " | "; offsets span the row in the text.
    Cells repeated from rows above (rowspan) do not move the row's start."""
    cells = [c for c in row if c is not None]
    last = cells[-1]
    line_start = text.rfind("\n", 0, last.start) + 1 if text else 0
    own = [c for c in cells if c.start >= line_start or not text] if "|" in text[line_start:last.start + 1] else cells
    own = own or cells
    s, e = min(c.start for c in own), max(c.end for c in own)
    return Quote(" | ".join(c.text for c in cells), s, e)


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
    mode = None
    header: list[Cell] = []
    roles: dict[int, str] = {}
    carry = {"l1": "", "l2": ""}
    ind_items: list[Indicator] = []
    fund_rows: list[FundingRow] = []
    total_score = None
    exec_points = None
    upper = None
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
        froles = _roles(row, _forms().funding)
        iroles = _roles(row, _forms().indicator)
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
                   and parse_cell_number(c.text) is None and c.text not in ("—", "——", "-", "/")
                   and c.key != header[i].key]
    label = re.sub(r"\s+", "", " ".join(c.text for c in label_cells[:2])) or "合计"
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
    is_total = bool(re.search(r"年度资金总额|^合计|^总计|资金总额|^小计", label))
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


def read_target(raw: str) -> tuple[str, Num | None, Num | None, str, str]:
    """Target cell → (comparator, value, upper bound, kind, name prefix)."""
    t = re.sub(r"\s+", "", raw)
    if not t or t in ("—", "——", "-", "/", "无"):
        return "", None, None, "text", ""
    grade = _grade_in(t)
    if grade is not None and not re.search(r"\d", t):
        return (">=" if re.search(r"以上|及以上|不低于", t) else "="), None, None, "grade", ""
    m = re.match(r"^(?P<a>\d+(?:\.\d+)?)(?P<ua>%|百分比)?[-~至到](?P<b>\d+(?:\.\d+)?)(?P<ub>%|百分比)?$", t)
    if m:
        lo = parse_cell_number(m.group("a") + (m.group("ua") or m.group("ub") or ""))
        hi = parse_cell_number(m.group("b") + (m.group("ub") or m.group("ua") or ""))
        return "range", lo, hi, "number", ""
    prefix = ""
    m = re.search(r"(≥|≤|>=|<=|=>|=<|>|<|=|大于等于|小于等于|不小于|不低于|不少于|不大于|不高于|不超过|大于|小于|高于|低于|等于)", t)
    if m and m.start() > 0 and not re.search(r"\d", t[:m.start()]):
        prefix, t = t[:m.start()], t[m.start():]
    op, rest = lang.split_comparator(t)
    rest = re.sub(r"^[::]", "", rest)
    if re.fullmatch(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:止|前|底|内|以前)?", rest) or re.fullmatch(
            r"\d{1,2}月(?:\d{1,2}日)?(?:止|前|底)?", rest):
        return op, None, None, "date", prefix
    n = parse_cell_number(rest)
    if n is None:
        m2 = re.match(r"^(\d+(?:\.\d+)?(?:万|亿)?余?(?:%|百分比|[\u4e00-\u9fff/]{1,4})?)(?:[((].*)?$", rest)
        if m2:
            n = parse_cell_number(m2.group(1))
    if n is None:
        return op, None, None, "text", prefix
    if n.kind == "date":
        return op, None, None, "date", prefix
    if n.approx and not op:
        op = ">="
    return op, n, None, "number", prefix


def _place(n: Num | None, cell: Cell) -> Num | None:
    """Give a number read from a cleaned cell its offsets in the report text."""
    if n is None:
        return None
    digits = re.match(r"[-+]?[\d,.]+", n.raw)
    probe = digits.group(0) if digits else n.raw
    idx = cell.text.find(probe)
    if idx < 0:
        return n
    lead = 0
    raw = n.raw
    if not cell.text.startswith(raw, idx):
        raw = probe
    return Num(value=n.value, unit=n.unit, kind=n.kind, precision=n.precision, raw=raw, start=cell.start + idx + lead,
               end=cell.start + idx + len(raw), scale=n.scale, approx=n.approx)


def read_actual(raw: str, start: int) -> Num | None:
    t = raw.strip()
    if not t:
        return None
    m = re.match(r"^(?:实际|完成|达到|共|累计)?\s*", t)
    lead = m.end() if m else 0
    nums = find_numbers(t[lead:], start + (len(raw) - len(raw.lstrip())) + lead)
    if not nums:
        return None
    n = nums[0]
    if n.start - start - (len(raw) - len(raw.lstrip())) - lead > 0:
        return None          # a number further into a sentence is not "the" actual
    if n.kind == "date":
        return None
    return n


_RATE_NAME = re.compile(r"(?:率|满意度)$")


def _as_pct(n: Num) -> Num:
    return Num(value=n.value, unit="%", kind="percent", precision=n.precision, raw=n.raw, start=n.start,
               end=n.end)


def _grade_in(t: str) -> int | None:
    for word in sorted(lang.GRADES, key=len, reverse=True):
        if word in t:
            return lang.GRADES[word]
    return None


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
            carry[lvl] = re.sub(r"\s+", "", c.text)
            if lvl == "l1":
                carry["l2"] = carry["l2"] if get.get("l2") is not None else ""
    name_c = get.get("name")
    if name_c is None or not name_c.text:
        return None
    name = re.sub(r"^指标\s*\d+\s*[::]", "", re.sub(r"\s+", "", name_c.text))
    target_c, actual_c = get.get("target"), get.get("actual")
    if "op" in get:
        target_c = formheader.target_cell(get.get("op"), target_c, get.get("unit"))
    return make_indicator(owner, carry["l1"], carry["l2"], name, target_c, actual_c,
                          _num(get.get("weight")), _num(get.get("score")),
                          get["note"].text if get.get("note") is not None else "",
                          [c for c in row if c is not None], text)


def make_indicator(owner, l1, l2, name, target_c, actual_c, weight, score, note, row_cells, text="") -> Indicator:
    target_raw = target_c.text if target_c is not None else ""
    actual_raw = actual_c.text if actual_c is not None else ""
    op, target, high, tkind, _prefix = read_target(target_raw)
    if target_c is not None:
        target = _place(target, target_c)
        high = _place(high, target_c)
    if tkind == "number" and target is not None and not target.unit and target.kind != "percent" \
            and _RATE_NAME.search(name):
        # A rate's bare figure (工程完工率 | 100) is a percentage.
        target = _as_pct(target)
        high = _as_pct(high) if high is not None else None
    implied = False
    if tkind == "number" and not op:
        implied = True
        op = "<=" if (lang.LOWER_IS_BETTER.search(name) or "成本" in l2 or "成本" in l1) else ">="
    actual = read_actual(actual_raw, actual_c.start) if actual_c is not None else None
    share = False
    if actual is not None and target is not None:
        if actual.kind == "percent" and target.kind not in ("percent",) and target.unit not in ("%", "百分比"):
            share = True
        elif not actual.unit and target.kind == "percent":
            actual = Num(value=actual.value, unit="", kind="percent", precision=actual.precision,
                         raw=actual.raw, start=actual.start, end=actual.end)
        elif not actual.unit and target.unit:
            actual = Num(value=actual.value * target.scale, unit="", kind=target.kind,
                         precision=actual.precision, raw=actual.raw, start=actual.start, end=actual.end,
                         scale=target.scale)
    elif actual is not None and target is None and tkind in ("text", "date", "grade"):
        pass
    if tkind == "grade":
        op = ">=" if re.search(r"以上|不低于", target_raw) else "="
    return Indicator(owner=owner or "部门整体", name=name, quote=_quote_row(row_cells, text), level1=l1, level2=l2,
                     target_raw=target_raw, comparator=op, target=target, target_high=high,
                     target_kind=tkind, actual_raw=actual_raw, actual=actual, actual_is_share=share,
                     weight=weight, score=score, note=note, comparator_implied=implied)


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


# ---------------------------------------------------------------------------
# One-cell-a-line blocks: indicators rebuilt from the level vocabulary.

def _read_flat(text: str, t: Table, out: TableFacts) -> None:
    header = [c.key for c in t.rows[0]]
    has_target = any(re.search(r"指标值|目标值", h) for h in header)
    has_actual = any(re.search(r"实际", h) for h in header)
    if not (has_target and has_actual):
        # A header broken over cells (年度 / 指标值): read the block as a run of cells.
        from worker.parse.formstream import read_region

        read_region(text, t.start, t.end, out)
        return
    owner = _flat_owner(text, t.start)
    cells = _join_wrapped(t.flat)
    l1 = l2 = ""
    i = 0
    while i < len(cells):
        k = cells[i].key
        nxt = cells[i + 1].key if i + 1 < len(cells) else ""
        if k in _forms().level1 and (k not in _forms().level2 or not l1 or nxt in _forms().level2):
            l1, l2 = k, ""
            i += 1
            continue
        if k in _forms().level2:
            l2 = k
            i += 1
            continue
        if i + 2 >= len(cells):
            break
        name_c, target_c, actual_c = cells[i], cells[i + 1], cells[i + 2]
        ind = make_indicator(owner, l1, l2, re.sub(r"\s+", "", name_c.text), target_c, actual_c,
                             None, None, "", [name_c, target_c, actual_c], text)
        out.facts.append(ind)
        i += 3


def _join_wrapped(cells: list[Cell]) -> list[Cell]:
    """社会效益 / 指标 and 服务对象 / 满意度指标: labels broken over two lines."""
    out: list[Cell] = []
    i = 0
    while i < len(cells):
        c = cells[i]
        if i + 1 < len(cells):
            joined = c.key + cells[i + 1].key
            nxt = cells[i + 1].key
            if len(joined) <= 12 and c.key not in _forms().level1 and (
                    nxt == "指标" or (nxt == "满意度指标" and c.key not in _forms().level2)
                    or ((joined in _forms().level1 or joined in _forms().level2) and c.key not in _forms().level2)):
                out.append(Cell(joined, c.start, cells[i + 1].end))
                i += 2
                continue
        out.append(c)
        i += 1
    return out


def _flat_owner(text: str, pos: int) -> str:
    """The 项目名称 of the form a flat block belongs to."""
    window = text[max(0, pos - 4000): pos]
    idx = window.rfind("项目名称")
    if idx < 0:
        return ""
    after = window[idx + 4: idx + 200].strip().split("\n")
    for line in after:
        line = line.strip(" |:")
        if line:
            return line
    return ""


def form_projects(text: str, covered: list[tuple[int, int]]) -> TableFacts:
    """Key/value project forms laid out one cell a line (项目名称 / 预算数: / 执行数:)."""
    out = TableFacts()
    for m in re.finditer(r"(?m)^\s*项目名称\s*$", text):
        tail = text[m.end(): m.end() + 1500]
        lines = [(m.end() + mm.start(), m.end() + mm.end()) for mm in re.finditer(r"[^\n]+", tail)]
        lines = [(s, e) for s, e in lines if text[s:e].strip()]
        if not lines:
            continue
        name = text[lines[0][0]:lines[0][1]].strip()
        budget = executed = None
        quote_s, quote_e = m.start(), lines[0][1]
        for k, (s, e) in enumerate(lines[1:40], start=1):
            key = re.sub(r"\s+", "", text[s:e])
            if key in ("绩效指标完成情况", "一级指标") or key.startswith("年度目标完成情况"):
                break
            if k + 1 < len(lines):
                vs, ve = lines[k + 1]
                if re.match(r"^(?:全年)?预算数[::]?$", key) and budget is None:
                    budget = _num(_cell_at(text, vs, ve), "万元")
                    quote_e = ve
                elif re.match(r"^(?:全年)?执行数[::]?$|^实际支出[::]?$", key) and executed is None:
                    executed = _num(_cell_at(text, vs, ve), "万元")
                    quote_e = ve
        if name and (budget is not None or executed is not None):
            out.project_names.append(name)
            q = Quote(re.sub(r"\n\s*\n", "\n", text[quote_s:quote_e]).strip(), quote_s, quote_e)
            out.facts.append(Project(name=name, source="table", quote=q, budget=budget, executed=executed))
            # The answer cell of the form: 实际完成目标.
            ans = re.search(r"实际完成目标\s*\n", text[quote_e: quote_e + 3000])
            if ans:
                a0 = quote_e + ans.end()
                seg = text[a0: a0 + 3000]
                lines2 = [x for x in re.finditer(r"[^\n]+", seg) if x.group().strip()]
                if len(lines2) >= 2:
                    # The first non-empty line is the target text, the second the answer.
                    out.ignore.append((a0 + lines2[0].start(), a0 + lines2[0].end()))
                    out.text_cells.append((a0 + lines2[1].start(), a0 + lines2[1].end()))
    # Forms whose cells run on without markup (one a line, or space-separated).
    from worker.parse.formstream import read_streams

    streams = read_streams(text, covered)
    out.facts += streams.facts
    out.project_names += [n for n in streams.project_names if n not in out.project_names]
    return out


def _cell_at(text: str, s: int, e: int) -> Cell:
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    return Cell(raw.strip(), s + lead, s + lead + len(raw.strip()))


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
