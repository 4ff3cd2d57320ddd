"""Injecting labelled errors into a built report (before rendering).

Each injector changes one printed thing and returns its label, or None when
the report offers no place for it. `used` keeps errors apart: one error per
table cell, per narrative paragraph or heading, per table for drops."""
from __future__ import annotations

import random

from . import codes
from .blocks import Block, Slot
from .document import TABLE_KEYS, Report, slot_block
from .grid import Amt, LTable, cell_text, money, scale

KINDS = ["total_mismatch", "text_table_conflict", "stated_value_mismatch", "disclosure_incomplete", "wording_mismatch"]
WEIGHTS = [0.25, 0.2, 0.2, 0.15, 0.2]
TOTAL_KEYS = ("grand_total@", "inc@", "exp@", "fiscal_total@", "gpb@", "sg_a_total@")


def wrong_amount(v: int, rng: random.Random) -> int:
    """A value ≥ 1.00 万元 and ≥ 1 % away from v: a transposition of two
    digits now and then, otherwise an error of 3–30 %."""
    s = str(abs(v))
    if len(s) >= 3 and rng.random() < 0.3:
        for _ in range(5):
            i = rng.randrange(len(s) - 1)
            t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
            w = int(t)
            if t[0] != "0" and abs(w - abs(v)) >= max(100, abs(v) * 0.01):
                return w
    d = max(100, round(abs(v) * rng.uniform(0.03, 0.3)))
    return v + d if v - d <= 0 or rng.random() < 0.5 else v - d


def snippet(block: Block, slot: Slot, before: int = 8, after: int = 3) -> str:
    lines = [block.tokens] if block.tokens else block.lines
    for toks in lines:
        pos = 0
        for t in toks:
            txt = t.text if isinstance(t, Slot) else t
            if t is slot:
                full = "".join(x.text if isinstance(x, Slot) else x for x in toks)
                a = max(0, pos - before)
                for stop in "。；，：":
                    k = full.rfind(stop, a, pos)
                    if k >= 0:
                        a = k + 1
                return full[a:pos + len(txt) + after].strip()
            pos += len(txt)
    return slot.text


def cell_desc(t: LTable, r: int, c: int) -> tuple[str, str]:
    row = t.rows[r]
    label = ""
    for j in range(c - 1, -1, -1):
        if isinstance(row[j], str) and row[j]:
            label = row[j]
            if j > 0 and isinstance(row[j - 1], str) and row[j - 1] and row[j - 1][:1].isdigit():
                label = f"{row[j - 1]} {row[j]}"
            break
    col = ""
    for hr in range(len(t.header) - 1, -1, -1):
        h = t.header[hr][c]
        if h:
            col = h
            break
        for r0, c0, r1, c1 in t.hmerges:
            if r0 <= hr <= r1 and c0 <= c <= c1 and t.header[r0][c0]:
                col = t.header[r0][c0]
                break
        if col:
            break
    return label.replace(" ", "") if t.spaced_labels else label, col


