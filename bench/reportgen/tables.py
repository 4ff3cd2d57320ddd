"""The nine standard tables of 第二部分, derived from one Accounts model."""
from __future__ import annotations

from . import codes
from .grid import Amt, LTable, Relation
from .model import FUNDS, Accounts, lei_order

BASE_TITLES = {
    "t1": ["收入支出决算总表", "收支决算总表"], "t2": ["收入决算表"], "t3": ["支出决算表"],
    "t4": ["财政拨款收入支出决算总表"],
    "t5": ["一般公共预算财政拨款支出决算表", "一般公共预算财政拨款支出决算明细表"],
    "t6": ["一般公共预算财政拨款基本支出决算表", "一般公共预算财政拨款基本支出决算明细表"],
    "t7": ["财政拨款“三公”经费支出决算表"], "t8": ["政府性基金预算财政拨款收入支出决算表"],
    "t9": ["国有资本经营预算财政拨款收入支出决算表"],
}
NOTES = {
    "t1": "注：本表反映部门本年度的总收支和年末结转结余情况。", "t2": "注：本表反映部门本年度取得的各项收入情况。",
    "t3": "注：本表反映部门本年度各项支出情况。", "t4": "注：本表反映部门本年度财政拨款总收支和结转结余情况。",
    "t5": "注：本表反映部门本年度一般公共预算财政拨款支出情况。",
    "t6": "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    "t7": "注：本表反映部门本年度“三公”经费支出预决算情况。",
    "t8": "注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
    "t9": "注：本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
}
INCOME_ROWS = [("inc_gpb", "一般公共预算财政拨款收入"), ("inc_gf", "政府性基金预算财政拨款收入"),
               ("inc_soe", "国有资本经营预算财政拨款收入"), ("inc_upper", "上级补助收入"), ("inc_biz", "事业收入"),
               ("inc_oper", "经营收入"), ("inc_affil", "附属单位上缴收入"), ("inc_other", "其他收入")]
FUND_LABEL = {"gpb": "一般公共预算财政拨款", "gf": "政府性基金预算财政拨款", "soe": "国有资本经营预算财政拨款"}


def new_table(key: str, title: str, opts: dict, header, hmerges, widths, landscape=False) -> LTable:
    return LTable(key=key, base_title=title, title=title, unit=opts.get("unit", "万元"), header=header,
                  hmerges=hmerges, rows=[], widths=widths, note=NOTES.get(key, ""), landscape=landscape,
                  thousands=opts.get("thousands", False), zero=opts.get("zero", "0.00"),
                  spaced_labels=opts.get("spaced", False))


def _amt(t: LTable, v: int, key: str, blank=False) -> Amt:
    return Amt(v, key=key, id=f"{t.key}:{key}", blank=blank)


def _label(t: LTable, s: str) -> str:
    from .grid import spaced
    return spaced(s) if t.spaced_labels and len(s) <= 8 else s


def _sum(t: LTable, parent: Amt, children: list, label: str = "") -> None:
    t.relations.append(Relation("sum", parent, list(children), label=label))


def hier(t: LTable, acc: Accounts, items: list, cols: list, total_first=True, horiz=None, balance=None,
         empty=False) -> None:
    """合计 / 类 / 款 / 项 rows with vertical sums, and optional row relations:
    horiz=(parent col, [child cols]); balance=(begin, inc, exp, end) col indexes."""
    groups = []
    leis = sorted({i.lei for i in items})
    for lc in leis:
        li = [i for i in items if i.lei == lc]
        groups.append(("lei", lc, codes.LEI_NAME[lc], li))
        for kc in sorted({i.kuan for i in li}):
            ki = [i for i in li if i.kuan == kc]
            groups.append(("kuan", kc, codes.kuan_name(kc, acc.year), ki))
            groups += [("xiang", i.code, i.name, [i]) for i in ki]

    def amts(code, members):
        return [_amt(t, sum(g(i) for i in members), f"{m}@{code}", blank=empty) for m, g in cols]

    tot = amts("", items)
    cells = {}
    body, kinds = [], []
    for lvl, code, name, mem in groups:
        cells[code] = amts(code, mem)
        body.append([code, name] + cells[code])
        kinds.append(lvl)
    for ci in range(len(cols)):
        _sum(t, tot[ci], [cells[lc][ci] for lc in leis], "合计 = Σ 类")
        for lvl, code, _, mem in groups:
            if lvl == "lei":
                _sum(t, cells[code][ci], [cells[k][ci] for k in sorted({i.kuan for i in mem})], "类 = Σ 款")
            elif lvl == "kuan":
                _sum(t, cells[code][ci], [cells[i.code][ci] for i in mem], "款 = Σ 项")
    for row in [tot] + [cells[g[1]] for g in groups]:
        if horiz:
            _sum(t, row[horiz[0]], [row[j] for j in horiz[1]], "行合计 = Σ 列")
        if balance:
            b, i, e, d = balance
            t.relations.append(Relation("balance", row[d], [row[b], row[i], row[e]], [1, 1, -1],
                                        "年初 + 收入 − 支出 = 年末"))
    total_row = [_label(t, "合计"), None] + tot
    if total_first:
        t.rows = [total_row] + body
        t.row_kinds = ["total"] + kinds
        t.bmerges.append((0, 0, 0, 1))
    else:
        t.rows = body + [total_row]
        t.row_kinds = kinds + ["total"]
        t.bmerges.append((len(body), 0, len(body), 1))


