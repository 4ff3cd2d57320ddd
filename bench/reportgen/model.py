"""The accounts model of one department and year, built bottom-up.

Every amount is an integer number of 0.01 万元 (100 元), so every relation
(款 = Σ 项, 总计 = 总计, 人员经费 + 公用经费 = 基本支出 …) holds exactly in 万元
with two decimals, and in 元 (× 100) as well.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import codes

FUNDS = ("gpb", "gf", "soe")


def c(wan: float) -> int:
    """万元 → model units (0.01 万元)."""
    return int(round(wan * 100))


def split(total: int, weights: list[float]) -> list[int]:
    """Integers ≥ 0 with the given proportions summing exactly to total."""
    s = sum(weights) or 1.0
    parts = [int(total * w / s) for w in weights]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    for i in range(rest):
        parts[order[i % len(order)]] += 1
    return parts


@dataclass
class Item:
    """A 项 of the functional classification with all its amounts."""
    code: str
    name: str
    role: str
    purpose: str = ""
    gpb_basic: int = 0
    gpb_project: int = 0
    gf_basic: int = 0
    gf_project: int = 0
    soe_basic: int = 0
    soe_project: int = 0
    nf_basic: int = 0
    nf_project: int = 0
    upper: int = 0          # 上缴上级支出
    operating: int = 0      # 经营支出
    subsidy: int = 0        # 对附属单位补助支出
    inc_upper: int = 0      # 上级补助收入
    inc_biz: int = 0        # 事业收入
    inc_oper: int = 0       # 经营收入
    inc_affil: int = 0      # 附属单位上缴收入
    inc_other: int = 0      # 其他收入
    gpb_begin: int = 0
    gpb_end: int = 0
    gf_begin: int = 0
    gf_end: int = 0
    soe_begin: int = 0
    soe_end: int = 0
    budget_gpb: int = 0
    budget_gf: int = 0
    budget_soe: int = 0

    @property
    def kuan(self) -> str:
        return self.code[:5]

    @property
    def lei(self) -> str:
        return self.code[:3]

    # fund totals
    @property
    def gpb(self) -> int:
        return self.gpb_basic + self.gpb_project

    @property
    def gf(self) -> int:
        return self.gf_basic + self.gf_project

    @property
    def soe(self) -> int:
        return self.soe_basic + self.soe_project

    @property
    def fiscal(self) -> int:
        return self.gpb + self.gf + self.soe

    @property
    def basic(self) -> int:
        return self.gpb_basic + self.gf_basic + self.soe_basic + self.nf_basic

    @property
    def project(self) -> int:
        return self.gpb_project + self.gf_project + self.soe_project + self.nf_project

    @property
    def exp(self) -> int:
        return self.basic + self.project + self.upper + self.operating + self.subsidy

    @property
    def inc_gpb(self) -> int:
        return self.gpb + self.gpb_end - self.gpb_begin

    @property
    def inc_gf(self) -> int:
        return self.gf + self.gf_end - self.gf_begin

    @property
    def inc_soe(self) -> int:
        return self.soe + self.soe_end - self.soe_begin

    @property
    def inc_fiscal(self) -> int:
        return self.inc_gpb + self.inc_gf + self.inc_soe

    @property
    def inc(self) -> int:
        return self.inc_fiscal + self.inc_upper + self.inc_biz + self.inc_oper + self.inc_affil + self.inc_other


def total(items, attr: str) -> int:
    return sum(getattr(i, attr) for i in items)


@dataclass
class Profile:
    """What stays the same for a department across years."""
    issuer: str
    region: str
    archetype: str
    kind: str                     # admin | mixed | inst
    units: list
    staff_admin: int
    staff_inst: int
    retirees: int
    pay: float                    # 万元 per staff and year
    items: list                   # (code, role)
    has_gf: bool
    has_soe: bool
    biz: bool
    operating: bool
    upper: bool
    subsidy: bool
    affil: bool
    cars: int
    seed: int
    proj_ratio: float = 0.5       # 项目支出 / 基本支出 (varies ±15 % a year)
    gong_rate: float = 3.0        # 商品和服务支出, 万元 per staff
    jgyx_share: float = 1.0       # 机关运行经费 / 公用经费
    abroad: float = 0.0           # usual 因公出国（境）费 budget, 万元 (0: none)
    reception_rate: float = 0.04  # 公务接待费 budget, 万元 per staff (0: none)


@dataclass
class Accounts:
    year: int
    profile: Profile
    items: list
    econ: dict                    # 经济分类 code → amount (gpb 基本支出)
    nf_begin: int
    nf_use: int                   # 使用非财政拨款结余
    nf_dist: int                  # 结余分配
    sangong_budget: dict          # abroad, car_buy, car_run, reception
    sangong: dict
    sangong_prev: dict
    prev: dict                    # total, fiscal_total, gpb_exp, jgyx
    jgyx: int | None              # 机关运行经费
    extra: dict = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.profile.issuer

    def sum(self, attr: str, pred=None) -> int:
        return sum(getattr(i, attr) for i in self.items if pred is None or pred(i))

    # headline figures
    @property
    def income(self) -> dict:
        return {"gpb": self.sum("inc_gpb"), "gf": self.sum("inc_gf"), "soe": self.sum("inc_soe"),
                "upper": self.sum("inc_upper"), "biz": self.sum("inc_biz"), "oper": self.sum("inc_oper"),
                "affil": self.sum("inc_affil"), "other": self.sum("inc_other")}

    @property
    def inc_total(self) -> int:
        return self.sum("inc")

    @property
    def exp_total(self) -> int:
        return self.sum("exp")

    @property
    def nf_end(self) -> int:
        nf_inc = self.inc_total - self.sum("inc_fiscal")
        nf_exp = self.exp_total - self.sum("fiscal")
        return self.nf_begin + nf_inc + self.nf_use - nf_exp - self.nf_dist

    def begin(self, fund: str) -> int:
        return self.sum(f"{fund}_begin")

    def end(self, fund: str) -> int:
        return self.sum(f"{fund}_end")

    @property
    def carry_begin(self) -> int:
        return sum(self.begin(f) for f in FUNDS) + self.nf_begin

    @property
    def carry_end(self) -> int:
        return sum(self.end(f) for f in FUNDS) + self.nf_end

    @property
    def grand_total(self) -> int:
        """总计 of the 收入支出决算总表 (both sides)."""
        return self.inc_total + self.nf_use + self.carry_begin

    @property
    def fiscal_total(self) -> int:
        return self.sum("inc_fiscal") + sum(self.begin(f) for f in FUNDS)

    @property
    def personnel(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] in ("301", "303"))

    @property
    def public(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] in ("302", "310"))

    def econ_group(self, g: str) -> int:
        return sum(v for k, v in self.econ.items() if k.startswith(g))

    @property
    def sangong_total(self) -> int:
        return sum(self.sangong.values())

    def check(self) -> list[str]:
        """The model's own relations; an empty list when all hold."""
        bad = []
        if self.grand_total != self.exp_total + self.nf_dist + self.carry_end:
            bad.append("总计 收入侧 ≠ 支出侧")
        if self.nf_end < 0:
            bad.append("非财政拨款年末结转结余 < 0")
        for f in FUNDS:
            for i in self.items:
                if getattr(i, f"{f}_end") < 0 or getattr(i, f"inc_{f}") < 0:
                    bad.append(f"{i.code} {f} 结转或收入 < 0")
        if self.personnel + self.public != self.sum("gpb_basic"):
            bad.append("人员经费 + 公用经费 ≠ 一般公共预算基本支出")
        for k in self.sangong:
            if self.sangong[k] > self.sangong_budget[k]:
                bad.append(f"三公 {k} 决算 > 预算")
        return bad


def lei_order(year: int) -> list[tuple[str, str]]:
    return [(k, n) for k, n in codes.LEI if k != "234" or year >= 2020]
