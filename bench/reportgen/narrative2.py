"""第三部分 sections 七 … 十一, 第一部分 概况 and 第四部分 名词解释."""
from __future__ import annotations

from . import codes
from .blocks import Writer, heading, para
from .model import Accounts
from .narrative import _item_name, _vs_budget, sec_heading

SG_ITEMS = [("因公出国（境）费", "abroad"), ("公务用车购置及运行维护费", "car"), ("公务接待费", "reception")]


def _sg(acc: Accounts, src: dict, k: str) -> int:
    return src["car_buy"] + src["car_run"] if k == "car" else src[k]


def s7_sangong(w: Writer, acc: Accounts) -> list:
    y, d = acc.year, acc.issuer
    b, a, pv = acc.sangong_budget, acc.sangong, acc.sangong_prev
    out = [sec_heading(6, "s7")]
    A, B, P = sum(a.values()), sum(b.values()), sum(pv.values())
    if A == 0 and B == 0:
        out.append(para([f"{d}{y}年度无“三公”经费财政拨款支出。"], "s7"))
        return out
    out.append(heading("（一）“三公”经费财政拨款支出决算总体情况说明。", 3, "s7"))
    total = w.m(A, key="sg_a_total@", role="parts_total")
    toks = ["“三公”经费财政拨款支出年初预算为", w.m(B, key="sg_b_total@", role="budget"), "万元，支出决算为", total, "万元"]
    if B:
        toks += ["，完成预算的", w.pct(A, B, "completion", sangong=True), "%"]
    toks.append("，其中：")
    for n, (label, k) in enumerate(SG_ITEMS):
        av, bv = _sg(acc, a, k), _sg(acc, b, k)
        toks += [f"{label}{'支出' if k != 'abroad' else ''}决算为", w.m(av, key=f"sg_a_{k}@", role="part", total=total),
                 "万元"]
        toks += ["，完成预算的", w.pct(av, bv, "completion", sangong=True), "%"] if bv else ["（年初未安排预算）"]
        toks.append("；" if n < 2 else "。")
    if A == B:
        toks.append(f"{y}年度“三公”经费支出决算数与预算数持平。")
    else:
        toks += [f"{y}年度“三公”经费支出决算数", w.word("小于", "大于", "cmp", up=False, sangong=True, budget=B, actual=A),
                 "预算数的主要原因：", w.reason("；".join(w.rng.sample(codes.REASONS_SANGONG, 2))), "。"]
    out.append(para(toks, "s7"))
    toks = [f"{y}年度“三公”经费财政拨款支出决算数比{y - 1}年度"] + w.growth("", A, P) + ["，其中："]
    why = []
    for n, (label, k) in enumerate(SG_ITEMS):
        cur, prev = _sg(acc, a, k), _sg(acc, pv, k)
        toks += [f"{label}支出决算"] + w.growth("", cur, prev) + ["；" if n < 2 else "。"]
        if cur != prev:
            why.append(f"{label}支出{'增加' if cur > prev else '减少'}的主要原因是{w.reasons_for(cur > prev)}。")
    out.append(para(toks + why, "s7"))
    out.append(heading("（二）“三公”经费财政拨款支出决算具体情况说明。", 3, "s7"))
    if A:
        toks = ["“三公”经费财政拨款支出决算中，"]
        for n, (label, k) in enumerate(SG_ITEMS):
            v = _sg(acc, a, k)
            toks += [f"{label}支出决算", w.m(v, key=f"sg_a_{k}@", role="share_part", group="sg"), "万元，占",
                     w.pct(v, A, "share", group="sg"), "%", "；" if n < 2 else "。"]
        out.append(para(toks + ["具体情况如下："], "s7"))
    ab, (rb, rp) = a["abroad"], acc.extra["reception"]
    if ab:
        toks = ["1、因公出国（境）费支出", w.m(ab, key="sg_a_abroad@"), "万元。全年安排因公出国（境）团组",
                w.count(acc.extra["abroad_groups"]), "个、累计", w.count(acc.extra["abroad_persons"]),
                "人次。开支内容包括：开展国际交流合作、考察学习等发生的国际旅费、住宿费、伙食费等支出。"]
    else:
        toks = ["1、因公出国（境）费支出0万元。全年未安排因公出国（境）团组。"]
    out.append(para(toks, "s7"))
    car = w.m(a["car_buy"] + a["car_run"], key="sg_a_car@", role="parts_total")
    toks = ["2、公务用车购置及运行维护费支出", car, "万元。其中：公务用车购置支出为",
            w.m(a["car_buy"], key="sg_a_car_buy@", role="part", total=car), "万元。",
            "主要用于更新购置执法执勤用车。" if a["car_buy"] else "本年度未购置公务用车。",
            "公务用车运行维护支出", w.m(a["car_run"], key="sg_a_car_run@", role="part", total=car),
            "万元。主要用于公务用车燃料费、维修费、过路过桥费、保险费等支出。",
            f"{y}年，{d}所属各预算单位开支财政拨款的公务用车保有量为", w.count(acc.extra["cars"]["fiscal_cars"]), "辆。"]
    out.append(para(toks, "s7"))
    r = a["reception"]
    if r:
        rt = w.m(r, key="sg_a_reception@", role="parts_total")
        toks = ["3、公务接待费支出", rt, "万元。其中：国内公务接待支出", w.m(r, key="", role="part", total=rt),
                "万元（含外宾接待支出0万元）。主要用于接待上级部门检查指导、兄弟单位交流学习等，共接待", w.count(rb),
                "批次、", w.count(rp), "人次，其中：接待外宾0批次、0人次。"]
    else:
        toks = ["3、公务接待费支出0万元。本年度未发生公务接待。"]
    out.append(para(toks, "s7"))
    return out


