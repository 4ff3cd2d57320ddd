"""Document blocks and narrative slots (the figures and words an error can
be injected into), and the formatting of figures in the narrative."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .grid import LTable, money


@dataclass(eq=False)
class Slot:
    """A replaceable piece of narrative text."""
    id: str
    kind: str                    # money | pct | word | reason | count | dept | year | text
    text: str
    value: float | int | None = None
    key: str = ""                # fact key (money): the table cells showing the same fact
    role: str = ""
    ctx: dict = field(default_factory=dict)
    true_text: str | None = None


def render(tokens) -> str:
    return "".join(t.text if isinstance(t, Slot) else t for t in tokens)


@dataclass(eq=False)
class Block:
    kind: str                    # cover | toc | heading | para | table | pagebreak
    tokens: list = field(default_factory=list)
    level: int = 0
    table: LTable | None = None
    lines: list = field(default_factory=list)   # cover / toc: list of token lists
    id: str = ""
    section: str = ""
    spaced: bool = False         # letter-spaced heading (PDF)
    dropped: bool = False        # a table left out (disclosure error)

    @property
    def text(self) -> str:
        return render(self.tokens)


def pct_value(num: int, den: int) -> Decimal:
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Writer:
    """Makes slots with unique ids and the report's narrative number style."""

    def __init__(self, rng: random.Random, variant: dict):
        self.rng = rng
        self.v = variant
        self.n = 0
        self.slots: list[Slot] = []

    def _new(self, kind, text, **kw) -> Slot:
        self.n += 1
        s = Slot(f"s{self.n}", kind, text, **kw)
        self.slots.append(s)
        return s

    def money_text(self, v: int) -> str:
        s = money(v, self.v.get("text_thousands", False))
        if self.rng.random() < self.v.get("strip_zeros", 0.0):
            s = s.rstrip("0").rstrip(".") if "." in s else s
        return s

    def m(self, v: int, key: str = "", role: str = "", **ctx) -> Slot:
        return self._new("money", self.money_text(v), value=v, key=key, role=role, ctx=ctx)

    def pct(self, num: int, den: int, role: str, alts=(), **ctx) -> Slot:
        p = pct_value(num, den)
        ctx.update(num=num, den=den, alts=[float(a) for a in alts])
        return self._new("pct", f"{p:.2f}", value=float(p), role=role, ctx=ctx)

    def word(self, correct: str, alt: str, role: str, **ctx) -> Slot:
        ctx.update(alt=alt)
        return self._new("word", correct, role=role, ctx=ctx)

    def reason(self, text: str) -> Slot:
        return self._new("reason", text, role="reason")

    def count(self, n: int, role: str = "count") -> Slot:
        return self._new("count", str(n), value=n, role=role)

    def dept(self, name: str) -> Slot:
        return self._new("dept", name, role="name")

    def year(self, y: int) -> Slot:
        return self._new("year", str(y), value=y, role="year")

    def growth(self, label: str, cur: int, prev: int, reasons: tuple[list, list] | None = None,
               key: str = "", cur_slot: Slot | None = None) -> list:
        """'…增加X万元，增长Y%' tokens (or 持平). The pct is change over the prior year."""
        d = cur - prev
        if d == 0:
            return [f"{label}持平"]
        up = d > 0
        amt = self.m(abs(d), key="", role="growth_amount")
        w1 = self.word("增加" if up else "减少", "减少" if up else "增加", "dir_amount", up=up)
        toks = [label, w1, amt, "万元"]
        if prev > 0:
            w2 = self.word("增长" if up else "下降", "下降" if up else "增长", "dir_pct", up=up)
            p = self.pct(abs(d), prev, "growth", alts=[pct_value(abs(d), cur)] if cur else [],
                         cur=cur, prev=prev)
            toks += ["，", w2, p, "%"]
            amt.ctx["pct"] = p
            for s in (amt, p):
                s.ctx["pair"] = (w1, w2)
        return toks

    def reasons_for(self, up: bool) -> str:
        from . import codes
        pool = codes.REASONS_UP if up else codes.REASONS_DOWN
        k = self.rng.randint(1, 2)
        return "；".join(self.rng.sample(pool, k))


def para(tokens, section: str = "") -> Block:
    return Block("para", tokens=list(tokens), section=section)


def heading(tokens, level: int = 1, section: str = "", spaced: bool = False) -> Block:
    if isinstance(tokens, str):
        tokens = [tokens]
    return Block("heading", tokens=list(tokens), level=level, section=section, spaced=spaced)
