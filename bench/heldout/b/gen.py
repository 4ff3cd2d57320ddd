#!/usr/bin/env python3
"""Generate held-out excerpts g01..g30 (styles not used in /tmp/heldout) and claims.jsonl."""
import json, os, re, random
from decimal import Decimal as D, ROUND_HALF_UP

OUT = "/tmp/heldout2"
os.makedirs(f"{OUT}/docs", exist_ok=True)
DOCS, CLAIMS = {}, []


def q(x, d=2):
    x = D(str(x))
    return x.quantize(D(1).scaleb(-d), rounding=ROUND_HALF_UP)


def pc(a, b, d=2):
    return q(D(str(a)) / D(str(b)) * 100, d)


def T(x, d=2):
    return f"{q(x, d):,.{d}f}"


def C(doc, kind, verdict, stated, computed, quote, why, tol=None):
    CLAIMS.append(dict(id=doc, kind=kind, quote=quote, stated=float(stated),
                       computed=round(float(computed), 4),
                       tolerance_note=tol or "rounding: 1 unit in the last printed digit",
                       verdict=verdict, why=why))


def share_claims(doc, items, total, fmt, why_total="total", d=2):
    for name, v in items:
        s = pc(v, total, d)
        C(doc, "share", "consistent", s, D(str(v)) / D(str(total)) * 100, fmt(name, v, s),
          f"{v}/{total} = {D(str(v))/D(str(total))*100:.4f}%, printed {s}%")


# ====================================================================== g01 小学 单位决算, 8 sources
d = "g01"
src = [("一般公共预算财政拨款收入", D("1862.47")), ("政府性基金预算财政拨款收入", D("35.00")),
       ("国有资本经营预算财政拨款收入", D("0")), ("上级补助收入", D("0")), ("事业收入", D("126.38")),
       ("经营收入", D("0")), ("附属单位上缴收入", D("0")), ("其他收入", D("8.15"))]
inc = sum(v for _, v in src)
carry_in = D("41.26")
b, p = D("1688.52"), D("331.32")
exp = b + p
carry_out = inc + carry_in - exp
tot = inc + carry_in
parts = []
for n, v in src:
    parts.append(f"{n}{v}万元,占比{pc(v, inc) if v else 0}%")
DOCS[d] = f"""临川区第二实验小学2023年度单位决算
第二部分 2023年度单位决算情况说明
一、收入支出决算总体情况说明
本单位2023年度收入总计{tot}万元,支出总计{tot}万元。收入总计由本年收入{inc}万元和年初结转和结余{carry_in}万元构成;支出总计由本年支出{exp}万元和年末结转和结余{carry_out}万元构成。
二、收入决算情况说明
本年收入{inc}万元,收入来源构成为:{';'.join(parts)}。事业收入主要是课后服务收费。
三、支出决算情况说明
本年支出{exp}万元,按支出性质划分:基本支出{b}万元,占比{pc(b, exp)}%;项目支出{p}万元,占比{pc(p, exp)}%。项目支出主要用于学生营养改善计划、校舍维修改造和教育信息化设备购置。
"""
C(d, "sum", "consistent", inc, inc, f"本年收入{inc}万元,收入来源构成为", "8 sources: " + "+".join(str(v) for _, v in src) + f" = {inc}")
C(d, "sum", "consistent", tot, inc + carry_in, f"本单位2023年度收入总计{tot}万元", f"{inc}+{carry_in} = {tot}")
C(d, "sum", "consistent", tot, exp + carry_out, f"支出总计{tot}万元", f"{exp}+{carry_out} = {tot}")
C(d, "sum", "consistent", exp, b + p, f"本年支出{exp}万元,按支出性质划分", f"{b}+{p}")
share_claims(d, [(n, v) for n, v in src if v], inc, lambda n, v, s: f"{n}{v}万元,占比{s}%")
share_claims(d, [("基本支出", b), ("项目支出", p)], exp, lambda n, v, s: f"{n}{v}万元,占比{s}%")

# ====================================================================== g02 功能分类 类/款/项 完成年初预算 (consistent)
d = "g02"
rows = [("教育支出(类)普通教育(款)小学教育(项)", D("1526.30"), D("1498.62"), "决算数小于年初预算数的主要原因是部分教师调出,人员经费减少。"),
        ("教育支出(类)普通教育(款)初中教育(项)", D("1102.45"), D("1102.45"), "决算数与年初预算数一致。"),
        ("社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)", D("286.40"), D("279.18"), "决算数小于年初预算数的主要原因是退休人员增加,缴费基数减少。"),
        ("卫生健康支出(类)行政事业单位医疗(款)事业单位医疗(项)", D("118.60"), D("121.07"), "决算数大于年初预算数的主要原因是医疗保险缴费基数调增。"),
        ("住房保障支出(类)住房改革支出(款)住房公积金(项)", D("96.12"), D("101.35"), "决算数大于年初预算数的主要原因是公积金缴存比例调整。")]
extra = ("教育支出(类)教育费附加安排的支出(款)其他教育费附加安排的支出(项)", D("0"), D("12.60"))
bt = sum(r[1] for r in rows) + extra[1]
at = sum(r[2] for r in rows) + extra[2]
lines = []
for i, (n, bud, act, why) in enumerate(rows, 1):
    lines.append(f"{i}.{n}:年初预算为{T(bud)}万元,支出决算为{T(act)}万元,完成年初预算的{pc(act, bud)}%。{why}")
lines.append(f"6.{extra[0]}:年初预算为0万元,支出决算为{extra[2]}万元,决算数大于年初预算数的主要原因是年中追加校园安全设施改造经费。")
DOCS[d] = f"""五、一般公共预算财政拨款支出决算情况说明
(一)一般公共预算财政拨款支出决算总体情况
2023年度一般公共预算财政拨款支出{T(at)}万元,完成年初预算的{pc(at, bt)}%。
(二)一般公共预算财政拨款支出决算具体情况
""" + "\n".join(lines) + "\n"
C(d, "execution_rate", "consistent", pc(at, bt), at / bt * 100, f"2023年度一般公共预算财政拨款支出{T(at)}万元,完成年初预算的{pc(at, bt)}%",
  f"total 决算 {at} (sum of 6 项) / total 年初预算 {bt}")
for n, bud, act, _ in rows:
    C(d, "execution_rate", "consistent", pc(act, bud), act / bud * 100, f"年初预算为{T(bud)}万元,支出决算为{T(act)}万元,完成年初预算的{pc(act, bud)}%", f"{act}/{bud}")

# ====================================================================== g03 卫生健康 类≠Σ款 (anomaly) + 完成年初预算 wrong (anomaly)
d = "g03"
k1, k2, k3 = D("142.36"), D("583.20"), D("139.87")
ksum = k1 + k2 + k3  # 865.43
kstated = D("856.43")
i1b, i1a = D("312.50"), D("287.16")   # wrong rate
i1s = D("93.16")
i2b, i2a = D("298.50"), k2 - i1a
i3b, i3a = D("132.00"), D("139.87")
DOCS[d] = f"""(二)一般公共预算财政拨款支出决算结构情况
2023年度本部门一般公共预算财政拨款支出中,卫生健康支出(类){kstated}万元,其中:卫生健康管理事务(款){k1}万元,公共卫生(款){k2}万元,行政事业单位医疗(款){k3}万元。
(三)一般公共预算财政拨款支出决算具体情况
1.卫生健康支出(类)公共卫生(款)基本公共卫生服务(项):年初预算为{i1b}万元,支出决算为{i1a}万元,完成年初预算的{i1s}%,决算数小于年初预算数的主要原因是部分项目按进度拨付。
2.卫生健康支出(类)公共卫生(款)重大公共卫生服务(项):年初预算为{i2b}万元,支出决算为{i2a}万元,完成年初预算的{pc(i2a, i2b)}%。
3.卫生健康支出(类)行政事业单位医疗(款)行政单位医疗(项):年初预算为{i3b}万元,支出决算为{i3a}万元,完成年初预算的{pc(i3a, i3b)}%,决算数大于年初预算数的主要原因是新增人员。
"""
C(d, "sum", "anomaly", kstated, ksum, f"卫生健康支出(类){kstated}万元", f"{k1}+{k2}+{k3} = {ksum}, not {kstated} (digits 56/65 transposed); the three 款 are those of the 类 listed with 其中", "sum of 3 parts printed to 0.01: ±0.015")
C(d, "execution_rate", "anomaly", i1s, i1a / i1b * 100, f"完成年初预算的{i1s}%,决算数小于年初预算数", f"{i1a}/{i1b} = {i1a/i1b*100:.4f}%, not {i1s}%")
C(d, "execution_rate", "consistent", pc(i2a, i2b), i2a / i2b * 100, f"支出决算为{i2a}万元,完成年初预算的{pc(i2a, i2b)}%", f"{i2a}/{i2b}")
C(d, "execution_rate", "consistent", pc(i3a, i3b), i3a / i3b * 100, f"支出决算为{i3a}万元,完成年初预算的{pc(i3a, i3b)}%", f"{i3a}/{i3b}")
C(d, "sum", "consistent", k2, i1a + i2a, f"公共卫生(款){k2}万元", f"its two 项 {i1a}+{i2a} = {k2}")