def s_fund(w: Writer, acc: Accounts, k: int, fund: str, label: str) -> list:
    y, d = acc.year, acc.issuer
    sec = "s8" if fund == "gf" else "s9"
    out = [sec_heading(k, sec)]
    items = [i for i in acc.items if getattr(i, fund)]
    if not items:
        out.append(para([f"{d}{y}年度无{label}收入和支出。"], sec))
        return out
    toks = [f"{label}收入", w.m(acc.sum(f"inc_{fund}"), key=f"inc_{fund}@"), "万元，支出",
            w.m(acc.sum(fund), key=f"{fund}@"), "万元，支出具体情况如下："]
    out.append(para(toks, sec))
    for n, it in enumerate(items, 1):
        toks = [f"{n}、{_item_name(acc, it)}。主要用于：{it.purpose}。"]
        toks += _vs_budget(w, getattr(it, f"budget_{fund}"), getattr(it, fund), f"{fund}@{it.code}",
                           w.v.get("item_rate", False))
        out.append(para(toks, sec))
    return out


def s10_perf(w: Writer, acc: Accounts) -> list:
    y, d = acc.year, acc.issuer
    p = acc.extra["perf"]
    g = p["grades"]
    toks = [f"{d}{y}年度预算绩效管理工作开展情况如下：本部门建立了如下预算绩效管理制度：《{d}预算绩效管理办法》、"
            f"《{d}项目支出绩效评价实施细则》，建立了“预算编制有目标、预算执行有监控、预算完成有评价、评价结果有反馈、"
            f"反馈结果有应用”的预算绩效管理工作机制；全过程绩效管理实施情况：编报绩效目标的{y}年度项目",
            w.count(p["n_target"]), "个，涉及预算金额", w.m(p["amt_target"]), f"万元；绩效跟踪评价的{y}年度项目",
            w.count(p["n_track"]), "个，涉及预算金额", w.m(p["amt_track"]), f"万元；绩效自评的{y}年度项目",
            w.count(p["n_self"], "parts_total"), "个，涉及预算金额", w.m(p["amt_self"]), "万元，平均得分", f"{p['score']}",
            "分（其中，绩效评级为“优”的项目", w.count(g[0], "part"), "个；绩效评级为“良”的项目", w.count(g[1], "part"),
            "个；绩效评级为“合格”的项目", w.count(g[2], "part"), "个；绩效评级为“不合格”的项目", w.count(g[3], "part"),
            "个。绩效自评中共发现问题", w.count(p["problems"], "parts_total"), "个，已经完成整改的", w.count(p["fixed"], "part"),
            "个，正在整改的", w.count(p["fixing"], "part"), "个）。"]
    return [sec_heading(9, "s10"), para(toks, "s10")]


