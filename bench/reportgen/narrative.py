"""第三部分 情况说明 sections 一 … 七, in the template's sentence patterns."""
from __future__ import annotations

from . import codes
from .blocks import Writer, heading, para, pct_value
from .model import Accounts

SECTIONS = ["收入支出决算总体情况说明", "收入决算情况说明", "支出决算情况说明", "财政拨款收入支出决算总体情况说明",
            "一般公共预算财政拨款支出决算情况说明", "一般公共预算财政拨款基本支出决算情况说明",
            "财政拨款“三公”经费支出决算情况说明", "政府性基金预算财政拨款收入支出决算情况说明",
            "国有资本经营预算财政拨款收入支出决算情况说明", "预算绩效管理情况", "其他重要事项的情况说明"]


def sec_heading(k: int, sec: str) -> object:
    return heading(f"{codes.CN_NUM[k]}、{SECTIONS[k]}", 2, section=sec)


def _cause(w: Writer, up: bool) -> list:
    return ["主要原因：", w.reason(w.reasons_for(up)), "。"]


def _shares(w: Writer, total: int, parts: list, base_role: str) -> list:
    """'其中：A x万元，占p%；B …' for the non-zero parts."""
    toks = []
    nz = [(lab, v, key) for lab, v, key in parts if v]
    for k, (lab, v, key) in enumerate(nz):
        ms = w.m(v, key=key, role="share_part", group=base_role)
        ps = w.pct(v, total, "share", group=base_role, part=ms)
        toks += [lab, ms, "万元，占", ps, "%", "；" if k < len(nz) - 1 else "。"]
    return toks


def s1_total(w: Writer, acc: Accounts) -> list:
    y, d = acc.year, acc.issuer
    cur, prev = acc.grand_total, acc.prev["total"]
    toks = [f"{d}{y}年度收入支出总计", w.m(cur, key="grand_total@", role="growth_cur"), "万元。",
            f"与{y - 1}年度相比，"] + w.growth("收入支出总计", cur, prev) + ["。"]
    if cur != prev:
        toks += _cause(w, cur > prev)
    return [sec_heading(0, "s1"), para(toks, "s1")]


def s2_income(w: Writer, acc: Accounts) -> list:
    inc = acc.income
    total = acc.inc_total
    if w.v.get("fiscal_split"):
        parts = [("一般公共预算财政拨款收入", inc["gpb"], "inc_gpb@"), ("政府性基金预算财政拨款收入", inc["gf"], "inc_gf@"),
                 ("国有资本经营预算财政拨款收入", inc["soe"], "inc_soe@")]
    else:
        parts = [("财政拨款收入", inc["gpb"] + inc["gf"] + inc["soe"], "inc_fiscal@")]
    parts += [("上级补助收入", inc["upper"], "inc_upper@"), ("事业收入", inc["biz"], "inc_biz@"),
              ("经营收入", inc["oper"], "inc_oper@"), ("附属单位上缴收入", inc["affil"], "inc_affil@"),
              ("其他收入", inc["other"], "inc_other@")]
    toks = [f"{acc.year}年度本年收入合计" if w.rng.random() < 0.5 else "本年收入合计",
            w.m(total, key="inc@", role="share_base", group="inc"), "万元，其中："] + _shares(w, total, parts, "inc")
    return [sec_heading(1, "s2"), para(toks, "s2")]


def s3_exp(w: Writer, acc: Accounts) -> list:
    total = acc.exp_total
    parts = [("基本支出", acc.sum("basic"), "basic@"), ("项目支出", acc.sum("project"), "project@"),
             ("上缴上级支出", acc.sum("upper"), "upper@"), ("经营支出", acc.sum("operating"), "oper@"),
             ("对附属单位补助支出", acc.sum("subsidy"), "subsidy@")]
    toks = [f"{acc.year}年度本年支出合计" if w.rng.random() < 0.5 else "本年支出合计",
            w.m(total, key="exp@", role="share_base", group="exp"), "万元，其中："] + _shares(w, total, parts, "exp")
    return [sec_heading(2, "s3"), para(toks, "s3")]


def s4_fiscal(w: Writer, acc: Accounts) -> list:
    y, d = acc.year, acc.issuer
    cur, prev = acc.fiscal_total, acc.prev["fiscal_total"]
    toks = [f"{d}{y}年度财政拨款收入支出总计", w.m(cur, key="fiscal_total@", role="growth_cur"), "万元。",
            f"与{y - 1}年度相比，"] + w.growth("财政拨款收入支出总计", cur, prev) + ["。"]
    if cur != prev:
        toks += _cause(w, cur > prev)
    return [sec_heading(3, "s4"), para(toks, "s4")]