# ====================================================================== g04 政府性基金
d = "g04"
fi, fci, fe = D("1260.00"), D("84.20"), D("1185.36")
fco = fci + fi - fe
fprev = D("980.00")
eprev = D("1240.18")
e1 = D("968.56"); e2 = fe - e1
DOCS[d] = f"""七、政府性基金预算财政拨款收入支出决算情况说明
2023年度本部门政府性基金预算财政拨款年初结转和结余{fci}万元,本年收入{T(fi)}万元,本年支出{T(fe)}万元,年末结转和结余{fco}万元。
本年收入较上年增加{fi - fprev}万元,增长{pc(fi - fprev, fprev)}%,主要原因是城市棚户区改造项目资金增加;本年支出较上年减少{eprev - fe}万元,下降{pc(eprev - fe, eprev)}%。
政府性基金预算财政拨款支出主要用于:城乡社区支出(类)国有土地使用权出让收入安排的支出(款)城市建设支出(项){e1}万元,占政府性基金预算财政拨款支出的{pc(e1, fe)}%;其他支出(类)彩票公益金安排的支出(款)用于社会福利的彩票公益金支出(项){e2}万元,占{pc(e2, fe)}%。
"""
C(d, "sum", "consistent", fco, fci + fi - fe, f"年末结转和结余{fco}万元", f"{fci}+{fi}-{fe} = {fco}")
C(d, "growth", "consistent", pc(fi - fprev, fprev), (fi - fprev) / fprev * 100, f"本年收入较上年增加{fi - fprev}万元,增长{pc(fi - fprev, fprev)}%", f"base {fi}-{fi-fprev} = {fprev}; {fi-fprev}/{fprev}")
C(d, "growth", "consistent", pc(eprev - fe, eprev), (eprev - fe) / eprev * 100, f"本年支出较上年减少{eprev - fe}万元,下降{pc(eprev - fe, eprev)}%", f"base {fe}+{eprev-fe} = {eprev}")
C(d, "share", "consistent", pc(e1, fe), e1 / fe * 100, f"{e1}万元,占政府性基金预算财政拨款支出的{pc(e1, fe)}%", f"{e1}/{fe}")
C(d, "share", "consistent", pc(e2, fe), e2 / fe * 100, f"{e2}万元,占{pc(e2, fe)}%", f"{e2}/{fe}")
C(d, "sum", "consistent", fe, e1 + e2, f"本年支出{T(fe)}万元", f"{e1}+{e2}")

# ====================================================================== g05 国有资本经营 亿元
d = "g05"
parts5 = [("利润收入", D("3.12")), ("股利、股息收入", D("1.05")), ("产权转让收入", D("0.52")), ("其他国有资本经营预算收入", D("0.17"))]
r5 = sum(v for _, v in parts5)
bud5, prev5 = D("4.50"), D("4.33")
ex5, exb5 = D("3.41"), D("3.60")
tr5 = D("1.46")
DOCS[d] = f"""2023年市本级国有资本经营预算执行情况
市本级国有资本经营预算收入{r5}亿元,为预算的{pc(r5, bud5, 1)}%,比上年增长{pc(r5 - prev5, prev5, 1)}%。分项看:{'; '.join(f'{n}{v}亿元,占{pc(v, r5, 1)}%' for n, v in parts5)}。
市本级国有资本经营预算支出{ex5}亿元,完成预算的{pc(ex5, exb5, 1)}%,主要用于国有企业资本金注入{D('2.18')}亿元、解决历史遗留问题及改革成本支出{D('1.23')}亿元。
按规定调出资金{tr5}亿元用于补充一般公共预算,调出比例为30%。
(预算数:收入{bud5}亿元,支出{exb5}亿元;上年收入决算数{prev5}亿元)
"""
C(d, "sum", "consistent", r5, r5, f"市本级国有资本经营预算收入{r5}亿元", "+".join(str(v) for _, v in parts5) + f" = {r5}")
C(d, "execution_rate", "consistent", pc(r5, bud5, 1), r5 / bud5 * 100, f"为预算的{pc(r5, bud5, 1)}%", f"{r5}/{bud5}")
C(d, "growth", "consistent", pc(r5 - prev5, prev5, 1), (r5 - prev5) / prev5 * 100, f"比上年增长{pc(r5 - prev5, prev5, 1)}%", f"({r5}-{prev5})/{prev5}")
share_claims(d, parts5, r5, lambda n, v, s: f"{n}{v}亿元,占{s}%", d=1)
C(d, "execution_rate", "consistent", pc(ex5, exb5, 1), ex5 / exb5 * 100, f"完成预算的{pc(ex5, exb5, 1)}%", f"{ex5}/{exb5}")
C(d, "sum", "consistent", ex5, D("2.18") + D("1.23"), f"市本级国有资本经营预算支出{ex5}亿元", "2.18+1.23")
C(d, "share", "consistent", 30, tr5 / r5 * 100, "调出比例为30%", f"{tr5}/{r5} = 30.04%, printed as integer 30%", "integer percent: ±0.5 pp")

# ====================================================================== g06 機關運行經費 traditional
d = "g06"
m6 = [("辦公費", D("21.35")), ("水費、電費", D("12.60")), ("差旅費", D("9.84")), ("公務用車運行維護費", D("6.10")), ("其他商品和服務支出", D("36.38"))]
t6 = sum(v for _, v in m6)
dec6 = D("4.51"); prev6 = t6 + dec6
staff6 = 38
DOCS[d] = f"""十、機關運行經費支出說明
2023年度本部門機關運行經費支出{t6}萬元,比上年減少{dec6}萬元,下降{pc(dec6, prev6)}%。主要原因是厲行節約,壓減一般性支出。機關運行經費主要包括:{','.join(f'{n}{v}萬元' for n, v in m6)}。其中辦公費占機關運行經費的{pc(m6[0][1], t6)}%,其他商品和服務支出占{pc(m6[4][1], t6)}%。
按在職人員{staff6}人計算,人均機關運行經費{q(t6 / staff6)}萬元。
"""
C(d, "growth", "consistent", pc(dec6, prev6), dec6 / prev6 * 100, f"比上年減少{dec6}萬元,下降{pc(dec6, prev6)}%", f"base {t6}+{dec6} = {prev6}; {dec6}/{prev6}")
C(d, "sum", "consistent", t6, t6, f"機關運行經費支出{t6}萬元", "+".join(str(v) for _, v in m6))
C(d, "share", "consistent", pc(m6[0][1], t6), m6[0][1] / t6 * 100, f"辦公費占機關運行經費的{pc(m6[0][1], t6)}%", f"{m6[0][1]}/{t6}")
C(d, "share", "consistent", pc(m6[4][1], t6), m6[4][1] / t6 * 100, f"其他商品和服務支出占{pc(m6[4][1], t6)}%", f"{m6[4][1]}/{t6}")
C(d, "ratio", "consistent", q(t6 / staff6), t6 / staff6, f"人均機關運行經費{q(t6 / staff6)}萬元", f"{t6}/{staff6}")

# ====================================================================== g07 机关运行经费 growth on wrong base (anomaly)
d = "g07"
c7, s7 = D("130.12"), D("12.24")
t7 = c7 + s7
inc7 = D("12.36"); prev7 = t7 - inc7
wrong7 = pc(inc7, t7)
bud7 = D("150.00")
DOCS[d] = f"""(十)机关运行经费
本部门2023年机关运行经费支出{t7}万元,较2022年增加{inc7}万元,增长{wrong7}%。增加的主要原因:一是机构改革后新增划入职能,办公场所搬迁;二是按要求更新部分超期服役办公设备。
其中:商品和服务支出{c7}万元,占{pc(c7, t7)}%;资本性支出(办公设备购置){s7}万元,占{pc(s7, t7)}%。
机关运行经费年初预算{bud7}万元,预算执行率{pc(t7, bud7)}%。
"""
C(d, "growth", "anomaly", wrong7, inc7 / prev7 * 100, f"较2022年增加{inc7}万元,增长{wrong7}%", f"base {t7}-{inc7} = {prev7}; {inc7}/{prev7} = {inc7/prev7*100:.4f}%; the printed {wrong7}% is {inc7}/{t7} (this year as base)")
C(d, "sum", "consistent", t7, c7 + s7, f"机关运行经费支出{t7}万元", f"{c7}+{s7}")
C(d, "share", "consistent", pc(c7, t7), c7 / t7 * 100, f"商品和服务支出{c7}万元,占{pc(c7, t7)}%", f"{c7}/{t7}")
C(d, "share", "consistent", pc(s7, t7), s7 / t7 * 100, f"{s7}万元,占{pc(s7, t7)}%", f"{s7}/{t7}")
C(d, "execution_rate", "consistent", pc(t7, bud7), t7 / bud7 * 100, f"预算执行率{pc(t7, bud7)}%", f"{t7}/{bud7}")