def s11_other(w: Writer, acc: Accounts) -> list:
    y, d = acc.year, acc.issuer
    out = [sec_heading(10, "s11"), heading("（一）机关运行经费支出情况", 3, "s11")]
    if acc.jgyx is None:
        out.append(para([f"{d}{y}年度无机关运行经费支出。"], "s11"))
    else:
        cur, prev = acc.jgyx, acc.prev["jgyx"]
        toks = [f"{y}年度{d}机关运行经费支出", w.m(cur, key="jgyx@"), f"万元，比{y - 1}年度"] + w.growth("", cur, prev)
        toks += ["。"] + (["主要原因是", w.reason(w.reasons_for(cur > prev)), "。"] if cur != prev else [])
        out.append(para(toks, "s11"))
    pr = acc.extra["procurement"]
    out.append(heading("（二）政府采购支出情况", 3, "s11"))
    total = w.m(pr["total"], role="parts_total")
    toks = [f"{d}{y}年度政府采购金额（以合同签订为准）为", total, "万元，其中：货物采购金额",
            w.m(pr["goods"], role="part", total=total), "万元、工程采购金额", w.m(pr["works"], role="part", total=total),
            "万元、服务采购金额", w.m(pr["services"], role="part", total=total), "万元。"]
    out.append(para(toks, "s11"))
    toks = [f"{y}年度本部门面向中小企业预留政府采购项目预算金额", w.m(pr["sme_reserved"]),
            "万元，面向小微企业预留政府采购项目预算金额", w.m(pr["small_reserved"]),
            "万元。在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额", w.m(pr["sme_won"]),
            "万元；在面向小微企业预留政府采购项目中，由小微企业供应商中标或成交的，采购金额", w.m(pr["small_won"]),
            "万元；在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额", w.m(pr["other_sme"]), "万元。"]
    out.append(para(toks, "s11"))
    cars = acc.extra["cars"]
    out.append(heading("（三）国有资产占有使用情况说明", 3, "s11"))
    toks = [f"截至{y}年12月31日，{d}共有车辆", w.count(cars["total"], "parts_total"), "辆，其中："]
    parts = list(cars["split"].items())
    for n, (cat, v) in enumerate(parts):
        toks += [cat, w.count(v, "part"), "辆", "、" if n < len(parts) - 1 else "。"]
    toks += ["单价100万元（含）以上设备（不含车辆）", w.count(cars["equipment"]), "台（套）。"]
    out.append(para(toks, "s11"))
    return out


DOMAINS = {"edu": "教育", "culture": "文化和旅游", "health": "卫生健康", "street": "辖区社会管理和公共服务",
           "science": "科技创新", "civil": "民政", "agri": "农业农村", "emergency": "应急管理和安全生产",
           "housing": "城乡建设", "finance": "财政", "audit": "审计监督", "stats": "统计", "market": "市场监督管理",
           "archives": "档案", "hrss": "人力资源和社会保障", "env": "生态环境保护", "veterans": "退役军人服务保障",
           "transport": "交通运输", "resources": "规划和自然资源"}


def part1_text(acc: Accounts) -> tuple[str, list, str]:
    d, y = acc.issuer, acc.year
    dom = DOMAINS[acc.profile.archetype]
    duty = (f"{d}的主要职能是：贯彻执行国家和本地区关于{dom}工作的方针政策和法律法规；拟订{dom}发展规划和年度计划并组织实施；"
            f"负责{dom}领域的综合管理、监督检查和公共服务工作；完成上级交办的其他任务。")
    if len(acc.profile.units) > 1:
        comp = [f"从预算单位构成看，{d}部门决算包括：{d}本级决算、下属行政事业单位决算。",
                f"纳入{d}{y}年度部门决算编制范围的单位包括："]
        title = "二、部门决算单位构成"
    else:
        comp = [f"{d}内设若干职能处（科）室，无下属预算单位。纳入{d}{y}年度部门决算编制范围的单位包括："]
        title = "二、机构设置"
    return duty, comp, title


GLOSSARY = [
    "一、财政拨款收入：指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款。",
    "二、事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。",
    "三、经营收入：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。",
    "四、其他收入：指单位取得的除“财政拨款收入”、“事业收入”、“经营收入”等以外的收入。主要是：存款利息收入等。",
    "五、年初结转和结余：指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
    "六、年末结转和结余：指本年度或以前年度预算安排、因客观条件发生变化无法按原计划实施，需延迟到以后年度按有关规定继续使用的资金。",
    "七、基本支出：指单位为保障机构正常运转、完成日常工作任务而发生的各项支出。",
    "八、项目支出：指单位为完成特定的行政工作任务或事业发展目标，在基本支出之外发生的各项支出。",
    "九、经营支出：指事业单位在专业活动及辅助活动之外开展非独立核算经营活动发生的支出。",
    "十、“三公”经费：指单位使用本级财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
    "十一、机关运行经费：指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。",
]