def _hier_header(cols: list[str], grouped: dict | None = None):
    """Two header rows: 项目 over (科目编码, 科目名称), then the amount columns
    (rowspan 2, or grouped under a parent heading)."""
    n = 2 + len(cols)
    r0: list = ["项目", None] + [None] * len(cols)
    r1: list = ["功能分类科目编码", "科目名称"] + [None] * len(cols)
    merges = [(0, 0, 0, 1)]
    grouped = grouped or {}
    ci = 2
    for name in cols:
        g = grouped.get(name)
        if g:
            r0[ci] = g
            r1[ci] = name
        else:
            r0[ci] = name
            merges.append((0, ci, 1, ci))
        ci += 1
    # merge consecutive equal group headings
    ci = 2
    while ci < n:
        if r0[ci] and grouped and r0[ci] in grouped.values():
            cj = ci
            while cj + 1 < n and r1[cj + 1] and grouped.get(r1[cj + 1]) == r0[ci]:
                r0[cj + 1] = None
                cj += 1
            if cj > ci:
                merges.append((0, ci, 0, cj))
            ci = cj + 1
        else:
            ci += 1
    return [r0, r1], merges


def t1(acc: Accounts, o: dict) -> LTable:
    t = new_table("t1", o["title"], o, [["收入", None, "支出", None], ["项目", "决算数", "项目", "决算数"]],
                  [(0, 0, 0, 1), (0, 2, 0, 3)], [3.2, 1.3, 3.2, 1.3])
    inc = acc.income
    left = [(f"{codes.CN_NUM[k]}、{name}", _amt(t, inc[m[4:]], f"{m}@")) for k, (m, name) in enumerate(INCOME_ROWS)]
    right = []
    for k, (lc, name) in enumerate(lei_order(acc.year)):
        v = acc.sum("exp", lambda i, lc=lc: i.lei == lc)
        if v or o.get("all_classes", True):
            right.append((f"{codes.CN_NUM[k]}、{name}", _amt(t, v, f"exp@{lc}")))
    n = max(len(left), len(right))
    for r in range(n):
        lft = left[r] if r < len(left) else ("", None)
        rgt = right[r] if r < len(right) else ("", None)
        t.rows.append([lft[0], lft[1], rgt[0], rgt[1]])
        t.row_kinds.append("item")
    inc_tot = _amt(t, acc.inc_total, "inc@")
    exp_tot = _amt(t, acc.exp_total, "exp@")
    use = _amt(t, acc.nf_use, "nf_use@")
    dist = _amt(t, acc.nf_dist, "nf_dist@")
    b = _amt(t, acc.carry_begin, "carry_begin@")
    e = _amt(t, acc.carry_end, "carry_end@")
    tin = _amt(t, acc.grand_total, "grand_total@")
    tout = Amt(acc.grand_total, key="grand_total@", id="t1:grand_total_out@")
    L = lambda s: _label(t, s)  # noqa: E731
    t.rows += [[L("本年收入合计"), inc_tot, L("本年支出合计"), exp_tot],
               ["使用非财政拨款结余", use, "结余分配", dist],
               ["年初结转和结余", b, "年末结转和结余", e],
               [L("总计"), tin, L("总计"), tout]]
    t.row_kinds += ["total", "carry", "carry", "grand"]
    _sum(t, inc_tot, [x[1] for x in left], "本年收入合计 = Σ 收入")
    _sum(t, exp_tot, [x[1] for x in right], "本年支出合计 = Σ 类")
    _sum(t, tin, [inc_tot, use, b], "总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余")
    _sum(t, tout, [exp_tot, dist, e], "总计 = 本年支出合计 + 结余分配 + 年末结转和结余")
    _sum(t, tout, [tin], "总计（支出）= 总计（收入）")
    t.numeric_cols = [1, 3]
    return t