class Injector:
    def __init__(self, rep: Report, rng: random.Random):
        self.rep = rep
        self.rng = rng
        self.used: set = set()
        self.used_keys: set = set()
        self.slots = rep.writer.slots

    # -- helpers -------------------------------------------------------------
    def free_block(self, slot: Slot) -> Block | None:
        b = slot_block(self.rep, slot)
        if b is None or b.id in self.used or self.rep.hidden(b):
            return None
        return b

    def mirrored(self, key: str, cell: Amt | None = None) -> bool:
        if any(s.key == key for s in self.slots if s.kind == "money"):
            return True
        return any(a.key == key and a is not cell for t in self.rep.present_tables() for _, _, a in t.amounts())

    def table_with(self, key: str):
        for t in self.rep.present_tables():
            if t.empty:
                continue
            for _, _, a in t.amounts():
                if a.key == key and not a.blank:
                    return t, a
        return None, None

    # -- kinds -----------------------------------------------------------------
    def total_mismatch(self) -> dict | None:
        cands = []
        for t in self.rep.present_tables():
            if t.empty or t.key in self.used:
                continue
            seen = set()
            for rel in t.relations:
                p = rel.parent
                if rel.kind != "sum" or id(p) in seen or p.v == 0 or p.id in self.used or p.key in self.used_keys:
                    continue
                if len(rel.children) == 1 and rel.children[0].v == p.v and "总计" not in rel.label:
                    continue
                seen.add(id(p))
                cands.append((t, p, rel))
        if not cands:
            return None
        t, a, rel = self.rng.choice(cands)
        r, c = next((r, c) for r, c, x in t.amounts() if x is a)
        a.true, a.v = a.v, wrong_amount(a.v, self.rng)
        self.used |= {a.id, t.key}
        self.used_keys.add(a.key)
        label, col = cell_desc(t, r, c)
        where = f"“{label}”行“{col}”" if label and col and len(t.rows) > 1 else f"“{col or label}”"
        return self.label("total_mismatch", f"{t.title}中{where}为{cell_text(a, t)}，与其组成部分之和"
                          f"{_fmt_unit(a.true, t)}不符（{rel.label}）",
                          [scale(a.v, t.unit), scale(a.true, t.unit)], [cell_text(a, t)], t.title, ("cell", a.id),
                          also=["text_table_conflict"] if self.mirrored(a.key, a) else [])

    def text_table_conflict(self) -> dict | None:
        cands = []
        for s in self.slots:
            if s.kind != "money" or not s.key or not s.value or s.true_text is not None:
                continue
            t, a = self.table_with(s.key)
            if t is None or s.key in self.used_keys or self.free_block(s) is None:
                continue
            cands.append((s, t, a))
        if not cands:
            return None
        s, t, a = self.rng.choice(cands)
        b = slot_block(self.rep, s)
        zero = s.key in TOTAL_KEYS and self.rng.random() < 0.15
        wrong = 0 if zero else wrong_amount(s.value, self.rng)
        s.true_text, s.text = s.text, money(wrong) if self.rng.random() < 0.7 else self.rep.writer.money_text(wrong)
        self.used |= {b.id, a.id}
        self.used_keys.add(s.key)
        also = []
        if s.role in ("share_base", "share_part", "growth_cur", "completion_actual") or s.ctx.get("pct"):
            also.append("stated_value_mismatch")
        if s.role in ("part", "parts_total", "share_part", "share_base"):
            also.append("total_mismatch")
        if s.role == "completion_actual":
            also.append("wording_mismatch")
        if s.role == "growth_cur":
            also.append("cross_year_mismatch")
        return self.label("text_table_conflict", f"情况说明中的{s.text}万元与{t.title}中的{money(s.value)}万元不一致",
                          [wrong / 100, s.value / 100], [snippet(b, s)], t.title, ("block", b.id), also=also)

    def stated_value_mismatch(self) -> dict | None:
        cands = [s for s in self.slots if s.kind == "pct" and s.true_text is None and self.free_block(s)]
        if not cands:
            return None
        s = self.rng.choice(cands)
        right = s.value
        for _ in range(50):
            off = self.rng.uniform(1.5, 12) * self.rng.choice([-1, 1])
            w = round(right + off, 2)
            if s.role == "share" and not 0.1 < w < 99.9:
                continue
            if s.ctx.get("sangong") and w > 100:
                continue
            if w <= 0.1 or any(abs(w - alt) < 1.0 for alt in s.ctx.get("alts", [])):
                continue
            break
        else:
            return None
        b = slot_block(self.rep, s)
        s.true_text, s.text = s.text, f"{w:.2f}"
        self.used.add(b.id)
        what = {"share": "占比", "growth": "增减幅度", "completion": "预算完成率"}[s.role]
        return self.label("stated_value_mismatch", f"情况说明中{what}写作{w:.2f}%，按所列数字应为{right:.2f}%",
                          [w, right], [snippet(b, s, 10, 1)], None, ("block", b.id))

    def disclosure_incomplete(self) -> dict | None:
        opts = []
        for k in TABLE_KEYS:
            tb = self.rep.table_block(k)
            if tb is None or tb.dropped or k in self.used:
                continue
            t = tb.table
            opts.append(("drop", tb))
            if t.empty and t.empty_note:
                opts += [("no_note", tb)] * 3
            if not t.empty and (k in ("t8", "t9") or (k == "t7" and self.rep.acc.sangong_total)):
                opts += [("false_note", tb)] * (3 if k != "t7" else 1)
        if not opts:
            return None
        how, tb = self.rng.choice(opts)
        t = tb.table
        self.used.add(t.key)
        if how == "drop":
            tb.dropped = True
            toc = next(b for b in self.rep.blocks if b.kind == "toc")
            entry = next(e[0] for e in toc.lines if e[0].endswith(t.base_title))
            return self.label("disclosure_incomplete", f"目录列有“{t.base_title}”，但报告未公开该表", None,
                              [entry, t.base_title], t.title, ("block", toc.id))
        if how == "no_note":
            t.empty_note = None
            return self.label("disclosure_incomplete", f"{t.title}为空表，但未附空表说明", None,
                              [t.base_title], t.title, ("block", tb.id))
        what = "财政拨款“三公”经费支出" if t.key == "t7" else t.base_title.replace("收入支出决算表", "收入和支出")
        t.empty_note = f"说明：{self.rep.issuer}本年度没有{what}，故本表无数据。"
        return self.label("disclosure_incomplete", f"{t.title}有数据，却附有空表说明", None,
                          [t.empty_note[:24], t.base_title], t.title, ("block", tb.id))

    def wording_mismatch(self) -> dict | None:
        how = self.rng.choices(["dir", "cmp", "year", "dept", "placeholder"], [0.3, 0.2, 0.2, 0.1, 0.2])[0]
        if how in ("dir", "cmp"):
            role = "dir_amount" if how == "dir" else "cmp"
            cands = [s for s in self.slots if s.role == role and s.true_text is None and self.free_block(s)]
            if not cands:
                return None
            s = self.rng.choice(cands)
            b = slot_block(self.rep, s)
            s.true_text, s.text = s.text, s.ctx["alt"]
            self.used.add(b.id)
            if how == "dir":
                return self.label("wording_mismatch", f"数字表明{'增加' if s.ctx['up'] else '减少'}，文中却写作“{s.text}”",
                                  None, [snippet(b, s, 10, 8)], None, ("block", b.id),
                                  also=["stated_value_mismatch", "cross_year_mismatch"])
            detail = (f"决算数{money(s.ctx['actual'])}万元{'大于' if s.ctx['up'] else '小于'}预算数"
                      f"{money(s.ctx['budget'])}万元，文中却写作“决算数{s.text}预算数”")
            texts = [snippet(b, s, 3, 4)]
            bs = s.ctx.get("budget_slot")
            if bs is not None:
                texts.append(snippet(b, bs, 6, 0))
            return self.label("wording_mismatch", detail, None, texts, None, ("block", b.id),
                              also=["budget_exceeded"] if s.ctx.get("sangong") else [])
        if how in ("year", "dept"):
            cands = [s for s in self.slots if s.kind == how and self.free_block(s)
                     and (how == "year" or slot_block(self.rep, s).kind == "heading")]
            tabs = [t for t in self.rep.present_tables() if t.pre_title and t.key not in self.used]
            if how == "year" and tabs and self.rng.random() < 0.3:
                t = self.rng.choice(tabs)
                wy = self.rep.year + self.rng.choice([-1, 1])
                t.pre_title = t.pre_title.replace(f"{self.rep.year}年度", f"{wy}年度")
                self.used.add(t.key)
                tb = self.rep.table_block(t.key)
                return self.label("wording_mismatch", f"{t.title}的表头写作{wy}年度，报告为{self.rep.year}年度",
                                  [float(wy), float(self.rep.year)], [t.pre_title], t.title, ("block", tb.id))
            if not cands:
                return None
            s = self.rng.choice(cands)
            b = slot_block(self.rep, s)
            self.used.add(b.id)
            if how == "year":
                wy = self.rep.year + self.rng.choice([-1, -1, 1])
                s.true_text, s.text = s.text, str(wy)
                where = "封面" if b.kind == "cover" else "标题"
                return self.label("wording_mismatch", f"{where}写作{wy}年度，报告为{self.rep.year}年度",
                                  [float(wy), float(self.rep.year)], [snippet(b, s, 4, 6)], None, ("block", b.id))
            other = _other_dept(self.rep.issuer, self.rng)
            s.true_text, s.text = s.text, other
            return self.label("wording_mismatch", f"标题中的部门名称写作“{other}”，报告单位为{self.rep.issuer}",
                              None, [other], None, ("block", b.id))
        cands = [s for s in self.slots if (s.kind in ("reason", "count") or (s.kind == "money" and not s.key))
                 and s.role not in ("growth_amount", "budget", "part", "parts_total")
                 and s.true_text is None and self.free_block(s)]
        if not cands:
            return None
        s = self.rng.choice(cands)
        b = slot_block(self.rep, s)
        ph = {"reason": "XXXXXXXX", "count": "XX", "money": "XXX"}[s.kind]
        s.true_text, s.text = s.text, ph
        self.used.add(b.id)
        return self.label("wording_mismatch", f"情况说明中留有模板占位符“{ph}”", None, [snippet(b, s, 6, 2)], None,
                          ("block", b.id))

    def label(self, kind, detail, numbers, text, table, anchor, also=()) -> dict:
        d = {"kind": kind, "detail": detail}
        if numbers is not None:
            d["numbers"] = [round(float(x), 2) for x in numbers]
        d["text"] = [x for x in text if x]
        d["table"] = table
        d["page"] = None
        if also:
            d["also_kinds"] = sorted(set(also))
        d["_anchor"] = anchor
        return d


def _fmt_unit(v: int, t: LTable) -> str:
    return cell_text(Amt(v), t) if v else "0"


def _other_dept(issuer: str, rng: random.Random) -> str:
    for _ in range(20):
        region, districts = rng.choice(codes.REGIONS)
        arch = codes.ARCHETYPES[rng.choice(sorted(codes.ARCHETYPES))]
        if "街道办事处" in arch["names"]:
            continue
        name = f"{region}{rng.choice(districts)}{rng.choice(arch['names'])}"
        if name != issuer:
            return name
    return issuer[:-1] + "委"


def inject(rep: Report, rng: random.Random, clean_rate: float = 0.3) -> list[dict]:
    if rng.random() < clean_rate:
        return []
    inj = Injector(rep, rng)
    n = rng.choice([1, 1, 1, 2, 2, 3])
    labels = []
    for _ in range(n * 6):
        if len(labels) >= n:
            break
        kind = rng.choices(KINDS, WEIGHTS)[0]
        lab = getattr(inj, kind)()
        if lab is not None:
            labels.append(lab)
    rep.labels = labels
    return labels