# ====================================================================== g08 国有资产占用 (consistent), one cell a line
d = "g08"
veh = [("机要通信用车", 2), ("应急保障用车", 3), ("执法执勤用车", 6), ("特种专业技术用车", 1), ("其他用车", 2)]
nveh = sum(v for _, v in veh)
a8 = [("流动资产", D("1206.45")), ("固定资产", D("3917.60")), ("无形资产", D("86.13")), ("在建工程", D("222.00"))]
ta8 = sum(v for _, v in a8)
inc8 = D("312.46"); prev8 = ta8 - inc8
DOCS[d] = f"""十二、国有资产占用情况说明
截至2023年12月31日,本部门共有车辆{nveh}辆,其中:{','.join(f'{n}{v}辆' for n, v in veh)};单价100万元(含)以上设备(不含车辆)2台(套)。
资产总额{T(ta8)}万元,比上年增加{inc8}万元,增长{pc(inc8, prev8)}%,其中固定资产{T(a8[1][1])}万元,占{pc(a8[1][1], ta8)}%;流动资产{T(a8[0][1])}万元,占{pc(a8[0][1], ta8)}%。
房屋建筑物面积12,860平方米,其中办公用房4,230平方米,业务用房8,630平方米。
国有资产占用情况表
单位:万元
项目
年末数
""" + "".join(f"{n}\n{T(v)}\n" for n, v in a8) + f"资产总计\n{T(ta8)}\n"
C(d, "sum", "consistent", nveh, nveh, f"本部门共有车辆{nveh}辆", "+".join(str(v) for _, v in veh), "counts exact")
C(d, "sum", "consistent", ta8, ta8, f"资产总计\n{T(ta8)}", "+".join(str(v) for _, v in a8))
C(d, "growth", "consistent", pc(inc8, prev8), inc8 / prev8 * 100, f"比上年增加{inc8}万元,增长{pc(inc8, prev8)}%", f"base {ta8}-{inc8} = {prev8}")
C(d, "share", "consistent", pc(a8[1][1], ta8), a8[1][1] / ta8 * 100, f"固定资产{T(a8[1][1])}万元,占{pc(a8[1][1], ta8)}%", f"{a8[1][1]}/{ta8}")
C(d, "share", "consistent", pc(a8[0][1], ta8), a8[0][1] / ta8 * 100, f"流动资产{T(a8[0][1])}万元,占{pc(a8[0][1], ta8)}%", f"{a8[0][1]}/{ta8}")
C(d, "sum", "consistent", 12860, 4230 + 8630, "房屋建筑物面积12,860平方米", "4230+8630", "exact")

# ====================================================================== g09 资产 pipe table, 合计 wrong (anomaly)
d = "g09"
a9 = [("流动资产", D("580.12"), D("612.30")), ("固定资产", D("2050.33"), D("2108.74")), ("无形资产", D("40.10"), D("35.48"))]
b9 = sum(r[1] for r in a9); e9true = sum(r[2] for r in a9); e9 = D("2846.52")
DOCS[d] = f"""十一、国有资产占用情况
截至2023年末,本单位资产总额{T(e9)}万元,比年初增加{e9 - b9}万元,增长{pc(e9 - b9, b9)}%。本单位共有车辆5辆,均为执法执勤用车。
资产情况表 | 单位:万元 |
资产类别 | 年初数 | 年末数 |
""" + "".join(f"{n} | {T(x)} | {T(y)} |\n" for n, x, y in a9) + f"合计 | {T(b9)} | {T(e9)} |\n"
C(d, "sum", "anomaly", e9, e9true, f"合计 | {T(b9)} | {T(e9)} |", f"年末数 {' + '.join(str(r[2]) for r in a9)} = {e9true}, not {e9}", "sum of 3 parts printed to 0.01")
C(d, "sum", "consistent", b9, b9, f"合计 | {T(b9)}", f"年初数 {' + '.join(str(r[1]) for r in a9)} = {b9}")
C(d, "growth", "consistent", pc(e9 - b9, b9), (e9 - b9) / b9 * 100, f"比年初增加{e9 - b9}万元,增长{pc(e9 - b9, b9)}%", f"{e9}-{b9} = {e9-b9}; /{b9} (follows from the printed, wrong, total)")

# ====================================================================== g10 政府采购 元 (consistent)
d = "g10"
g10 = [("货物", D("1215600.00"), D("1065600.00")), ("工程", D("1680000.00"), D("1490000.00")), ("服务", D("756880.00"), D("552600.00"))]
tg = sum(r[1] for r in g10); sme = sum(r[2] for r in g10); small = D("2235000.00")
DOCS[d] = f"""十三、政府采购支出说明
2023年度本部门政府采购支出总额{T(tg)}元,其中:政府采购货物支出{T(g10[0][1])}元、政府采购工程支出{T(g10[1][1])}元、政府采购服务支出{T(g10[2][1])}元。
授予中小企业合同金额{T(sme)}元,占政府采购支出总额的{pc(sme, tg)}%,其中:授予小微企业合同金额{T(small)}元,占授予中小企业合同金额的{pc(small, sme)}%。货物采购授予中小企业合同金额占货物支出金额的{pc(g10[0][2], g10[0][1])}%,工程采购授予中小企业合同金额占工程支出金额的{pc(g10[1][2], g10[1][1])}%,服务采购授予中小企业合同金额占服务支出金额的{pc(g10[2][2], g10[2][1])}%。
(货物、工程、服务授予中小企业合同金额分别为{T(g10[0][2])}元、{T(g10[1][2])}元、{T(g10[2][2])}元)
"""
C(d, "sum", "consistent", tg, tg, f"政府采购支出总额{T(tg)}元", "+".join(str(r[1]) for r in g10))
C(d, "share", "consistent", pc(sme, tg), sme / tg * 100, f"占政府采购支出总额的{pc(sme, tg)}%", f"{sme}/{tg}")
C(d, "share", "consistent", pc(small, sme), small / sme * 100, f"占授予中小企业合同金额的{pc(small, sme)}%", f"{small}/{sme}")
for n, x, y in g10:
    C(d, "share", "consistent", pc(y, x), y / x * 100, f"{n}支出金额的{pc(y, x)}%", f"{y}/{x}")
C(d, "sum", "consistent", sme, sme, f"授予中小企业合同金额{T(sme)}元", "+".join(str(r[2]) for r in g10))

# ====================================================================== g11 政府采购 小微 share on wrong base (anomaly)
d = "g11"
g11 = [("货物", D("312.60")), ("工程", D("805.00")), ("服务", D("168.80"))]
t11 = sum(v for _, v in g11); sme11 = D("1102.35"); sm11 = D("648.20"); prev11 = D("1152.00")
wrong11 = pc(sm11, t11)
DOCS[d] = f"""(十三)政府采购情况
2023年度,本单位政府采购支出总额{t11}万元,较上年增加{t11 - prev11}万元,增长{pc(t11 - prev11, prev11)}%。其中:政府采购货物支出{g11[0][1]}万元、政府采购工程支出{g11[1][1]}万元、政府采购服务支出{g11[2][1]}万元。主要用于教学楼维修改造及实验室设备购置。
授予中小企业合同金额{sme11}万元,占政府采购支出总额的{pc(sme11, t11)}%,其中授予小微企业合同金额{sm11}万元,占授予中小企业合同金额的{wrong11}%。
"""
C(d, "sum", "consistent", t11, t11, f"政府采购支出总额{t11}万元", "+".join(str(v) for _, v in g11))
C(d, "growth", "consistent", pc(t11 - prev11, prev11), (t11 - prev11) / prev11 * 100, f"较上年增加{t11 - prev11}万元,增长{pc(t11 - prev11, prev11)}%", f"base {prev11}")
C(d, "share", "consistent", pc(sme11, t11), sme11 / t11 * 100, f"占政府采购支出总额的{pc(sme11, t11)}%", f"{sme11}/{t11}")
C(d, "share", "anomaly", wrong11, sm11 / sme11 * 100, f"占授予中小企业合同金额的{wrong11}%", f"{sm11}/{sme11} = {sm11/sme11*100:.4f}%; the printed {wrong11}% is {sm11}/{t11} (share of the whole procurement total)")