def t2(acc: Accounts, o: dict) -> LTable:
    cols = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    hdr, m = _hier_header(cols)
    t = new_table("t2", o["title"], o, hdr, m, [1.3, 3.0] + [1.25] * 7, landscape=True)
    items = [i for i in acc.items if i.inc]
    getters = [("inc", lambda i: i.inc), ("inc_fiscal", lambda i: i.inc_fiscal), ("inc_upper", lambda i: i.inc_upper),
               ("inc_biz", lambda i: i.inc_biz), ("inc_oper", lambda i: i.inc_oper),
               ("inc_affil", lambda i: i.inc_affil), ("inc_other", lambda i: i.inc_other)]
    hier(t, acc, items, getters, total_first=True, horiz=(0, [1, 2, 3, 4, 5, 6]))
    t.numeric_cols = list(range(2, 9))
    return t


def t3(acc: Accounts, o: dict) -> LTable:
    cols = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
    hdr, m = _hier_header(cols)
    t = new_table("t3", o["title"], o, hdr, m, [1.3, 3.0] + [1.3] * 6, landscape=True)
    items = [i for i in acc.items if i.exp]
    getters = [("exp", lambda i: i.exp), ("basic", lambda i: i.basic), ("project", lambda i: i.project),
               ("upper", lambda i: i.upper), ("oper", lambda i: i.operating), ("subsidy", lambda i: i.subsidy)]
    hier(t, acc, items, getters, total_first=True, horiz=(0, [1, 2, 3, 4, 5]))
    t.numeric_cols = list(range(2, 8))
    return t


