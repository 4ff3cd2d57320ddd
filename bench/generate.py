"""A labelled synthetic corpus of final accounts and self-evaluations.

    python bench/generate.py OUT_DIR [--issuers 250] [--years 2021-2024] [--seed 1] [--anomaly-rate 0.35]

Writes realistic reports in the styles of the examples — narrative with
`cell |` tables (both dialects), one-cell-a-line forms, HTML pages with
<table>s, traditional characters and full-width digits now and then — for many
departments and years, with every figure consistent by construction. Then it
injects known anomalies of each kind of design.md at known places and writes
`labels.jsonl`: one line per report with the anomalies it carries (kind and
the figures involved). Seedable; about 10,000 reports a minute.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REGIONS = [("北京市", "district", ["丰台区", "通州区", "海淀区", "朝阳区", "大兴区", "昌平区"]),
           ("四川省雅安市", "city", [""]), ("广西壮族自治区玉林市", "city", [""]),
           ("浙江省杭州市", "district", ["西湖区", "余杭区", "滨江区"]),
           ("广东省佛山市", "district", ["南海区", "顺德区"]), ("湖南省长沙市", "city", [""]),
           ("河南省洛阳市", "district", ["洛龙区", "西工区"]), ("江苏省苏州市", "district", ["吴中区", "姑苏区"]),
           ("上海市", "district", ["浦东新区", "徐汇区", "黄浦区", "静安区"]), ("天津市", "district", ["和平区", "河西区"]),
           ("重庆市", "district", ["渝中区", "江北区"]), ("山东省济南市", "district", ["历下区", "市中区"]),
           ("湖北省武汉市", "district", ["江汉区", "武昌区"]), ("陕西省西安市", "district", ["雁塔区", "碑林区"]),
           ("福建省厦门市", "district", ["思明区", "湖里区"]), ("云南省昆明市", "city", [""]), ("贵州省贵阳市", "city", [""]),
           ("甘肃省兰州市", "city", [""])]
DEPTS = ["政务服务管理局", "大数据局", "财政局", "审计局", "统计局", "民政局", "司法局", "文化和旅游局", "市场监督管理局",
         "生态环境局", "住房和城乡建设局", "农业农村局", "交通运输局", "卫生健康委员会", "教育局", "人力资源和社会保障局",
         "应急管理局", "自然资源局", "商务局", "科学技术局", "水务局", "林业局", "体育局", "医疗保障局", "退役军人事务局",
         "城市管理委员会", "信访办公室", "档案馆", "机关事务管理局", "发展和改革委员会"]
CLASSES = [("一般公共服务支出", ["政府办公厅(室)及相关机构事务", "发展与改革事务", "统计信息事务"]),
           ("社会保障和就业支出", ["行政事业单位养老支出", "民政管理事务"]),
           ("卫生健康支出", ["行政事业单位医疗"]),
           ("住房保障支出", ["住房改革支出"]),
           ("科学技术支出", ["科学技术管理事务"]),
           ("文化旅游体育与传媒支出", ["文化和旅游"])]
PROJECTS = ["政务信息系统运维项目", "数据共享平台建设项目", "便民服务中心运行经费", "档案数字化加工项目", "网络安全等级保护测评项目",
            "12345热线运营服务项目", "公共资源交易平台运维项目", "电子证照系统建设项目", "基层服务站点设备租赁项目",
            "统计调查专项经费", "培训及宣传经费", "办公用房维修改造项目"]
COUNT_IND = [("完成系统巡检次数", "次"), ("开展业务培训次数", "次"), ("上线服务事项数量", "项"), ("维护终端设备数量", "台"),
             ("发布数据目录数量", "条"), ("办理业务件数", "件"), ("完成站点建设数量", "个")]
RATE_IND = ["系统可用率", "验收合格率", "问题整改完成率", "数据汇聚及时率", "工单按时办结率"]
SAT_IND = ["服务对象满意度", "群众满意度", "使用单位满意度", "办事企业满意度"]
KINDS = ("execution_rate_low", "satisfaction_below_target", "indicator_target_missed", "total_mismatch",
         "stated_value_mismatch", "text_table_conflict", "unit_error", "undefined_ratio", "budget_exceeded",
         "impossible_value", "statistical_outlier", "benford_deviation", "cross_year_mismatch", "target_hugging")
DETERMINISTIC = KINDS[:10]


def f2(x: float) -> str:
    return f"{x:.2f}"


def pct(x: float) -> str:
    return f"{x:.2f}%"


@dataclass
class Dept:
    issuer: str
    level: str
    staff: int
    scale: float
    projects: list
    history: dict = field(default_factory=dict)      # year → headline figures


@dataclass
class Doc:
    lines: list = field(default_factory=list)
    labels: list = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def label(self, kind: str, **info) -> None:
        self.labels.append({"kind": kind, **info})


def lognormal(rng: random.Random, mean: float, sigma: float = 0.8) -> float:
    return round(math.exp(rng.gauss(math.log(mean), sigma)), 2)


def shares(parts: list[float], total: float) -> list[float]:
    """Shares rounded to 2 decimals, the last forced so they add to 100."""
    out = [round(100 * p / total, 2) for p in parts]
    if out:
        out[-1] = round(100 - sum(out[:-1]), 2)
    return out


def make_depts(rng: random.Random, n: int) -> list[Dept]:
    out, used = [], set()
    combos = sum(len(d) for _, _, d in REGIONS) * len(DEPTS)
    if n > combos:
        raise SystemExit(f"at most {combos} distinct departments")
    while len(out) < n:
        region, level, districts = rng.choice(REGIONS)
        name = region + rng.choice(districts) + rng.choice(DEPTS)
        if name in used:
            continue
        used.add(name)
        projects = rng.sample(PROJECTS, rng.randint(1, 3))
        out.append(Dept(issuer=name, level=level, staff=rng.randint(25, 160), scale=rng.uniform(0.5, 4.0),
                        projects=projects))
    return out


class Writer:
    """Writes one report: narrative sections, tables, and injected anomalies."""

    def __init__(self, rng: random.Random, dept: Dept, year: int, anomalies: set[str], fmt: str):
        self.rng = rng
        self.d = dept
        self.year = year
        self.a = anomalies
        self.fmt = fmt                 # pipe_a | pipe_b | grid | lines
        self.doc = Doc()
        self._outlier = ""

    def table(self, rows: list[list[str]]) -> None:
        """A table in this report's flattening."""
        if self.fmt == "grid":
            self.doc.add(*(" | ".join(r) for r in rows))
        elif self.fmt == "pipe_b":
            for r in rows:
                last = (r[-1] + " | " + "|" * max(0, 8 - len(r))) if r[-1] else "| " + "|" * max(1, 9 - len(r))
                self.doc.add("|", *(c + " |" for c in r[:-1]), last)
        else:
            for r in rows:
                self.doc.add(*(c + " |" for c in r), "|" * max(2, 9 - len(r)))

    def write(self) -> Doc:
        rng, d, y = self.rng, self.d, self.year
        doc = self.doc
        doc.add(d.issuer, f"{y}年度部门决算", "第一部分 部门概况", "一、主要职责",
                f"{d.issuer}负责本行政区域内相关工作的统筹协调和组织实施。", "二、人员构成情况",
                f"行政编制{d.staff + rng.randint(0, 8)}人,实有人数{d.staff}人。",
                f"第二部分 {y}年度部门决算情况说明")
        self.headline()
        self.functional()
        self.sangong()
        self.admin()
        self.procurement()
        self.vehicles()
        self.detail_table()
        doc.add(f"第四部分 {y}年度部门绩效评价情况")
        for name in d.projects:
            self.project(name)
        return doc

    # -- sections -------------------------------------------------------------------
    def headline(self) -> None:
        rng, d, y, doc = self.rng, self.d, self.year, self.doc
        basic = round(d.scale * rng.uniform(600, 1500), 2)
        project = round(d.scale * rng.uniform(300, 3000), 2)
        total = round(basic + project, 2)
        prev = d.history.get(y - 1)
        prev_total = prev["total"] if prev else round(total * rng.uniform(0.8, 1.2), 2)
        delta = round(total - prev_total, 2)
        if "cross_year_mismatch" in self.a and prev:
            # The stated change implies a last-year figure other than the one published.
            fake_prev = round(prev_total * rng.uniform(1.15, 1.35), 2)
            delta = round(total - fake_prev, 2)
            doc.label("cross_year_mismatch", numbers=[prev_total, round(total - delta, 2)])
        growth = 100 * delta / (total - delta)
        word, gword = ("增加", "增长") if delta >= 0 else ("减少", "下降")
        sb, sp = shares([basic, project], total)
        growth_txt = f"{abs(growth):.2f}"
        if "stated_value_mismatch" in self.a:
            stated = round(sb + rng.choice([-1, 1]) * rng.uniform(3, 9), 2)
            doc.label("stated_value_mismatch", numbers=[stated, sb])
            sb = stated
        doc.add("一、收入支出决算总体情况说明",
                f"{y}年度本年支出合计{f2(total)}万元,比上年{word}{f2(abs(delta))}万元,{gword}{growth_txt}%,其中:"
                f"基本支出{f2(basic)}万元,占支出合计的{sb:.2f}%;项目支出{f2(project)}万元,占支出合计的{sp:.2f}%。")
        if "unit_error" in self.a:
            doc.label("unit_error", numbers=[project])
            doc.add(f"{y}年度本年支出{f2(total)}万元。本年支出包括:基本支出{f2(basic)}万元,项目支出{f2(project)}元。")
        d.history.setdefault(y, {})["total"] = total
        self.total, self.basic, self.project_total = total, basic, project

    def functional(self) -> None:
        rng, y, doc = self.rng, self.year, self.doc
        doc.add("二、一般公共预算财政拨款支出决算具体情况")
        classes = rng.sample(CLASSES, rng.randint(2, 4))
        zero_done = False
        for i, (cls, kuans) in enumerate(classes, 1):
            kuans = kuans[:rng.randint(1, len(kuans))]
            finals = [lognormal(rng, 80 * self.d.scale) for _ in kuans]
            budgets = [round(f * rng.uniform(0.85, 1.2), 2) for f in finals]
            if "undefined_ratio" in self.a and not zero_done:
                budgets = [0.0] * len(kuans)
                zero_done = True
                doc.label("undefined_ratio", numbers=[round(sum(finals), 2)])
            fs, bs = round(sum(finals), 2), round(sum(budgets), 2)
            rate = f"{100 * fs / bs:.2f}" if bs else "100"
            doc.add(f"{i}、“{cls}”(类){y}年度年初预算{f2(bs)}万元,{y}年度决算{f2(fs)}万元,完成年初预算的{rate}%。其中:")
            for k, f, b in zip(kuans, finals, budgets):
                r = f"{100 * f / b:.2f}" if b else "100"
                doc.add(f"“{k}”(款){y}年度年初预算{f2(b)}万元,{y}年度决算{f2(f)}万元,完成年初预算的{r}%。")

    def sangong(self) -> None:
        rng, y, doc = self.rng, self.year, self.doc
        per = rng.uniform(0.05, 0.25)
        if "statistical_outlier" in self.a:
            # An unusual value of one measure among peers: 三公经费 per person,
            # or a jump of 机关运行经费 (when last year is known).
            self._outlier = "admin_growth" if self.year - 1 in self.d.history and rng.random() < 0.5 \
                else "sangong_per_staff"
            if self._outlier == "sangong_per_staff":
                per *= rng.uniform(15, 25)
            doc.label("statistical_outlier", measure=self._outlier)
        items = [("因公出国(境)费用", round(self.d.staff * per * rng.uniform(0, 0.3), 2)),
                 ("公务接待费", round(self.d.staff * per * rng.uniform(0.2, 0.6), 2)),
                 ("公务用车购置及运行维护费", round(self.d.staff * per * rng.uniform(0.3, 0.8), 2))]
        budgets = [round(v * rng.uniform(1.05, 1.6), 2) for _, v in items]
        if "budget_exceeded" in self.a:
            j = rng.randrange(1, 3)
            budgets[j] = round(items[j][1] * rng.uniform(0.6, 0.85), 2)
            doc.label("budget_exceeded", numbers=[items[j][1], budgets[j]])
        total, btotal = round(sum(v for _, v in items), 2), round(sum(budgets), 2)
        diff = round(btotal - total, 2)
        doc.add("第三部分 其他重要事项的情况说明", "一、“三公”经费财政拨款决算情况",
                f"{y}年度“三公”经费财政拨款决算数{f2(total)}万元,比{y}年度“三公”经费财政拨款年初预算{f2(btotal)}万元"
                f"{'减少' if diff >= 0 else '增加'}{f2(abs(diff))}万元。其中:")
        for n, ((name, v), b) in enumerate(zip(items, budgets), 1):
            dd = round(b - v, 2)
            doc.add(f"{n}.{name}。{y}年度决算数{f2(v)}万元,比{y}年度年初预算数{f2(b)}万元"
                    f"{'减少' if dd >= 0 else '增加'}{f2(abs(dd))}万元。")

    def admin(self) -> None:
        rng, y, doc = self.rng, self.year, self.doc
        prev = self.d.history.get(y - 1, {}).get("admin")
        v = round((prev or self.d.staff * rng.uniform(0.8, 1.6)) * rng.uniform(0.9, 1.1), 2)
        if "statistical_outlier" in self.a and self._outlier == "admin_growth" and prev:
            v = round(prev * rng.uniform(2.5, 3.5), 2)
        dv = round(v - prev, 2) if prev else round(v * rng.uniform(-0.1, 0.1), 2)
        self.d.history.setdefault(y, {})["admin"] = v
        rate = 100 * dv / (v - dv)
        # A change of 10% or more is given the reason the template asks for
        # (change_unexplained); fixed words, so the random stream, and every
        # figure of the corpus, stay the same.
        why = f"主要原因是{'公用经费支出增加' if dv >= 0 else '厉行节约,压减一般性支出'}。" if abs(rate) >= 10 else ""
        doc.add("二、机关运行经费支出情况",
                f"{y}年度机关运行经费支出合计{f2(v)}万元,比上年{'增加' if dv >= 0 else '减少'}{f2(abs(dv))}万元,"
                f"{'增长' if dv >= 0 else '下降'}{abs(rate):.2f}%。{why}")

    def procurement(self) -> None:
        rng, y, doc = self.rng, self.year, self.doc
        goods, works, services = lognormal(rng, 50), 0.0, lognormal(rng, 400)
        total = round(goods + works + services, 2)
        sme = round(total * rng.uniform(0.3, 0.9), 2)
        doc.add("三、政府采购支出情况",
                f"{y}年度政府采购支出总额{f2(total)}万元,其中:政府采购货物支出{f2(goods)}万元,政府采购工程支出0万元,"
                f"政府采购服务支出{f2(services)}万元。授予中小企业合同金额{f2(sme)}万元,占政府采购支出总额的{pct(100 * sme / total)}。")

    def vehicles(self) -> None:
        rng, doc = self.rng, self.doc
        cars, suvs = rng.randint(0, 4), rng.randint(0, 3)
        total = cars + suvs
        if "total_mismatch" in self.a:
            total = cars + suvs - rng.randint(1, max(1, cars + suvs)) if cars + suvs > 1 else cars + suvs + 0
            if total == cars + suvs:
                cars, total = cars + 3, cars + suvs
            doc.label("total_mismatch", numbers=[total, cars + suvs])
        doc.add("四、国有资产占用情况",
                f"截至{self.year}年12月31日,本部门共有车辆{total}辆,其中:轿车{cars}辆、越野车{suvs}辆。")

    def detail_table(self) -> None:
        """A line-item table: many amounts, Benford-like unless fabricated."""
        rng, doc = self.rng, self.doc
        rows = [["科目名称", "年初预算", "支出决算"]]
        fabricated = "benford_deviation" in self.a
        if fabricated:
            doc.label("benford_deviation")
        for i in range(rng.randint(70, 110)):
            if fabricated:
                a, b = round(rng.uniform(500, 999), 2), round(rng.uniform(500, 999), 2)
            else:
                a = lognormal(rng, 30 * self.d.scale, 1.9)
                b = round(a * rng.uniform(0.7, 1.1), 2)
            rows.append([f"支出明细{i + 1}", f2(a), f2(b)])
        doc.add("附表:一般公共预算财政拨款支出决算明细表(单位:万元)")
        self.table(rows)

    def project(self, name: str) -> None:
        rng, y, doc = self.rng, self.year, self.doc
        budget = lognormal(rng, 150 * self.d.scale, 0.6)
        rate = rng.uniform(0.92, 1.0)
        if "execution_rate_low" in self.a and not getattr(self, "_low_done", False):
            rate = rng.uniform(0.2, 0.75)
            self._low_done = True
            doc.label("execution_rate_low", project=name, numbers=[round(100 * rate, 2)])
        executed = round(budget * rate, 2)
        r = f"{100 * executed / budget:.2f}"
        doc.add(f"{name}支出绩效评价报告", "一、基本情况",
                f"“{name}”项目全年预算数为{f2(budget)}万元,执行数为{f2(executed)}万元,完成预算的{r}%。")
        inds = self.indicators(name)
        rows = [["项目名称", name], ["项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                ["年度资金总额", "", f2(budget), f2(budget), f2(executed), "10", r + "%",
                 f"{10 * min(1, executed / budget):.2f}"],
                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]]
        rows += inds
        self.table(rows)

    def indicators(self, project: str) -> list[list[str]]:
        rng, doc = self.rng, self.doc
        rows = []
        hug = "target_hugging" in self.a
        if hug and not getattr(self, "_hug_done", False):
            self._hug_done = True          # every project of the report lands on its targets
            doc.label("target_hugging")
        picks = rng.sample(COUNT_IND, 3)
        for j, (ind, unit) in enumerate(picks):
            target = rng.choice([10, 12, 20, 30, 50, 100, 200])
            actual = target if hug else target + rng.randint(1, max(2, target // 5))
            if "indicator_target_missed" in self.a and j == 0 and not getattr(self, "_miss_done", False):
                actual = target - rng.randint(1, max(1, target // 3))
                self._miss_done = True
                doc.label("indicator_target_missed", indicator=ind, numbers=[target, actual])
            if "text_table_conflict" in self.a and j == 1 and not getattr(self, "_conf_done", False):
                self._conf_done = True
                other = actual + rng.randint(3, 15)
                doc.label("text_table_conflict", indicator=ind, numbers=[actual, other])
                noun = ind.replace("数量", "").replace("次数", "").replace("件数", "")
                doc.add(rng.choice([f"全年{noun}{other}{unit}。", f"截至年底,累计{noun}{other}{unit}。",
                                    f"{self.year}年共{noun}{other}{unit},圆满完成年度任务。"]))
            rows.append(["产出指标", "数量指标", ind, f"≥{target}{unit}", f"{actual}{unit}", "10", "10", ""])
        for ind in rng.sample(RATE_IND, 2):
            target = rng.choice([90, 95, 98])
            actual = target if hug else round(rng.uniform(target + 0.5, 100), 1)
            rows.append(["产出指标", "质量指标", ind, f"≥{target}%", f"{actual}%", "10", "10", ""])
        sat = rng.choice(SAT_IND)
        target = rng.choice([85, 90, 95])
        actual = target if hug else round(rng.uniform(target + 0.5, 99.9), 1)
        if "satisfaction_below_target" in self.a and not getattr(self, "_sat_done", False):
            self._sat_done = True
            actual = round(target - rng.uniform(5, 25), 1)
            doc.label("satisfaction_below_target", indicator=sat, numbers=[target, actual])
        if "impossible_value" in self.a and not getattr(self, "_imp_done", False):
            self._imp_done = True
            actual = round(rng.uniform(101, 120), 1)
            doc.label("impossible_value", indicator=sat, numbers=[actual])
        rows.append(["满意度指标", "服务对象满意度指标", sat, f"≥{target}%", f"{actual}%", "10", "10", ""])
        return rows


def render(doc: Doc, fmt: str, rng: random.Random) -> tuple[str, str]:
    """(file suffix, content) for the chosen medium."""
    text = "\n".join(doc.lines) + "\n"
    if fmt == "grid" and rng.random() < 0.6:
        out, rows = ["<html><head><meta charset='utf-8'></head><body><div class='nav'>首页 政务公开</div>"
                     "<div id='content'>"], []
        for line in doc.lines:
            if " | " in line:
                rows.append(line.split(" | "))
                continue
            if rows:
                out.append("<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
                           + "</table>")
                rows = []
            out.append(f"<p>{line}</p>")
        if rows:
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
                       + "</table>")
        out.append("</div><div class='footer'>版权所有</div></body></html>")
        return ".html", "\n".join(out)
    return ".txt", text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--issuers", type=int, default=250)
    ap.add_argument("--years", default="2021-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--anomaly-rate", type=float, default=0.35,
                    help="share of reports carrying one injected anomaly")
    ap.add_argument("--traditional", type=float, default=0.05, help="share written in traditional characters")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    y0, y1 = (int(x) for x in args.years.split("-"))
    args.out.mkdir(parents=True, exist_ok=True)
    depts = make_depts(rng, args.issuers)
    t0 = time.perf_counter()
    to_trad = None
    n = 0
    with open(args.out / "labels.jsonl", "w", encoding="utf-8") as labels:
        for year in range(y0, y1 + 1):
            for i, d in enumerate(depts):
                anomalies = set()
                if rng.random() < args.anomaly_rate:
                    kinds = list(KINDS)
                    if year == y0:
                        kinds.remove("cross_year_mismatch")
                    anomalies.add(rng.choice(kinds))
                fmt = rng.choice(["pipe_a", "pipe_b", "grid", "grid"])
                doc = Writer(rng, d, year, anomalies, fmt).write()
                suffix, content = render(doc, fmt, rng)
                if suffix == ".txt" and rng.random() < args.traditional:
                    if to_trad is None:
                        import opencc
                        to_trad = opencc.OpenCC("s2t.json")
                    content = to_trad.convert(content)
                name = f"{year}_{i:04d}{suffix}"
                (args.out / name).write_text(content, encoding="utf-8")
                labels.write(json.dumps({"file": name, "issuer": d.issuer, "year": year, "format": fmt,
                                         "labels": doc.labels}, ensure_ascii=False) + "\n")
                n += 1
    dt = time.perf_counter() - t0
    print(f"{n} reports in {dt:.1f} s ({n / dt:.0f}/s) -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