# ====================================================================== g12 预算绩效管理 (consistent)
d = "g12"
n12, amt12, whole12, ev12 = 27, D("1863.45"), D("2916.80"), D("612.30")
DOCS[d] = f"""八、预算绩效管理情况说明
根据预算绩效管理要求,本部门组织对2023年度一般公共预算项目支出全面开展绩效自评,共涉及项目{n12}个,资金{T(amt12)}万元,占一般公共预算项目支出总额的100%。其中,一级项目4个,二级项目23个。从评价情况来看,评价等级为"优"的项目21个,"良"的项目5个,"中"的项目1个,优良率{pc(26, 27)}%。
本部门2023年度一般公共预算支出{T(whole12)}万元,项目支出占{pc(amt12, whole12)}%。
组织对"农村公路养护"、"城乡环境综合整治"、"防汛抗旱"等3个项目开展了部门评价,涉及一般公共预算支出{ev12}万元,占一般公共预算项目支出总额的{pc(ev12, amt12)}%。
"""
C(d, "sum", "consistent", 27, 27, f"共涉及项目{n12}个", "一级4+二级23 = 27; 优21+良5+中1 = 27", "counts exact")
C(d, "share", "consistent", pc(26, 27), D(26) / 27 * 100, f"优良率{pc(26, 27)}%", "(21+5)/27")
C(d, "share", "consistent", pc(amt12, whole12), amt12 / whole12 * 100, f"项目支出占{pc(amt12, whole12)}%", f"{amt12}/{whole12}")
C(d, "share", "consistent", pc(ev12, amt12), ev12 / amt12 * 100, f"占一般公共预算项目支出总额的{pc(ev12, amt12)}%", f"{ev12}/{amt12}")

# ====================================================================== g13 绩效管理 counts (anomaly) + coverage share (anomaly)
d = "g13"
amt13, ev13 = D("956.20"), D("286.50")
wrong13 = D("31.96")
DOCS[d] = f"""(八)预算绩效管理工作开展情况
2023年,本部门对纳入预算管理的项目全部编报绩效目标,绩效目标覆盖率100%。年度终了,对全部项目开展绩效自评,共涉及项目18个,资金{amt13}万元,其中:人员类项目5个,运转类项目6个,特定目标类项目8个。自评结果为"优"的项目15个,"良"的项目3个。
同时选取"义务教育学生资助"等3个重点项目开展部门评价,涉及资金{ev13}万元,占本次自评资金总额的{wrong13}%。评价结果已在部门网站公开(联系电话:0831-8236514)。
"""
C(d, "sum", "anomaly", 18, 19, "共涉及项目18个", "人员类5+运转类6+特定目标类8 = 19, not 18 (优15+良3 = 18)", "counts exact")
C(d, "share", "anomaly", wrong13, ev13 / amt13 * 100, f"占本次自评资金总额的{wrong13}%", f"{ev13}/{amt13} = {ev13/amt13*100:.4f}%, not {wrong13}%")

# ====================================================================== g14 乡镇 PDF wrapped with headers/page numbers
d = "g14"
cls = [("一般公共服务支出", D("1025.36")), ("公共安全支出", D("48.20")), ("社会保障和就业支出", D("612.48")),
       ("卫生健康支出", D("96.35")), ("节能环保支出", D("35.00")), ("城乡社区支出", D("428.60")),
       ("农林水支出", D("986.15")), ("住房保障支出", D("54.40"))]
t14 = sum(v for _, v in cls)
prev14 = D("3018.92")
body = (f"六、一般公共预算财政拨款支出决算情况说明\n"
        f"2023年度本单位一般公共预算财政拨款支出{T(t14)}万元,比上年增加{T(t14 - prev14)}万元,增长{pc(t14 - prev14, prev14)}%,主要原因是乡村振兴衔接项目和防汛救灾支出增加。"
        f"按支出功能分类,主要用于以下方面:" + ";".join(f"{n}(类){T(v)}万元,占{pc(v, t14)}%" for n, v in cls) + "。\n"
        "七、一般公共预算财政拨款基本支出决算情况说明\n2023年度本单位一般公共预算财政拨款基本支出1,562.30万元,其中:人员经费1,398.74万元,公用经费163.56万元。\n")


def wrap(text, n=30):
    out = []
    for line in text.split("\n"):
        cur = ""
        for t in re.findall(r"[\d,.%]+|.", line):
            if len(cur) + len(t) > n and cur:
                out.append(cur); cur = ""
            cur += t
        out.append(cur)
    return out


HDR = "青山镇人民政府2023年度部门决算"
ls14 = wrap(body)
out14 = [HDR]
pg = 7
for i, l in enumerate(ls14, 1):
    out14.append(l)
    if i % 9 == 0:
        out14 += [f"- {pg} -", HDR]; pg += 1
out14.append(f"- {pg} -")
DOCS[d] = "\n".join(out14) + "\n"
WRAPPED = {"g14": ["- \\d+ -", HDR]}
C(d, "sum", "consistent", t14, t14, f"财政拨款支出{T(t14)}万元", "sum of 8 类 = " + "+".join(str(v) for _, v in cls))
C(d, "growth", "consistent", pc(t14 - prev14, prev14), (t14 - prev14) / prev14 * 100, f"增长{pc(t14 - prev14, prev14)}%", f"({t14}-{prev14})/{prev14}; increase printed {t14-prev14}")
share_claims(d, cls, t14, lambda n, v, s: f"{n}(类){T(v)}万元,占{s}%")
C(d, "sum", "consistent", D("1562.30"), D("1398.74") + D("163.56"), "基本支出1,562.30万元", "1398.74+163.56")

# ====================================================================== g15 医院 元 (consistent)
d = "g15"
i15 = [("财政拨款收入", D("12856300.00")), ("事业收入", D("86452918.36")), ("其他收入", D("1205337.42"))]
ti15 = sum(v for _, v in i15)
ci15 = D("3562140.88")
b15, p15 = D("91236548.20"), D("8964210.35")
te15 = b15 + p15
co15 = ti15 + ci15 - te15
DOCS[d] = f"""县人民医院2023年度单位决算说明
一、收入支出决算总体情况
2023年度收入总计{T(ti15 + ci15)}元,其中本年收入合计{T(ti15)}元,年初结转和结余{T(ci15)}元;支出总计{T(te15 + co15)}元,其中本年支出合计{T(te15)}元,年末结转和结余{T(co15)}元。
二、收入决算情况
本年收入合计{T(ti15)}元。其中:{';'.join(f'{n}{T(v)}元,占本年收入合计的{pc(v, ti15)}%' for n, v in i15)}。事业收入中医疗收入占绝大部分。
三、支出决算情况
本年支出合计{T(te15)}元。其中:基本支出{T(b15)}元,占{pc(b15, te15)}%;项目支出{T(p15)}元,占{pc(p15, te15)}%,主要用于医疗设备购置和公共卫生服务项目。
"""
C(d, "sum", "consistent", ti15, ti15, f"本年收入合计{T(ti15)}元。", "+".join(str(v) for _, v in i15))
C(d, "sum", "consistent", ti15 + ci15, ti15 + ci15, f"收入总计{T(ti15 + ci15)}元", f"{ti15}+{ci15}")
C(d, "sum", "consistent", te15 + co15, te15 + co15, f"支出总计{T(te15 + co15)}元", f"{te15}+{co15}, equals 收入总计")
C(d, "sum", "consistent", te15, b15 + p15, f"本年支出合计{T(te15)}元。", f"{b15}+{p15}")
share_claims(d, i15, ti15, lambda n, v, s: f"{n}{T(v)}元,占本年收入合计的{s}%")
share_claims(d, [("基本支出", b15), ("项目支出", p15)], te15, lambda n, v, s: f"{n}{T(v)}元,占{s}%")

# ====================================================================== g16 医院 pipe 总表 收入总计≠支出总计 (anomaly)
d = "g16"
r16 = [("一、一般公共预算财政拨款收入", D("5230000.00"), "一、卫生健康支出", D("41862500.36")),
       ("二、政府性基金预算财政拨款收入", D("0.00"), "二、社会保障和就业支出", D("2158630.00")),
       ("三、事业收入", D("38425187.52"), "三、住房保障支出", D("1263400.00")),
       ("四、其他收入", D("812436.20"), "", None)]
