"""Indicator headers printed on two rows.

Some self-evaluation forms split 年度指标值 into three sub-columns printed on
the row below: 指标性质 (the comparator: ＝ ≥ ≤), 指标值 (the figure) and
度量单位 (its unit), beside 一级 / 二级 / 三级指标:

    绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位
    产出指标 | 数量指标 | 补助经费 | ＝ | 72890 | 元 | 72890 | 10 | 9

The two rows make one header: the lower row's columns, then the upper
row's columns after 年度指标值. Rows lose their merged left cells
(一级指标 printed once for several rows), so a row is placed by its
comparator cell, which stands under 指标性质.
"""
from __future__ import annotations

import re

from worker.parse.tables import Cell

_OP_HEAD = re.compile(r"^(?:指标性质|比较符|符号)$")
_UNIT_HEAD = re.compile(r"^(?:度量单位|计量单位|单位)$")
_OPS = {"﹦": "=", "＝": "=", "=": "=", "≥": "≥", "≤": "≤", ">": ">", "<": "<", "＞": ">", "＜": "<",
        ">=": "≥", "<=": "≤", "≧": "≥", "≦": "≤"}


def _trim(row: list[Cell]) -> list[Cell]:
    while row and not row[-1].text.strip():
        row = row[:-1]
    return row


def merge(upper: list[Cell], upper_roles: dict[int, str], lower: list[Cell],
          lower_roles: dict[int, str]) -> tuple[list[Cell], dict[int, str]] | None:
    """One header from the two rows; None when the rows are not this layout."""
    lower = _trim(lower)
    tcol = next((i for i, r in upper_roles.items() if r == "target"), None)
    if tcol is None or not any(_OP_HEAD.match(c.key) for c in lower):
        return None
    if "actual" in lower_roles.values() or "target" not in lower_roles.values():
        return None
    rest = [(c, upper_roles.get(i)) for i, c in enumerate(_trim(upper)) if i > tcol]
    header = list(lower) + [c for c, _ in rest]
    roles = dict(lower_roles)
    for i, c in enumerate(lower):
        if _OP_HEAD.match(c.key):
            roles[i] = "op"
        elif _UNIT_HEAD.match(c.key):
            roles[i] = "unit"
    for k, (_c, role) in enumerate(rest):
        if role is not None and role not in roles.values():
            roles[len(lower) + k] = role
    if not {"actual", "weight", "score"} <= set(roles.values()):
        return None
    return header, roles


def op_of(text: str) -> str | None:
    return _OPS.get("".join(text.split()))


def place(row: list[Cell], width: int, roles: dict[int, str]) -> list[Cell | None] | None:
    """The row under the header, its comparator cell under 指标性质; None
    when the row has no single comparator cell or does not fit."""
    opcol = next(i for i, r in roles.items() if r == "op")
    row = _trim(row)
    hits = [j for j, c in enumerate(row) if op_of(c.text)]
    if len(hits) != 1:
        return None
    shift = opcol - hits[0]
    if shift < 0 or len(row) + shift > width:
        return None
    return [None] * shift + list(row) + [None] * (width - len(row) - shift)


def target_cell(op: Cell | None, value: Cell | None, unit: Cell | None) -> Cell | None:
    """指标性质, 指标值 and 度量单位 as one target cell (≥95%), the figure
    keeping its offsets in the report."""
    if value is None or not value.text.strip():
        return None
    sign = op_of(op.text) if op is not None else ""
    u = unit.text.strip() if unit is not None else ""
    text = f"{sign or ''}{value.text.strip()}{u}"
    lead = len(sign or "")
    start = value.start + (len(value.text) - len(value.text.lstrip())) - lead
    return Cell(text, start, start + len(text))