def _item_name(acc: Accounts, it) -> str:
    return (f"{codes.LEI_NAME[it.lei]}（类）{codes.kuan_name(it.kuan, acc.year)}（款）{it.name}（项）")


def _vs_budget(w: Writer, budget: int, actual: int, key: str, with_rate: bool, subject: str = "") -> list:
    """'年初预算为B万元，支出决算为A万元[，完成年初预算的p%]。决算数大于预算数的主要原因：…。'"""
    bs = w.m(budget, key="", role="budget")
    toks = [f"{subject}年初预算为", bs, "万元，支出决算为", w.m(actual, key=key, role="completion_actual"), "万元"]
    if with_rate and budget:
        toks += ["，完成年初预算的", w.pct(actual, budget, "completion", alts=[pct_value(budget, actual)] if actual else []),
                 "%"]
    toks.append("。")
    if actual == budget:
        toks.append("决算数与预算数持平。")
    else:
        up = actual > budget
        cmp = w.word("大于" if up else "小于", "小于" if up else "大于", "cmp", up=up, budget=budget, actual=actual,
                     budget_slot=bs)
        toks += ["决算数", cmp, "预算数的主要原因：", w.reason(w.reasons_for(up)), "。"]
    return toks


def s5_gpb(w: Writer, acc: Accounts) -> list:
    y = acc.year
    gpb, prev = acc.sum("gpb"), acc.prev["gpb_exp"]
    out = [sec_heading(4, "s5"), heading("（一）一般公共预算财政拨款支出决算总体情况", 3, "s5")]
    toks = [f"{y}年度一般公共预算财政拨款支出" if w.rng.random() < 0.5 else "一般公共预算财政拨款支出",
            w.m(gpb, key="gpb@", role="share_part"), "万元，占本年支出合计的",
            w.pct(gpb, acc.exp_total, "share", alts=[pct_value(gpb, acc.inc_total)]), "%。",
            f"与{y - 1}年度相比，"] + w.growth("一般公共预算财政拨款支出", gpb, prev) + ["。"]
    if gpb != prev:
        toks += _cause(w, gpb > prev)
    out.append(para(toks, "s5"))
    out.append(heading("（二）一般公共预算财政拨款支出决算结构情况", 3, "s5"))
    toks = ["一般公共预算财政拨款支出", w.m(gpb, key="gpb@", role="share_base", group="lei"), "万元，主要用于以下方面："]
    leis = [(lc, acc.sum("gpb", lambda i, lc=lc: i.lei == lc)) for lc in sorted({i.lei for i in acc.items})]
    toks += _shares(w, gpb, [(f"{codes.LEI_NAME[lc]}（类）", v, f"gpb@{lc}") for lc, v in leis], "lei")
    out.append(para(toks, "s5"))
    out.append(heading("（三）一般公共预算财政拨款支出决算具体情况", 3, "s5"))
    budget = acc.sum("budget_gpb")
    toks = ["一般公共预算财政拨款支出"] + _vs_budget(w, budget, gpb, "gpb@", True)
    toks.append("其中：")
    out.append(para(toks, "s5"))
    rate = w.v.get("item_rate", False)
    for k, it in enumerate([i for i in acc.items if i.gpb], 1):
        toks = [f"{k}、{_item_name(acc, it)}。主要用于：{it.purpose}。"]
        toks += _vs_budget(w, it.budget_gpb, it.gpb, f"gpb@{it.code}", rate)
        out.append(para(toks, "s5"))
    return out


def s6_basic(w: Writer, acc: Accounts) -> list:
    pers, pub = acc.personnel, acc.public
    names_p = [n for g in ("301", "303") for cd, n in codes.ECON_GROUPS[g][1] if acc.econ.get(cd)]
    names_g = [n for g in ("302", "310") for cd, n in codes.ECON_GROUPS[g][1] if acc.econ.get(cd)]
    total = w.m(pers + pub, key="gpb_basic@", role="parts_total")
    toks = [f"{acc.year}年度一般公共预算财政拨款基本支出", total, "万元。其中：人员经费",
            w.m(pers, key="personnel@", role="part", total=total), "万元，主要包括：", "、".join(names_p),
            "；公用经费", w.m(pub, key="public@", role="part", total=total), "万元，主要包括：", "、".join(names_g), "。"]
    return [sec_heading(5, "s6"), para(toks, "s6")]