ti16 = sum(r[1] for r in r16); te16 = sum(r[3] for r in r16 if r[3] is not None)
ci16 = D("2416820.35")
co16 = D("1864300.14")
tot_in = ti16 + ci16; tot_out = te16 + co16
lines16 = ["收入支出决算总表", "编制单位:县中医医院 | 2023年度 | 单位:元 |", "项目 | 金额 | 项目 | 金额 |"]
for a, x, c, y in r16:
    lines16.append(f"{a} | {T(x)} | {c} | {T(y) if y is not None else ''} |")
lines16 += [f"本年收入合计 | {T(ti16)} | 本年支出合计 | {T(te16)} |",
            f"年初结转和结余 | {T(ci16)} | 年末结转和结余 | {T(co16)} |",
            f"收入总计 | {T(tot_in)} | 支出总计 | {T(tot_out)} |"]
DOCS[d] = "\n".join(lines16) + "\n"
C(d, "other", "anomaly", tot_in, tot_out, f"收入总计 | {T(tot_in)} | 支出总计 | {T(tot_out)} |",
  f"收入总计 {ti16}+{ci16} = {tot_in} but 支出总计 {te16}+{co16} = {tot_out}; the two totals of a 收入支出决算总表 must be equal (年末结转 should be {tot_in - te16})",
  "identity: 收入总计 = 支出总计; computed = the 支出总计 it should equal")
C(d, "sum", "consistent", ti16, ti16, f"本年收入合计 | {T(ti16)}", "+".join(str(r[1]) for r in r16))
C(d, "sum", "consistent", te16, te16, f"本年支出合计 | {T(te16)}", "+".join(str(r[3]) for r in r16 if r[3] is not None))

# ====================================================================== g17 绩效自评 key:value lines; missed indicator full score + 总分≠Σ (anomalies)
d = "g17"
bud17, ex17 = D("96.00"), D("91.20")
rate17 = pc(ex17, bud17)
sc17 = q(rate17 / 10)
ind17 = [("数量指标", "整治隐患路段", "≥45处", "48处", 15, 15),
         ("质量指标", "验收合格率", "=100%", "100%", 15, 15),
         ("时效指标", "整改完成时限", "≤60天", "52天", 10, 10),
         ("成本指标", "每公里整治成本", "≤2.5万元", "2.38万元", 10, 10),
         ("社会效益指标", "道路交通事故起数下降率", "≥10%", "7.6%", 20, 20),
         ("可持续影响指标", "隐患路段长效管护机制", "建立", "已建立", 10, 10),
         ("满意度指标", "沿线群众满意度", "≥90%", "93%", 10, 10)]
sum17 = sc17 + sum(D(r[5]) for r in ind17)
st17 = D("97.50")
L = [f"项目名称:2023年乡村道路安全隐患整治", f"资金情况:年初预算数80.00万元;全年预算数{bud17}万元;全年执行数{ex17}万元;执行率{rate17}%;分值10分;得分{sc17}分。"]
for i, (k, n, t, a, w, s) in enumerate(ind17, 1):
    L.append(f"指标{i}—{k}—{n}:指标值{t};实际完成值{a};分值{w}分;得分{s}分。")
L.append(f"自评得分:{st17}分,自评等级:优。")
L.append("偏差原因:无。")
DOCS[d] = "项目支出绩效自评结果\n" + "\n".join(L) + "\n"
C(d, "execution_rate", "consistent", rate17, ex17 / bud17 * 100, f"执行率{rate17}%", f"{ex17}/{bud17}")
C(d, "other", "consistent", sc17, ex17 / bud17 * 10, f"得分{sc17}分。", f"10 × {rate17}%")
C(d, "target", "anomaly", 10, D("7.6"), "道路交通事故起数下降率:指标值≥10%;实际完成值7.6%;分值20分;得分20分",
  "actual 7.6% misses the target ≥10% (76% of target) yet the indicator is given the full 20 points and 偏差原因 says 无", "target comparison; full score for a miss")
C(d, "sum", "anomaly", st17, sum17, f"自评得分:{st17}分", f"{sc17} + " + "+".join(str(r[5]) for r in ind17) + f" = {sum17}, not {st17}", "sum of printed scores ±0.01")
C(d, "target", "consistent", 60, 52, "整改完成时限:指标值≤60天;实际完成值52天", "52 ≤ 60 met")
C(d, "target", "consistent", D("2.5"), D("2.38"), "每公里整治成本:指标值≤2.5万元;实际完成值2.38万元", "2.38 ≤ 2.5 met")

