"""One report: the variant (layout and wording choices), the blocks of the
document (cover, 目录, four parts) and its tables, before any error."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import codes, narrative as n1, narrative2 as n2
from .blocks import Block, Writer, heading, para
from .model import Accounts
from .tables import BASE_TITLES, BUILDERS, units_table

TABLE_KEYS = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]


@dataclass
class Report:
    file: str
    fmt: str
    acc: Accounts
    variant: dict
    blocks: list
    tables: dict
    writer: Writer
    labels: list = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.acc.year

    @property
    def issuer(self) -> str:
        return self.acc.issuer

    def block(self, bid: str) -> Block | None:
        return next((b for b in self.blocks if b.id == bid), None)

    def table_block(self, key: str) -> Block | None:
        return next((b for b in self.blocks if b.kind == "table" and b.table.key == key), None)

    def hidden(self, b: Block) -> bool:
        """Blocks the format does not print (an XLSX without its 情况说明 sheet)."""
        return (self.fmt == "xlsx" and not self.variant.get("xlsx_narrative", True)
                and b.kind in ("heading", "para"))

    def present_tables(self) -> list:
        return [b.table for b in self.blocks if b.kind == "table" and not b.dropped and b.table.key in TABLE_KEYS]


def choose_variant(rng: random.Random, fmt: str) -> dict:
    some_yuan = rng.random() < 0.18
    yuan_all = some_yuan and rng.random() < 0.3
    p_th = rng.choice([0.0, 0.0, 0.5, 1.0])
    zero = rng.choice(["0.00", "0.00", "0", "-", ""])
    v = {
        "numbering": rng.choice(["biao", "cn", "arabic", "none"]),
        "titles": {k: rng.choice(BASE_TITLES[k]) for k in TABLE_KEYS},
        "pre_title": rng.random() < 0.3,
        "units": {k: ("元" if yuan_all or (some_yuan and rng.random() < 0.4) else "万元") for k in TABLE_KEYS},
        "thousands": {k: rng.random() < p_th for k in TABLE_KEYS},
        "zero": zero,
        "all_classes": rng.random() < 0.6,
        "t5_total_first": rng.random() < 0.5,
        "t6_all_codes": rng.random() < 0.5,
        "spaced_labels": rng.random() < 0.2,
        "strip_zeros": rng.choice([0.0, 0.0, 0.3, 1.0]),
        "text_thousands": rng.random() < 0.15,
        "fiscal_split": rng.random() < 0.4,
        "item_rate": rng.random() < 0.4,
    }
    if fmt == "pdf":
        v.update({
            "spaced_headings": rng.random() < 0.3,
            "repeat_header": rng.random() < 0.5,
            "wrap_names": rng.random() < 0.3,
            "page_numbers": rng.random() < 0.7,
            "t7_landscape": rng.random() < 0.7,
            "split": [{"table": k, "frac": round(rng.uniform(0.45, 0.97), 2), "repeat": rng.random() < 0.5}
                      for k in rng.sample(["t1", "t2", "t3", "t5", "t6"], rng.choice([0, 0, 1, 1, 2]))],
        })
    elif fmt == "xlsx":
        v.update({"xlsx_narrative": rng.random() < 0.8, "numbers_as_text": rng.random() < 0.15})
    else:
        v.update({"encoding": rng.choice(["utf-8", "utf-8", "gbk"]), "title_tag": rng.choice(["h3", "p"])})
    return v


def table_prefix(style: str, i: int) -> str:
    return {"biao": f"表{codes.CN_NUM[i]}：", "cn": f"{codes.CN_NUM[i]}、", "arabic": f"{i + 1}.", "none": ""}[style]


def build_tables(acc: Accounts, v: dict) -> dict:
    out = {}
    for i, k in enumerate(TABLE_KEYS):
        o = {"title": v["titles"][k], "unit": v["units"][k], "thousands": v["thousands"][k], "zero": v["zero"],
             "all_classes": v["all_classes"], "total_first": v["t5_total_first"], "all_codes": v["t6_all_codes"],
             "spaced": v["spaced_labels"], "landscape": v.get("t7_landscape", True)}
        t = BUILDERS[k](acc, o)
        t.title = table_prefix(v["numbering"], i) + v["titles"][k]
        if v["pre_title"]:
            t.pre_title = f"{acc.issuer}{acc.year}年度部门决算表"
        out[k] = t
    return out


def build_document(acc: Accounts, fmt: str, rng: random.Random, file: str = "r.pdf") -> Report:
    v = choose_variant(rng, fmt)
    w = Writer(rng, v)
    tables = build_tables(acc, v)
    d, y = acc.issuer, acc.year
    sp = v.get("spaced_headings", False)
    blocks: list[Block] = [Block("cover", lines=[[w.dept(d)], [w.year(y), "年度部门决算"]])]
    duty, comp, comp_title = n2.part1_text(acc)
    toc = [f"第一部分 {d}概况", "一、主要职能", comp_title, f"第二部分 {d}{y}年度部门决算表"]
    toc += [f"{codes.CN_NUM[i]}、{v['titles'][k]}" for i, k in enumerate(TABLE_KEYS)]
    toc += [f"第三部分 {d}{y}年度部门决算情况说明"]
    toc += [f"{codes.CN_NUM[i]}、{s}" for i, s in enumerate(n1.SECTIONS)]
    toc += ["第四部分 名词解释"]
    blocks.append(Block("toc", lines=[[e] for e in toc]))
    blocks.append(heading(["第一部分 ", w.dept(d), "概况"], 1, "p1", spaced=sp))
    blocks += [heading("一、主要职能", 2, "p1"), para([duty], "p1"), heading(comp_title, 2, "p1")]
    blocks += [para([c], "p1") for c in comp]
    blocks.append(Block("table", table=units_table(acc), section="p1"))
    blocks.append(heading(["第二部分 ", w.dept(d), w.year(y), "年度部门决算表"], 1, "p2", spaced=sp))
    blocks += [Block("table", table=tables[k], section="p2") for k in TABLE_KEYS]
    blocks.append(heading(["第三部分 ", w.dept(d), w.year(y), "年度部门决算情况说明"], 1, "p3", spaced=sp))
    blocks += n1.s1_total(w, acc) + n1.s2_income(w, acc) + n1.s3_exp(w, acc) + n1.s4_fiscal(w, acc)
    blocks += n1.s5_gpb(w, acc) + n1.s6_basic(w, acc) + n2.s7_sangong(w, acc)
    blocks += n2.s_fund(w, acc, 7, "gf", "政府性基金预算财政拨款") + n2.s_fund(w, acc, 8, "soe", "国有资本经营预算财政拨款")
    blocks += n2.s10_perf(w, acc) + n2.s11_other(w, acc)
    blocks.append(heading("第四部分 名词解释", 1, "p4", spaced=sp))
    blocks += [para([g], "p4") for g in n2.GLOSSARY]
    for k, b in enumerate(blocks):
        b.id = f"b{k}"
    return Report(file=file, fmt=fmt, acc=acc, variant=v, blocks=blocks, tables=tables, writer=w)


def slot_block(rep: Report, slot) -> Block | None:
    for b in rep.blocks:
        if any(t is slot for t in b.tokens) or any(t is slot for line in b.lines for t in line):
            return b
    return None