def t4(acc: Accounts, o: dict) -> LTable:
    hdr = [["收入", None, "支出", None, None, None, None],
           ["项目", "决算数", "项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]]
    t = new_table("t4", o["title"], o, hdr, [(0, 0, 0, 1), (0, 2, 0, 6)], [3.0, 1.2, 3.0, 1.2, 1.3, 1.3, 1.3],
                  landscape=True)
    left = [(f"{codes.CN_NUM[k]}、{FUND_LABEL[f]}", _amt(t, acc.sum(f"inc_{f}"), f"inc_{f}@"))
            for k, f in enumerate(FUNDS)]
    right = []
    for k, (lc, name) in enumerate(lei_order(acc.year)):
        its = [i for i in acc.items if i.lei == lc]
        vals = [sum(i.fiscal for i in its)] + [sum(getattr(i, f) for i in its) for f in FUNDS]
        if vals[0] or o.get("all_classes", True):
            cells = [_amt(t, v, f"{m}@{lc}") for v, m in zip(vals, ("fiscal",) + FUNDS)]
            right.append((f"{codes.CN_NUM[k]}、{name}", cells))
            _sum(t, cells[0], cells[1:], "合计 = 一般公共预算 + 政府性基金 + 国有资本经营")
    for r in range(max(len(left), len(right))):
        lft = left[r] if r < len(left) else ("", None)
        rgt = right[r] if r < len(right) else ("", [None] * 4)
        t.rows.append([lft[0], lft[1], rgt[0]] + rgt[1])
        t.row_kinds.append("item")
    L = lambda s: _label(t, s)  # noqa: E731
    inc_tot = _amt(t, acc.sum("inc_fiscal"), "inc_fiscal@")
    exp = [_amt(t, acc.sum("fiscal"), "fiscal@")] + [_amt(t, acc.sum(f), f"{f}@") for f in FUNDS]
    beg = _amt(t, sum(acc.begin(f) for f in FUNDS), "fiscal_begin@")
    begs = [_amt(t, acc.begin(f), f"{f}_begin@") for f in FUNDS]
    end = [_amt(t, sum(acc.end(f) for f in FUNDS), "fiscal_end@")] + [_amt(t, acc.end(f), f"{f}_end@") for f in FUNDS]
    tin = _amt(t, acc.fiscal_total, "fiscal_total@")
    tout = [Amt(acc.fiscal_total, key="fiscal_total@", id="t4:fiscal_total_out@")] + [
        _amt(t, acc.sum(f) + acc.end(f), f"{f}_total_out@") for f in FUNDS]
    t.rows += [[L("本年收入合计"), inc_tot, L("本年支出合计")] + exp,
               ["年初财政拨款结转和结余", beg, "年末财政拨款结转和结余"] + end]
    t.rows += [[f"{codes.CN_NUM[k]}、{FUND_LABEL[f]}", begs[k], "", None, None, None, None] for k, f in enumerate(FUNDS)]
    t.rows += [[L("总计"), tin, L("总计")] + tout]
    t.row_kinds += ["total", "carry", "carry_sub", "carry_sub", "carry_sub", "grand"]
    _sum(t, inc_tot, [x[1] for x in left], "本年收入合计 = Σ 财政拨款收入")
    for ci in range(4):
        _sum(t, exp[ci], [x[1][ci] for x in right], "本年支出合计 = Σ 类")
        _sum(t, tout[ci], [exp[ci], end[ci]], "总计 = 本年支出合计 + 年末财政拨款结转和结余")
    _sum(t, exp[0], exp[1:], "本年支出合计 = 三项财政拨款")
    _sum(t, end[0], end[1:], "年末财政拨款结转和结余 = 三项")
    _sum(t, beg, begs, "年初财政拨款结转和结余 = 三项")
    _sum(t, tin, [inc_tot, beg], "总计 = 本年收入合计 + 年初财政拨款结转和结余")
    _sum(t, tout[0], [tin], "总计（支出）= 总计（收入）")
    t.numeric_cols = [1, 3, 4, 5, 6]
    return t


def t5(acc: Accounts, o: dict) -> LTable:
    hdr, m = _hier_header(["合计", "基本支出", "项目支出"])
    t = new_table("t5", o["title"], o, hdr, m, [1.3, 3.4, 1.5, 1.5, 1.5])
    items = [i for i in acc.items if i.gpb]
    getters = [("gpb", lambda i: i.gpb), ("gpb_basic", lambda i: i.gpb_basic), ("gpb_project", lambda i: i.gpb_project)]
    hier(t, acc, items, getters, total_first=o.get("total_first", False), horiz=(0, [1, 2]))
    t.numeric_cols = [2, 3, 4]
    return t


def t6(acc: Accounts, o: dict) -> LTable:
    hdr = [["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"]]
    t = new_table("t6", o["title"], o, hdr, [], [1.1, 2.6, 1.2, 1.1, 2.6, 1.2])
    all_codes = o.get("all_codes", True)

    def group(g: str):
        name, members = codes.ECON_GROUPS[g]
        kids = [(cd, nm, _amt(t, acc.econ.get(cd, 0), f"econ@{cd}")) for cd, nm in members
                if all_codes or acc.econ.get(cd, 0)]
        head = _amt(t, sum(a.v for _, _, a in kids) if not all_codes else acc.econ_group(g), f"econ@{g}")
        _sum(t, head, [a for _, _, a in kids], f"{g} {name} = Σ 款")
        return head, [(g, name, head)] + kids

    h301, l301 = group("301")
    h303, l303 = group("303")
    h302, l302 = group("302")
    h310, l310 = group("310")
    left, right = l301 + l303, l302 + l310
    for r in range(max(len(left), len(right))):
        a = left[r] if r < len(left) else ("", "", None)
        b = right[r] if r < len(right) else ("", "", None)
        t.rows.append([a[0], a[1], a[2], b[0], b[1], b[2]])
        t.row_kinds.append("group" if a[0] in ("301", "303") or b[0] in ("302", "310") else "item")
    pers = _amt(t, acc.personnel, "personnel@")
    pub = _amt(t, acc.public, "public@")
    r = len(t.rows)
    t.rows.append([_label(t, "人员经费合计"), None, pers, _label(t, "公用经费合计"), None, pub])
    t.row_kinds.append("total")
    t.bmerges += [(r, 0, r, 1), (r, 3, r, 4)]
    _sum(t, pers, [h301, h303], "人员经费合计 = 301 + 303")
    _sum(t, pub, [h302, h310], "公用经费合计 = 302 + 310")
    t.numeric_cols = [2, 5]
    return t


SG_COLS = [("total", "合计"), ("abroad", "因公出国（境）费"), ("car", "小计"), ("car_buy", "公务用车购置费"),
           ("car_run", "公务用车运行维护费"), ("reception", "公务接待费")]


def t7(acc: Accounts, o: dict) -> LTable:
    r0 = ["合计", None, "因公出国（境）费", None, "公务用车购置及运行维护费", None, None, None, None, None,
          "公务接待费", None]
    r1 = [None, None, None, None, "小计", None, "公务用车购置费", None, "公务用车运行维护费", None, None, None]
    r2 = ["预算数", "决算数"] * 6
    merges = [(0, 0, 1, 1), (0, 2, 1, 3), (0, 4, 0, 9), (1, 4, 1, 5), (1, 6, 1, 7), (1, 8, 1, 9), (0, 10, 1, 11)]
    t = new_table("t7", o["title"], o, [r0, r1, r2], merges, [1.0] * 12, landscape=o.get("landscape", True))
    vals = {}
    for side, src in (("b", acc.sangong_budget), ("a", acc.sangong)):
        vals[side] = {k: src[k] for k in ("abroad", "car_buy", "car_run", "reception")}
        vals[side]["car"] = src["car_buy"] + src["car_run"]
        vals[side]["total"] = sum(src.values())
    row, cells = [], {}
    for k, _ in SG_COLS:
        for side in ("b", "a"):
            cells[(k, side)] = _amt(t, vals[side][k], f"sg_{side}_{k}@")
            row.append(cells[(k, side)])
    t.rows = [row]
    t.row_kinds = ["data"]
    if not any(vals["a"].values()) and not any(vals["b"].values()):
        t.empty = True
        t.empty_note = f"说明：{acc.issuer}本年度没有财政拨款“三公”经费支出，故本表无数据。"
    for side in ("b", "a"):
        _sum(t, cells[("total", side)], [cells[("abroad", side)], cells[("car", side)], cells[("reception", side)]],
             "合计 = 出国 + 车 + 接待")
        _sum(t, cells[("car", side)], [cells[("car_buy", side)], cells[("car_run", side)]], "小计 = 购置 + 运行维护")
    t.numeric_cols = list(range(12))
    return t


def fund_table(acc: Accounts, o: dict, key: str, fund: str) -> LTable:
    cols = ["年初结转和结余", "本年收入", "合计", "基本支出", "项目支出", "年末结转和结余"]
    hdr, m = _hier_header(cols, {"合计": "本年支出", "基本支出": "本年支出", "项目支出": "本年支出"})
    t = new_table(key, o["title"], o, hdr, m, [1.2, 3.0] + [1.3] * 6, landscape=True)
    items = [i for i in acc.items if getattr(i, fund) or getattr(i, f"{fund}_begin") or getattr(i, f"{fund}_end")]
    getters = [(f"{fund}_begin", lambda i: getattr(i, f"{fund}_begin")), (f"inc_{fund}", lambda i: getattr(i, f"inc_{fund}")),
               (fund, lambda i: getattr(i, fund)), (f"{fund}_basic", lambda i: getattr(i, f"{fund}_basic")),
               (f"{fund}_project", lambda i: getattr(i, f"{fund}_project")), (f"{fund}_end", lambda i: getattr(i, f"{fund}_end"))]
    t.empty = not items
    hier(t, acc, items, getters, total_first=True, horiz=(2, [3, 4]), balance=(0, 1, 2, 5), empty=t.empty)
    if t.empty:
        t.empty_note = f"说明：{acc.issuer}本年度没有{FUND_LABEL[fund]}收入和支出，故本表无数据。"
    t.numeric_cols = list(range(2, 8))
    return t


def units_table(acc: Accounts) -> LTable:
    t = LTable(key="units", base_title="部门决算单位构成", title="", unit="", header=[["序号", "单位名称", "备注"]],
               hmerges=[], rows=[], widths=[0.8, 5.0, 1.5])
    for k, u in enumerate(acc.profile.units, 1):
        t.rows.append([str(k), u, "行政单位" if "本级" in u else "事业单位"])
        t.row_kinds.append("item")
    return t


BUILDERS = {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7,
            "t8": lambda a, o: fund_table(a, o, "t8", "gf"), "t9": lambda a, o: fund_table(a, o, "t9", "soe")}
