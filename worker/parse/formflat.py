"""Forms laid out one cell a line: indicator blocks rebuilt from the level
vocabulary, and key/value project forms (项目名称 / 预算数: / 执行数:)."""
from __future__ import annotations

import re

from worker.facts import Project, Quote
from worker.parse.indicatorcells import make_indicator
from worker.parse.tablefacts import TableFacts, _forms, _num
from worker.parse.tables import Cell, Table


def read_flat(text: str, t: Table, out: TableFacts) -> None:
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
    # Forms whose cells run together with no separator at all.
    from worker.parse.formrun import read_runs

    run_facts, run_names = read_runs(text)
    out.facts += run_facts
    out.project_names += [n for n in run_names if n not in out.project_names]
    return out


def _cell_at(text: str, s: int, e: int) -> Cell:
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    return Cell(raw.strip(), s + lead, s + lead + len(raw.strip()))