# ====================================================================== g18 绩效自评 space-separated table (consistent)
d = "g18"
bud18, ex18 = D("150"), D("146.85")
rate18 = pc(ex18, bud18); sc18 = q(rate18 / 10)
ind18 = [("产出指标", "数量指标", "村级污水处理站点建设数量", "≥12个", "12个", 20, 20),
         ("产出指标", "质量指标", "出水水质达标率", "≥95%", "96.3%", 15, 15),
         ("产出指标", "时效指标", "项目完工率", "=100%", "100%", 10, 10),
         ("产出指标", "成本指标", "单个站点建设成本", "≤12万元", "11.6万元", 5, 5),
         ("效益指标", "生态效益指标", "化学需氧量削减量", "≥30吨", "32.5吨", 15, 15),
         ("效益指标", "社会效益指标", "群众投诉次数", "<3次", "0次", 5, 5),
         ("效益指标", "可持续影响指标", "设施正常运行率", "≥90%", "94%", 10, 10),
         ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥85%", "91%", 10, 10)]
tot18 = sc18 + sum(D(r[6]) for r in ind18)
L = ["2023年度项目支出绩效自评表", "项目名称 农村生活污水治理", "项目资金(万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分",
     f"年度资金总额 {bud18} {bud18} {ex18} 10 {rate18}% {sc18}", f"其中:财政拨款 {bud18} {bud18} {ex18} - - -",
     "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分"]
for r in ind18:
    L.append(" ".join(str(x) for x in r))
L.append(f"总分 100 {tot18}")
DOCS[d] = "\n".join(L) + "\n"
C(d, "execution_rate", "consistent", rate18, ex18 / bud18 * 100, f"{ex18} 10 {rate18}%", f"{ex18}/{bud18}")
C(d, "other", "consistent", sc18, ex18 / bud18 * 10, f"{rate18}% {sc18}", f"10 × {rate18}%")
C(d, "sum", "consistent", tot18, tot18, f"总分 100 {tot18}", f"{sc18} + " + "+".join(str(r[6]) for r in ind18))
C(d, "sum", "consistent", 100, 10 + sum(r[5] for r in ind18), "总分 100", "10 + " + "+".join(str(r[5]) for r in ind18), "exact")
C(d, "target", "consistent", 3, 0, "群众投诉次数 <3次 0次", "0 < 3 met")
C(d, "target", "consistent", 85, 91, "受益群众满意度 ≥85% 91%", "91 ≥ 85 met")

# ====================================================================== g19 traditional 收入, 持平, 增長0%
d = "g19"
i19 = [("一般公共預算財政撥款收入", D("1298.52")), ("政府性基金預算財政撥款收入", D("33.20")), ("上級補助收入", D("20.00")), ("其他收入", D("5.00"))]
t19 = sum(v for _, v in i19); inc19 = D("86.40"); prev19 = t19 - inc19
DOCS[d] = f"""二、收入決算情況說明
2023年度本年收入合計{T(t19)}萬元,比上年增加{inc19}萬元,增長{pc(inc19, prev19)}%。其中:{';'.join(f'{n}{v}萬元,佔{pc(v, t19)}%' for n, v in i19)}。
上級補助收入20.00萬元,與上年(20.00萬元)持平;其他收入5.00萬元,上年為5.00萬元,增長0%。一般公共預算財政撥款收入增加的主要原因是人員調資及新增鄉村振興專項經費。
"""
C(d, "growth", "consistent", pc(inc19, prev19), inc19 / prev19 * 100, f"比上年增加{inc19}萬元,增長{pc(inc19, prev19)}%", f"base {t19}-{inc19} = {prev19}")
C(d, "sum", "consistent", t19, t19, f"本年收入合計{T(t19)}萬元", "+".join(str(v) for _, v in i19))
share_claims(d, i19, t19, lambda n, v, s: f"{n}{v}萬元,佔{s}%")
C(d, "other", "consistent", 20, 20, "與上年(20.00萬元)持平", "20.00 = 20.00, 持平 is right")
C(d, "growth", "consistent", 0, 0, "上年為5.00萬元,增長0%", "5.00 vs 5.00 → 0%")

# ====================================================================== g20 三公 pipe with negatives, 无变化 (consistent)
d = "g20"
car_b, car_a, car_p = D("12.00"), D("10.80"), D("12.35")
rec_b, rec_a, rec_p = D("6.50"), D("4.82"), D("5.50")
tb, ta, tp = car_b + rec_b, car_a + rec_a, car_p + rec_p


def rowg(n, bb, a, pv):
    dd = a - pv
    return f"{n} | {bb} | {a} | {pv} | {dd} | {pc(dd, pv)}% |"


visits = 312
DOCS[d] = f"""“三公”经费支出决算情况表
单位:万元
项目 | 预算数 | 决算数 | 上年决算数 | 增减额 | 增减率 |
{rowg('合计', tb, ta, tp)}
因公出国(境)费 | 0 | 0 | 0 | 0 | 无变化 |
{rowg('公务用车购置及运行维护费', car_b, car_a, car_p)}
其中:公务用车购置费 | 0 | 0 | 0 | 0 | 无变化 |
{rowg('公务用车运行维护费', car_b, car_a, car_p)}
{rowg('公务接待费', rec_b, rec_a, rec_p)}
说明:2023年度“三公”经费支出{ta}万元,完成预算的{pc(ta, tb)}%,比上年减少{tp - ta}万元,下降{pc(tp - ta, tp)}%。全年国内公务接待46批次、{visits}人次,人均接待费{q(rec_a * 10000 / visits)}元。年末公务用车保有量6辆。
"""
C(d, "sum", "consistent", ta, car_a + rec_a, f"合计 | {tb} | {ta}", f"{car_a}+{rec_a}; budget {car_b}+{rec_b} = {tb}")
C(d, "sum", "consistent", tp, car_p + rec_p, f"| {tp} | {ta - tp} |", f"{car_p}+{rec_p}")
C(d, "growth", "consistent", pc(ta - tp, tp), (ta - tp) / tp * 100, f"| {ta - tp} | {pc(ta - tp, tp)}% |", f"({ta}-{tp})/{tp}")
C(d, "growth", "consistent", pc(car_a - car_p, car_p), (car_a - car_p) / car_p * 100, f"| {car_a - car_p} | {pc(car_a - car_p, car_p)}% |", f"({car_a}-{car_p})/{car_p}")
C(d, "growth", "consistent", pc(rec_a - rec_p, rec_p), (rec_a - rec_p) / rec_p * 100, f"| {rec_a - rec_p} | {pc(rec_a - rec_p, rec_p)}% |", f"({rec_a}-{rec_p})/{rec_p}")
C(d, "execution_rate", "consistent", pc(ta, tb), ta / tb * 100, f"完成预算的{pc(ta, tb)}%", f"{ta}/{tb}")
C(d, "ratio", "consistent", q(rec_a * 10000 / visits), rec_a * 10000 / visits, f"人均接待费{q(rec_a * 10000 / visits)}元", f"{rec_a}万元 = {rec_a*10000}元 / {visits}")

# ====================================================================== g21 三公 接待费 over budget (anomaly)
d = "g21"
rb, ra, rp = D("7.80"), D("8.46"), D("7.30")
cb, ca = D("10.00"), D("9.20")
DOCS[d] = f"""(九)“三公”经费支出决算情况说明
2023年度“三公”经费财政拨款支出决算{ra + ca}万元,完成预算的{pc(ra + ca, rb + cb)}%。其中:因公出国(境)费0万元;公务用车购置及运行维护费{ca}万元,完成预算的{pc(ca, cb)}%,决算数小于预算数的主要原因是严格执行公车使用管理规定;公务接待费{ra}万元,完成预算的{pc(ra, rb)}%,比上年增加{ra - rp}万元,增长{pc(ra - rp, rp)}%,决算数大于预算数的主要原因是上级检查调研及招商引资接待增加。
(“三公”经费预算数:公务用车购置及运行维护费{cb}万元,公务接待费{rb}万元)
"""
C(d, "execution_rate", "anomaly", pc(ra, rb), ra / rb * 100, f"公务接待费{ra}万元,完成预算的{pc(ra, rb)}%", f"{ra}/{rb} = {ra/rb*100:.4f}% > 100%: a 三公 item spent beyond its budget", "三公 items may not exceed budget")
C(d, "execution_rate", "consistent", pc(ra + ca, rb + cb), (ra + ca) / (rb + cb) * 100, f"支出决算{ra + ca}万元,完成预算的{pc(ra + ca, rb + cb)}%", f"{ra+ca}/{rb+cb}")
C(d, "execution_rate", "consistent", pc(ca, cb), ca / cb * 100, f"运行维护费{ca}万元,完成预算的{pc(ca, cb)}%", f"{ca}/{cb}")
C(d, "growth", "consistent", pc(ra - rp, rp), (ra - rp) / rp * 100, f"比上年增加{ra - rp}万元,增长{pc(ra - rp, rp)}%", f"base {ra}-{ra-rp} = {rp}")
C(d, "sum", "consistent", ra + ca, ra + ca, f"支出决算{ra + ca}万元", f"0+{ca}+{ra}")

# ====================================================================== g22 收支结构 元, shares sum 100.01 (consistent)
d = "g22"
rnd = random.Random(7)
while True:
    xs = [D(rnd.randint(100000000, 900000000)) / 100 for _ in range(3)]
    tt = sum(xs)
    if sum(pc(x, tt) for x in xs) == D("100.01"):
        break
n22 = ["财政拨款收入", "事业收入", "其他收入"]
pe22 = D("12863410.52") - D("0")  # previous year's spending
ci22 = D("356204.17")
te22 = tt + ci22 - D("418667.05")
co22 = tt + ci22 - te22
b22 = q(te22 * D("0.7713")); p22 = te22 - b22
DOCS[d] = f"""本单位2023年度本年收入{T(tt)}元,收入结构为:{';'.join(f'{n}{T(x)}元,占比{pc(x, tt)}%' for n, x in zip(n22, xs))}。上年结转{T(ci22)}元。
本年支出{T(te22)}元,较上年{T(pe22)}元{'增加' if te22 > pe22 else '减少'}{T(abs(te22 - pe22))}元,{'增长' if te22 > pe22 else '下降'}{pc(abs(te22 - pe22), pe22)}%;其中基本支出{T(b22)}元,占比{pc(b22, te22)}%,项目支出{T(p22)}元,占比{pc(p22, te22)}%。年末结转和结余{T(co22)}元。
"""
C(d, "sum", "consistent", tt, tt, f"本年收入{T(tt)}元", "+".join(str(x) for x in xs))
share_claims(d, list(zip(n22, xs)), tt, lambda n, v, s: f"{n}{T(v)}元,占比{s}%")
C(d, "growth", "consistent", pc(abs(te22 - pe22), pe22), abs(te22 - pe22) / pe22 * 100, f"{pc(abs(te22 - pe22), pe22)}%;其中基本支出", f"|{te22}-{pe22}|/{pe22}")
C(d, "sum", "consistent", te22, b22 + p22, f"本年支出{T(te22)}元", f"{b22}+{p22}")
C(d, "sum", "consistent", co22, tt + ci22 - te22, f"年末结转和结余{T(co22)}元", f"{tt}+{ci22}-{te22}")
share_claims(d, [("基本支出", b22), ("项目支出", p22)], te22, lambda n, v, s: f"{n}{T(v)}元,占比{s}%")

# ====================================================================== g23 approximations, doc numbers, phones, codes, per capita, ranking
d = "g23"
b23, p23 = D("2706.10"), D("1156.30"); t23 = b23 + p23; prev23 = D("3568.15"); staff23 = 49
DOCS[d] = f"""关于2023年度部门决算的说明
根据《财政部关于做好2023年度部门决算编报工作的通知》(财库〔2023〕45号)和县财政局《关于公开2023年度部门决算的通知》(旺财预〔2024〕12号)要求,现将本部门2023年度部门决算公开如下。本部门编制人数52人,年末实有在职人员{staff23}人,离退休人员约30人。
2023年度本部门一般公共预算支出{T(t23)}万元,较上年增加近300万元,增长{pc(t23 - prev23, prev23)}%,按在职人员计算人均支出{q(t23 / staff23)}万元。其中:基本支出{T(b23)}万元,项目支出1,150余万元。支出总额在全县{D('24')}个农业口部门中居第3位。
2080501行政单位离退休(项)支出86.42万元;2080505机关事业单位基本养老保险缴费支出(项)支出{D('203.18')}万元。
(上年支出{T(prev23)}万元、项目支出{T(p23)}万元详见附表;联系人:王某,联系电话:0839-5512376)
"""
C(d, "growth", "consistent", pc(t23 - prev23, prev23), (t23 - prev23) / prev23 * 100, f"增长{pc(t23 - prev23, prev23)}%", f"({t23}-{prev23})/{prev23}")
C(d, "other", "consistent", 300, t23 - prev23, "较上年增加近300万元", f"{t23}-{prev23} = {t23-prev23}, 近300 fits", "approximation 近: value slightly below 300")
C(d, "ratio", "consistent", q(t23 / staff23), t23 / staff23, f"人均支出{q(t23 / staff23)}万元", f"{t23}/{staff23}")
C(d, "sum", "consistent", t23, b23 + p23, f"一般公共预算支出{T(t23)}万元", f"{b23}+{p23}")
C(d, "other", "consistent", 1150, p23, "项目支出1,150余万元", f"{p23} is 1150余", "approximation 余: value slightly above 1150")

# ====================================================================== g24 经济分类 one cell a line (consistent)
d = "g24"
k301 = [("30101", "基本工资", D("356.20")), ("30102", "津贴补贴", D("412.58")), ("30103", "奖金", D("36.44")),
        ("30108", "机关事业单位基本养老保险缴费", D("132.16")), ("30110", "职工基本医疗保险缴费", D("61.35")), ("30113", "住房公积金", D("96.27"))]
k302 = [("30201", "办公费", D("18.36")), ("30205", "水费", D("2.10")), ("30206", "电费", D("9.85")), ("30211", "差旅费", D("12.40")), ("30231", "公务用车运行维护费", D("8.60"))]
k303 = [("30302", "退休费", D("24.80")), ("30309", "奖励金", D("1.20"))]
s1, s2, s3 = (sum(x[2] for x in k) for k in (k301, k302, k303))


def cells(rows):
    return "".join(f"{c}\n{n}\n{T(v)}\n" for c, n, v in rows)


DOCS[d] = (f"一般公共预算财政拨款基本支出决算表\n单位:万元\n科目编码\n科目名称\n决算数\n合计\n{T(s1 + s2 + s3)}\n301\n工资福利支出\n{T(s1)}\n" + cells(k301)
           + f"302\n商品和服务支出\n{T(s2)}\n" + cells(k302) + f"303\n对个人和家庭的补助\n{T(s3)}\n" + cells(k303)
           + f"说明:2023年度一般公共预算财政拨款基本支出{T(s1 + s2 + s3)}万元,其中人员经费{T(s1 + s3)}万元,公用经费{T(s2)}万元。\n")
C(d, "sum", "consistent", s1, s1, f"301\n工资福利支出\n{T(s1)}", "+".join(str(x[2]) for x in k301))
C(d, "sum", "consistent", s2, s2, f"302\n商品和服务支出\n{T(s2)}", "+".join(str(x[2]) for x in k302))
C(d, "sum", "consistent", s3, s3, f"303\n对个人和家庭的补助\n{T(s3)}", "+".join(str(x[2]) for x in k303))
C(d, "sum", "consistent", s1 + s2 + s3, s1 + s2 + s3, f"合计\n{T(s1 + s2 + s3)}", f"{s1}+{s2}+{s3}")
C(d, "sum", "consistent", s1 + s3, s1 + s3, f"人员经费{T(s1 + s3)}万元", f"301 {s1} + 303 {s3}")

# ====================================================================== g25 经济分类 one cell a line; 302 ≠ Σ (anomaly)
d = "g25"
k301 = [("30101", "基本工资", D("215.64")), ("30102", "津贴补贴", D("248.30")), ("30107", "绩效工资", D("96.12")), ("30108", "机关事业单位基本养老保险缴费", D("80.46"))]
k302 = [("30201", "办公费", D("42.18")), ("30207", "邮电费", D("6.35")), ("30213", "维修(护)费", D("31.60")), ("30216", "培训费", D("8.42")), ("30228", "工会经费", D("11.20")), ("30299", "其他商品和服务支出", D("68.70"))]
k303 = [("30305", "生活补助", D("12.40"))]
s1, s2t, s3 = (sum(x[2] for x in k) for k in (k301, k302, k303))
s2 = D("186.45")  # printed; true sum 168.45
DOCS[d] = (f"一般公共预算财政拨款基本支出决算明细表\n(单位:万元)\n经济分类科目编码\n科目名称\n本年决算数\n301\n工资福利支出\n{s1}\n" + "".join(f"{c}\n{n}\n{v}\n" for c, n, v in k301)
           + f"302\n商品和服务支出\n{s2}\n" + "".join(f"{c}\n{n}\n{v}\n" for c, n, v in k302) + f"303\n对个人和家庭的补助\n{s3}\n" + "".join(f"{c}\n{n}\n{v}\n" for c, n, v in k303)
           + f"基本支出合计\n{s1 + s2 + s3}\n")
C(d, "sum", "anomaly", s2, s2t, f"302\n商品和服务支出\n{s2}", "+".join(str(x[2]) for x in k302) + f" = {s2t}, not {s2} (86/68 transposed)", "sum of 6 parts printed to 0.01")
C(d, "sum", "consistent", s1, s1, f"301\n工资福利支出\n{s1}", "+".join(str(x[2]) for x in k301))
C(d, "sum", "consistent", s3, s3, f"303\n对个人和家庭的补助\n{s3}", "single 款 30305")
C(d, "sum", "consistent", s1 + s2 + s3, s1 + s2 + s3, f"基本支出合计\n{s1 + s2 + s3}", f"{s1}+{s2}+{s3} (follows from the printed 类 rows)")

# ====================================================================== g26 县 政府性基金 亿元, -12.5%, 个百分点
d = "g26"
r26, ab26, pr26 = D("6.72"), D("6.60"), D("7.68")
land, pland = D("6.05"), D("7.00")
e26, eb26 = D("8.36"), D("8.66")
sub, bond, cy = D("1.28"), D("2.50"), D("0.36")
out_, repay = D("0.40"), D("1.50")
end26 = r26 + sub + bond + cy - e26 - out_ - repay
sh_now, sh_prev = pc(land, r26, 1), pc(pland, pr26, 1)
DOCS[d] = f"""三、政府性基金预算执行情况
2023年全县政府性基金预算收入完成{r26}亿元,为调整预算的{pc(r26, ab26, 1)}%,增长{pc(r26 - pr26, pr26, 1)}%(上年{pr26}亿元),主要是房地产市场下行,国有土地使用权出让收入减少。其中国有土地使用权出让收入{land}亿元,占政府性基金预算收入的{sh_now}%,比重较上年({pland}亿元)下降{q(D(str(land / pr26 * 0)) + (pland / pr26 - land / r26) * 100, 1)}个百分点。
加上级补助收入{sub}亿元、专项债务收入{bond}亿元、上年结余{cy}亿元,收入总计{r26 + sub + bond + cy}亿元。
全县政府性基金预算支出{e26}亿元,完成调整预算的{pc(e26, eb26, 1)}%(调整预算{eb26}亿元)。加调出资金{out_}亿元、专项债务还本支出{repay}亿元,支出总计{e26 + out_ + repay}亿元。收支相抵,年终结余{end26}亿元。
"""
pp = (pland / pr26 - land / r26) * 100
C(d, "execution_rate", "consistent", pc(r26, ab26, 1), r26 / ab26 * 100, f"为调整预算的{pc(r26, ab26, 1)}%", f"{r26}/{ab26}")
C(d, "growth", "consistent", pc(r26 - pr26, pr26, 1), (r26 - pr26) / pr26 * 100, f"增长{pc(r26 - pr26, pr26, 1)}%(上年{pr26}亿元)", f"({r26}-{pr26})/{pr26}")
C(d, "share", "consistent", sh_now, land / r26 * 100, f"占政府性基金预算收入的{sh_now}%", f"{land}/{r26}")
C(d, "other", "consistent", q(pp, 1), pp, f"下降{q(pp, 1)}个百分点", f"{pland}/{pr26} = {pland/pr26*100:.4f}% → {land/r26*100:.4f}%: −{pp:.4f} pp")
C(d, "sum", "consistent", r26 + sub + bond + cy, r26 + sub + bond + cy, f"收入总计{r26 + sub + bond + cy}亿元", f"{r26}+{sub}+{bond}+{cy}")
C(d, "execution_rate", "consistent", pc(e26, eb26, 1), e26 / eb26 * 100, f"完成调整预算的{pc(e26, eb26, 1)}%", f"{e26}/{eb26}")
C(d, "sum", "consistent", end26, end26, f"年终结余{end26}亿元", f"收入总计 {r26+sub+bond+cy} − 支出总计 {e26+out_+repay}")

# ====================================================================== g27 part bigger than total (anomaly)
d = "g27"
gt, gp = D("152.60"), D("215.60")
gb, ge = D("1368.24"), D("1296.57")
DOCS[d] = f"""九、政府性基金预算财政拨款支出决算情况说明
2023年度本单位政府性基金预算财政拨款支出{gt}万元,其中:城乡社区支出(类)国有土地使用权出让收入安排的支出(款)征地和拆迁补偿支出(项){gp}万元,主要用于城北片区征地拆迁补偿。
五、一般公共预算财政拨款支出决算情况说明
2023年度一般公共预算财政拨款支出{T(ge)}万元,占本年支出合计的{pc(ge, ge + gt)}%,完成年初预算的{pc(ge, gb)}%(年初预算{T(gb)}万元)。本年支出合计{T(ge + gt)}万元。
"""
C(d, "sum", "anomaly", gt, gp, f"政府性基金预算财政拨款支出{gt}万元,其中", f"its only 其中 item, 征地和拆迁补偿支出(项), is {gp} > total {gt}", "a part cannot exceed its total")
C(d, "share", "consistent", pc(ge, ge + gt), ge / (ge + gt) * 100, f"占本年支出合计的{pc(ge, ge + gt)}%", f"{ge}/{ge+gt}")
C(d, "execution_rate", "consistent", pc(ge, gb), ge / gb * 100, f"完成年初预算的{pc(ge, gb)}%", f"{ge}/{gb}")
C(d, "sum", "consistent", ge + gt, ge + gt, f"本年支出合计{T(ge + gt)}万元", f"{ge}+{gt}")

# ====================================================================== g28 中学 单位决算, 生均 (consistent)
d = "g28"
fin, tuition, oth = D("3865.20"), D("412.80"), D("23.55")
t28 = fin + tuition + oth
pers, pub, proj = D("3012.47"), D("231.88"), D("985.30")
e28 = pers + pub + proj
stu = 1862
hb, ha = D("3120.00"), D("3068.45")
DOCS[d] = f"""旺苍县东河中学2023年度单位决算公开说明
本校为公益一类事业单位,2023年末在校学生{stu:,}人,在职教职工186人。
一、收入情况:本年收入{t28}万元,其中财政拨款收入{fin}万元,事业收入(住宿费、课后服务费){tuition}万元,其他收入{oth}万元,财政拨款收入占{pc(fin, t28)}%。
二、支出情况:本年支出{e28}万元,其中人员经费{pers}万元,公用经费{pub}万元,项目支出{proj}万元。生均公用经费支出{q(pub * 10000 / stu)}元,生均总支出{q(e28 / stu, 4)}万元。
三、教育支出(类)普通教育(款)高中教育(项):年初预算为{hb}万元,支出决算为{ha}万元,完成年初预算的{pc(ha, hb)}%。
四、年末结转和结余{t28 - e28}万元,主要为未完工的学生宿舍改造项目资金。
"""
C(d, "sum", "consistent", t28, t28, f"本年收入{t28}万元", f"{fin}+{tuition}+{oth}")
C(d, "sum", "consistent", e28, e28, f"本年支出{e28}万元", f"{pers}+{pub}+{proj}")
C(d, "share", "consistent", pc(fin, t28), fin / t28 * 100, f"财政拨款收入占{pc(fin, t28)}%", f"{fin}/{t28}")
C(d, "ratio", "consistent", q(pub * 10000 / stu), pub * 10000 / stu, f"生均公用经费支出{q(pub * 10000 / stu)}元", f"{pub}万元/{stu}人")
C(d, "ratio", "consistent", q(e28 / stu, 4), e28 / stu, f"生均总支出{q(e28 / stu, 4)}万元", f"{e28}/{stu}")
C(d, "execution_rate", "consistent", pc(ha, hb), ha / hb * 100, f"完成年初预算的{pc(ha, hb)}%", f"{ha}/{hb}")
C(d, "sum", "consistent", t28 - e28, t28 - e28, f"年末结转和结余{t28 - e28}万元", f"{t28}-{e28} (no carry-in mentioned)")

# ====================================================================== g29 乡镇 执行率 个百分点 + quarterly pipe table (consistent)
d = "g29"
B, prevB, prevA = D("2850.00"), D("2600.00"), D("2446.60")
cum = [D("712.50"), D("1396.50"), D("2080.50"), D("2747.40")]
rate29, prate = pc(cum[3], B), pc(prevA, prevB)
DOCS[d] = f"""二、部门整体支出预算执行情况
2023年度本镇全年预算数{T(B)}万元,全年执行数{T(cum[3])}万元,预算执行率为{rate29}%,比上年({prate}%,预算{T(prevB)}万元、执行{T(prevA)}万元)提高{rate29 - prate}个百分点,在全县23个乡镇中排名第5位。
分季度执行进度:
季度 | 累计执行数(万元) | 累计执行率 | 序时进度 |
""" + "".join(f"第{'一二三四'[i]}季度 | {T(c)} | {pc(c, B)}% | {25 * (i + 1)}% |\n" for i, c in enumerate(cum))
C(d, "execution_rate", "consistent", rate29, cum[3] / B * 100, f"预算执行率为{rate29}%", f"{cum[3]}/{B}")
C(d, "execution_rate", "consistent", prate, prevA / prevB * 100, f"比上年({prate}%", f"{prevA}/{prevB}")
C(d, "other", "consistent", rate29 - prate, cum[3] / B * 100 - prevA / prevB * 100, f"提高{rate29 - prate}个百分点", f"{rate29}-{prate}")
for i, c in enumerate(cum[:3]):
    C(d, "execution_rate", "consistent", pc(c, B), c / B * 100, f"{T(c)} | {pc(c, B)}%", f"{c}/{B}")

# ====================================================================== g30 traditional 部门整体 score table (consistent)
d = "g30"
sub30 = [("預算執行率", 10, D("9.6")), ("資金管理", 10, D("9.0")), ("採購管理", 10, D("8.9"))]
top30 = [("投入", 20, D("18.5")), ("過程", 30, sum(x[2] for x in sub30)), ("產出", 30, D("28.0")), ("效益", 20, D("19.0"))]
tot30 = sum(x[2] for x in top30)
pb30, pe30 = D("1500.00"), D("1440.00")
DOCS[d] = f"""2023年度部門整體支出績效自評報告
一、自評結論:經自評,本部門2023年度整體支出績效自評得分{tot30}分,等級為「優」。
二、評分情況
一級指標 | 分值 | 得分 |
""" + "".join(f"{n} | {w} | {s} |\n" for n, w, s in top30) + f"""合計 | {sum(x[1] for x in top30)} | {tot30} |
其中「過程」指標:""" + ";".join(f"{n}(分值{w}分)得{s}分" for n, w, s in sub30) + f"""。
全年預算數{T(pb30)}萬元,執行數{T(pe30)}萬元,預算執行率{pc(pe30, pb30)}%,按「執行率×分值」計得{q(pe30 / pb30 * 10, 1)}分。
"""
C(d, "sum", "consistent", tot30, tot30, f"合計 | 100 | {tot30} |", "+".join(str(x[2]) for x in top30))
C(d, "sum", "consistent", 100, 100, "合計 | 100", "20+30+30+20", "exact")
C(d, "sum", "consistent", top30[1][2], top30[1][2], f"過程 | 30 | {top30[1][2]} |", "+".join(str(x[2]) for x in sub30))
C(d, "execution_rate", "consistent", pc(pe30, pb30), pe30 / pb30 * 100, f"預算執行率{pc(pe30, pb30)}%", f"{pe30}/{pb30}")
C(d, "other", "consistent", D("9.6"), pe30 / pb30 * 10, f"計得{q(pe30 / pb30 * 10, 1)}分", "10 × 96%")

# ---------------------------------------------------------------- write + locate quotes
for k, v in DOCS.items():
    open(f"{OUT}/docs/{k}.txt", "w", encoding="utf-8").write(v)
bad = 0
for c in CLAIMS:
    text = DOCS[c["id"]]
    if c["quote"] in text:
        continue
    seps = WRAPPED.get(c["id"])
    if seps:
        sep = r"(?:\n(?:(?:" + "|".join(seps) + r")\n)*)?"
        pat = sep.join(re.escape(ch) for ch in c["quote"])
        m = re.search(pat, text)
        if m:
            c["quote"] = m.group(0)
            continue
    print("QUOTE NOT FOUND", c["id"], c["quote"]); bad += 1
with open(f"{OUT}/claims.jsonl", "w", encoding="utf-8") as f:
    for c in CLAIMS:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(DOCS), "docs", len(CLAIMS), "claims", sum(c["verdict"] == "anomaly" for c in CLAIMS), "anomalies", bad, "bad quotes")
