"""Building a department's profile and its accounts for a year."""
from __future__ import annotations

import random

from . import codes
from .model import Accounts, Item, Profile, c, split


def make_profile(rng: random.Random, used_names: set | None = None) -> Profile:
    arch = rng.choice(sorted(codes.ARCHETYPES))
    spec = codes.ARCHETYPES[arch]
    for _ in range(50):
        region, districts = rng.choice(codes.REGIONS)
        district = rng.choice(districts)
        if arch == "street":
            street = rng.choice(codes.STREETS)
            district = district or rng.choice([d for d in districts if d] or ["城区"])
            issuer = f"{region}{district}{street}街道办事处"
        else:
            issuer = f"{region}{district}{rng.choice(spec['names'])}"
        if not used_names or issuer not in used_names:
            break
    if used_names is not None:
        used_names.add(issuer)
    if not spec["inst"]:
        kind = "admin"
    else:
        kind = rng.choices(["admin", "mixed", "inst"], [0.25, 0.65, 0.10])[0]
    short = issuer
    units = []
    if kind != "inst":
        units.append(f"{short}（本级）")
    if kind != "admin":
        pool = list(spec["units"])
        rng.shuffle(pool)
        prefix = issuer[: issuer.find("区") + 1] if "区" in issuer else issuer[: issuer.find("市") + 1]
        units += [prefix + u for u in pool[: rng.randint(1, min(5, len(pool)))]]
    big = region in ("上海市", "北京市")
    staff_admin = 0 if kind == "inst" else rng.randint(12, 160)
    staff_inst = 0 if kind == "admin" else rng.randint(15, 900 if arch in ("edu", "health") else 200)
    items = []
    if kind != "inst":
        items.append((spec["admin"], "admin"))
    if kind != "admin":
        inst = list(spec["inst"])
        rng.shuffle(inst)
        items += [(x, "inst") for x in inst[: rng.randint(1, min(3, len(inst)))]]
    proj = [p for p in spec["proj"] if p not in dict(items)]
    rng.shuffle(proj)
    items += [(p, "proj") for p in proj[: rng.randint(1, min(4, len(proj)))]]
    has_gf = bool(spec["gf"]) and rng.random() < 0.35
    if has_gf:
        gf = list(spec["gf"])
        rng.shuffle(gf)
        items += [(g, "gf") for g in gf[: rng.randint(1, len(gf))]]
    has_soe = rng.random() < 0.07
    if has_soe:
        items.append((rng.choice(codes.SOE_ITEMS), "soe"))
    biz = kind != "admin" and rng.random() < spec["biz"]
    return Profile(issuer=issuer, region=region, archetype=arch, kind=kind, units=units,
                   staff_admin=staff_admin, staff_inst=staff_inst, retirees=rng.randint(0, 40),
                   pay=rng.uniform(22, 32) if big else rng.uniform(11, 22), items=items,
                   has_gf=has_gf, has_soe=has_soe, biz=biz,
                   operating=biz and rng.random() < 0.15, upper=biz and rng.random() < 0.06,
                   subsidy=kind != "admin" and rng.random() < 0.08, affil=biz and rng.random() < 0.06,
                   cars=0 if rng.random() < 0.15 else rng.randint(1, 4 + (staff_admin + staff_inst) // 40),
                   seed=rng.randrange(1 << 30),
                   proj_ratio=rng.uniform(0.6, 3.0) if arch in ("street", "housing", "agri") else rng.uniform(0.12, 1.5),
                   gong_rate=rng.uniform(1.5, 5.0), jgyx_share=1.0 if kind == "admin" else rng.uniform(0.3, 0.8),
                   abroad=rng.uniform(3, 40) if rng.random() < 0.25 else 0.0,
                   reception_rate=rng.uniform(0.01, 0.08) if rng.random() < 0.85 else 0.0)


def _econ(p: Profile, rng: random.Random, sangong: dict) -> dict:
    n = p.staff_admin + p.staff_inst
    a = p.staff_admin / n
    wages = c(n * p.pay * rng.uniform(0.95, 1.05) * 0.72)
    w = {"30101": 0.22, "30102": 0.30 * a + 0.12 * (1 - a), "30103": 0.12 * a,
         "30106": 0.02 if rng.random() < 0.3 else 0.0, "30107": 0.40 * (1 - a) + 0.04 * a}
    e = dict(zip(w, split(wages, list(w.values()))))
    base = wages
    e["30108"] = round(base * 0.16)
    e["30109"] = round(base * 0.08)
    e["30110"] = round(base * rng.uniform(0.07, 0.10))
    e["30111"] = round(base * 0.03 * a)
    e["30112"] = round(base * 0.01) if rng.random() < 0.7 else 0
    e["30113"] = round(base * rng.uniform(0.07, 0.12))
    e["30114"] = c(rng.uniform(0.5, 6)) if rng.random() < 0.2 else 0
    e["30199"] = round(base * rng.uniform(0.005, 0.03)) if rng.random() < 0.5 else 0
    e["30301"] = c(rng.uniform(2, 15)) if p.retirees and rng.random() < 0.1 else 0
    e["30302"] = c(p.retirees * rng.uniform(0.5, 3)) if p.retirees and rng.random() < 0.4 else 0
    e["30304"] = c(rng.uniform(1, 20)) if rng.random() < 0.1 else 0
    e["30305"] = c(rng.uniform(0.5, 12)) if rng.random() < 0.4 else 0
    e["30307"] = c(rng.uniform(0.5, 8)) if rng.random() < 0.3 else 0
    e["30399"] = c(rng.uniform(0.2, 10)) if rng.random() < 0.3 else 0
    # 商品和服务支出
    gong = c(n * p.gong_rate * rng.uniform(0.92, 1.08))
    opt = {"30201": (1.0, 8), "30202": (0.5, 1), "30203": (0.2, 1), "30205": (0.9, 1), "30206": (0.9, 3),
           "30207": (0.9, 2), "30209": (0.7, 6), "30211": (0.95, 2), "30213": (0.8, 3), "30214": (0.3, 4),
           "30215": (0.4, 1), "30216": (0.6, 1), "30218": (0.3, 2), "30226": (0.5, 4), "30227": (0.4, 5),
           "30229": (0.5, 2), "30239": (0.6, 3), "30240": (0.1, 0.5), "30299": (0.8, 4)}
    chosen = [k for k, (pr, _) in opt.items() if rng.random() < pr]
    for k, v in zip(chosen, split(gong, [opt[k][1] * rng.uniform(0.5, 1.5) for k in chosen])):
        e[k] = v
    e["30228"] = round(base * 0.02)
    e["30231"] = round(sangong["car_run"] * rng.uniform(0.6, 1.0))
    e["30217"] = round(sangong["reception"] * rng.uniform(0.5, 1.0))
    e["30212"] = round(sangong["abroad"] * rng.uniform(0.5, 1.0)) if rng.random() < 0.7 else 0
    e["31002"] = c(rng.uniform(0.5, 2) * n ** 0.5) if rng.random() < 0.6 else 0
    e["31007"] = c(rng.uniform(1, 30)) if rng.random() < 0.2 else 0
    e["31003"] = c(rng.uniform(2, 50)) if rng.random() < 0.1 else 0
    e["31013"] = sangong["car_buy"] if rng.random() < 0.3 else 0
    return {k: v for k, v in sorted(e.items()) if v > 0}


def _sangong(p: Profile, rng: random.Random) -> tuple[dict, dict]:
    n = p.staff_admin + p.staff_inst
    b = {"abroad": 0, "car_buy": 0, "car_run": 0, "reception": 0}
    if p.abroad and rng.random() < 0.85:
        b["abroad"] = c(p.abroad * rng.uniform(0.8, 1.2))
    if p.cars:
        b["car_run"] = c(p.cars * rng.uniform(1.5, 2.0))
        if rng.random() < 0.12:
            b["car_buy"] = c(rng.randint(1, 2) * rng.uniform(15, 30))
    if p.reception_rate:
        b["reception"] = c(max(0.5, n * p.reception_rate * rng.uniform(0.85, 1.15)))
    a = {"abroad": round(b["abroad"] * rng.uniform(0.5, 1.0)),
         "car_buy": round(b["car_buy"] * rng.uniform(0.85, 1.0)),
         "car_run": round(b["car_run"] * rng.uniform(0.75, 1.0)),
         "reception": round(b["reception"] * rng.uniform(0.6, 1.0))}
    if rng.random() < 0.05:         # a year without any 三公 spending
        a = dict.fromkeys(a, 0)
        b = dict.fromkeys(b, 0)
    return b, a


def _budget(amount: int, role: str, rng: random.Random) -> int:
    if amount == 0:
        return 0
    if rng.random() < 0.15:
        return amount                                   # 持平
    if role in ("pension", "medical", "housing", "retire"):
        r = rng.uniform(0.93, 1.08)
    elif role in ("admin", "inst"):
        r = rng.uniform(0.92, 1.15)
    else:
        r = rng.uniform(0.92, 1.6)
    return max(1, round(amount / r))


def build_accounts(p: Profile, year: int, prev: Accounts | None = None) -> Accounts:
    rng = random.Random(p.seed * 7919 + year)
    grow = rng.uniform(0.93, 1.08)
    p = _scaled(p, grow)
    sg_budget, sg = _sangong(p, rng)
    econ = _econ(p, rng, sg)
    n = p.staff_admin + p.staff_inst
    a = p.staff_admin / n
    items: dict[str, Item] = {}

    def item(code: str, role: str) -> Item:
        if code not in items:
            pool = codes.ROLE_PURPOSES.get(role, codes.PURPOSES)
            purpose = codes.CODE_PURPOSES.get(code) or rng.choice(pool)
            items[code] = Item(code, codes.XIANG[code], role, purpose=purpose)
        return items[code]

    item("2080505", "pension").gpb_basic = econ.get("30108", 0)
    item("2080506", "pension").gpb_basic = econ.get("30109", 0)
    med = econ.get("30110", 0)
    m_admin = round(med * a)
    if m_admin:
        item("2101101", "medical").gpb_basic = m_admin
    if med - m_admin:
        item("2101102", "medical").gpb_basic = med - m_admin
    if econ.get("30111"):
        item("2101103", "medical").gpb_basic = econ["30111"]
    item("2210201", "housing").gpb_basic = econ.get("30113", 0)
    retire = econ.get("30301", 0) + econ.get("30302", 0)
    if retire:
        r_admin = round(retire * a)
        if r_admin:
            item("2080501", "retire").gpb_basic = r_admin
        if retire - r_admin:
            item("2080502", "retire").gpb_basic = retire - r_admin
    rest = sum(econ.values()) - sum(i.gpb_basic for i in items.values())
    runners = [(code, role) for code, role in p.items if role in ("admin", "inst")]
    weights = [a * 3 if role == "admin" else (1 - a) * rng.uniform(0.5, 1.5) for _, role in runners]
    for (code, role), v in zip(runners, split(rest, weights)):
        item(code, role).gpb_basic += v
    basic_total = sum(econ.values())
    ratio = p.proj_ratio * rng.uniform(0.85, 1.15)
    proj_total = round(basic_total * ratio)
    proj_items = [(code, role) for code, role in p.items if role in ("proj", "inst", "admin")]
    pw = [rng.uniform(2, 6) if role == "proj" else rng.uniform(0, 1.2) for _, role in proj_items]
    for (code, role), v in zip(proj_items, split(proj_total, pw)):
        if v:
            item(code, role).gpb_project += v
    for code, role in p.items:
        if role == "gf":
            it = item(code, role)
            it.gf_project = c(basic_total / 100 * rng.uniform(0.05, 0.6))
            it.gf_begin = round(it.gf_project * rng.uniform(0, 0.4)) if rng.random() < 0.5 else 0
            it.gf_end = round(it.gf_project * rng.uniform(0, 0.3)) if rng.random() < 0.5 else 0
            it.budget_gf = _budget(it.gf_project, "gf", rng)
        elif role == "soe":
            it = item(code, role)
            it.soe_project = c(basic_total / 100 * rng.uniform(0.02, 0.2))
            it.soe_begin = round(it.soe_project * rng.uniform(0, 0.3)) if rng.random() < 0.3 else 0
            it.soe_end = round(it.soe_project * rng.uniform(0, 0.2)) if rng.random() < 0.3 else 0
            it.budget_soe = _budget(it.soe_project, "soe", rng)
    for it in items.values():
        if it.gpb_project and rng.random() < 0.3:
            it.gpb_begin = round(it.gpb_project * rng.uniform(0.02, 0.3))
        if it.gpb_project and rng.random() < 0.35:
            it.gpb_end = round(it.gpb_project * rng.uniform(0.01, 0.2))
    _non_fiscal(p, items, rng)
    for it in items.values():
        it.budget_gpb = _budget(it.gpb, it.role, rng)
    ordered = sorted(items.values(), key=lambda i: i.code)
    nf_exp = sum(i.exp - i.fiscal for i in ordered)
    nf_inc = sum(i.inc - i.inc_fiscal for i in ordered)
    nf_begin = round(nf_exp * rng.uniform(0.05, 0.5)) if nf_exp else 0
    nf_use = round(nf_exp * rng.uniform(0.01, 0.08)) if p.biz and rng.random() < 0.25 else 0
    nf_dist = round(nf_inc * rng.uniform(0.005, 0.03)) if p.biz and rng.random() < 0.15 else 0
    end = nf_begin + nf_inc + nf_use - nf_exp - nf_dist
    if end < 0:
        nf_begin += -end + round(nf_exp * rng.uniform(0, 0.1))
    jgyx = None
    if p.kind != "inst":
        public = sum(v for k, v in econ.items() if k[:3] in ("302", "310"))
        jgyx = public if p.kind == "admin" else round(public * p.jgyx_share * rng.uniform(0.95, 1.05))
    acc = Accounts(year=year, profile=p, items=ordered, econ=econ, nf_begin=nf_begin, nf_use=nf_use,
                   nf_dist=nf_dist, sangong_budget=sg_budget, sangong=sg, sangong_prev={}, prev={}, jgyx=jgyx)
    _prev(acc, prev, rng)
    _extra(acc, rng)
    return acc


def _scaled(p: Profile, grow: float) -> Profile:
    from dataclasses import replace
    return replace(p, staff_admin=max(p.staff_admin and 5, round(p.staff_admin * grow)),
                   staff_inst=max(p.staff_inst and 5, round(p.staff_inst * grow)))


def _non_fiscal(p: Profile, items: dict, rng: random.Random) -> None:
    insts = [i for i in items.values() if i.role == "inst"] or [i for i in items.values() if i.role == "admin"]
    if p.biz:
        for it in insts:
            it.nf_basic = round(it.gpb_basic * rng.uniform(0.1, 1.0))
            it.nf_project = round(it.gpb_basic * rng.uniform(0, 0.4)) if rng.random() < 0.6 else 0
            it.inc_biz = round((it.nf_basic + it.nf_project) * rng.uniform(0.9, 1.1))
    if p.operating:
        it = rng.choice(insts)
        it.operating = round(it.gpb_basic * rng.uniform(0.02, 0.2)) + 100
        it.inc_oper = round(it.operating * rng.uniform(1.0, 1.15))
    if p.upper:
        it = rng.choice(insts)
        it.upper = round(it.gpb_basic * rng.uniform(0.01, 0.05)) + 100
    if p.subsidy:
        it = rng.choice(insts)
        it.subsidy = round(it.gpb_basic * rng.uniform(0.01, 0.1)) + 100
    if p.biz and rng.random() < 0.1:
        it = rng.choice(insts)
        it.inc_upper = round(it.gpb_basic * rng.uniform(0.02, 0.1)) + 100
        it.nf_project += round(it.inc_upper * rng.uniform(0.7, 1.0))
    if p.affil:
        rng.choice(insts).inc_affil = c(rng.uniform(1, 30))
    if rng.random() < 0.3:
        it = rng.choice(list(items.values()))
        it.inc_other = c(rng.uniform(0.1, 20))
        if rng.random() < 0.5:
            it.nf_basic += round(it.inc_other * rng.uniform(0.5, 1.0))


def _vary(v: int, rng: random.Random, lo=0.82, hi=1.22) -> int:
    if v == 0:
        return 0
    for _ in range(10):
        x = round(v * rng.uniform(lo, hi))
        if abs(x - v) >= 100 and x > 0:
            return x
    return v + 500


def _prev(acc: Accounts, prev: Accounts | None, rng: random.Random) -> None:
    if prev is not None:
        acc.prev = {"total": prev.grand_total, "fiscal_total": prev.fiscal_total, "gpb_exp": prev.sum("gpb"),
                    "jgyx": prev.jgyx}
        acc.sangong_prev = dict(prev.sangong)
        return
    acc.prev = {"total": _vary(acc.grand_total, rng), "fiscal_total": _vary(acc.fiscal_total, rng),
                "gpb_exp": _vary(acc.sum("gpb"), rng), "jgyx": _vary(acc.jgyx, rng) if acc.jgyx else acc.jgyx}
    acc.sangong_prev = {k: (_vary(v, rng, 0.6, 1.4) if v and rng.random() < 0.9 else
                            (c(rng.uniform(1, 5)) if rng.random() < 0.2 else v)) for k, v in acc.sangong.items()}


def _extra(acc: Accounts, rng: random.Random) -> None:
    p = acc.profile
    proj = acc.sum("gpb_project") + acc.sum("gf") + acc.sum("soe")
    pool = max(proj + acc.public, 1000)
    total = round(pool * rng.uniform(0.05, 0.35))
    works = round(total * rng.uniform(0.05, 0.3)) if rng.random() < 0.4 else 0
    goods = round((total - works) * rng.uniform(0.1, 0.6))
    services = total - works - goods
    sme_res = round(total * rng.uniform(0.2, 0.8))
    small_res = round(sme_res * rng.uniform(0.3, 0.8))
    n_proj = rng.randint(3, 40)
    n_self = n_proj
    grades = split(n_self, [rng.uniform(3, 8), rng.uniform(1, 4), rng.uniform(0, 1), rng.uniform(0, 0.3)])
    problems = rng.randint(0, 12)
    fixed = rng.randint(0, problems)
    cars_total = p.cars + rng.randint(0, 3)
    cats = ["部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车",
            "特种专业技术用车", "离退休干部用车", "其他用车"]
    w = [0, 0.3, 0.5, 1, 2, 1, 0.2, 2]
    car_split = split(cars_total, [x * rng.uniform(0.5, 1.5) for x in w])
    acc.extra = {
        "procurement": {"total": total, "goods": goods, "works": works, "services": services,
                        "sme_reserved": sme_res, "small_reserved": small_res,
                        "sme_won": round(sme_res * rng.uniform(0.8, 1.0)),
                        "small_won": round(small_res * rng.uniform(0.8, 1.0)),
                        "other_sme": round((total - sme_res) * rng.uniform(0, 0.5))},
        "perf": {"n_target": n_proj, "amt_target": round(proj * rng.uniform(0.6, 1.0)),
                 "n_track": rng.randint(1, n_proj), "amt_track": round(proj * rng.uniform(0.2, 0.6)),
                 "n_self": n_self, "amt_self": round(proj * rng.uniform(0.6, 1.0)),
                 "score": round(rng.uniform(85, 97), 1), "grades": grades, "problems": problems,
                 "fixed": fixed, "fixing": problems - fixed},
        "cars": {"total": cars_total, "split": dict(zip(cats, car_split)), "fiscal_cars": p.cars,
                 "equipment": rng.randint(0, 6)},
        "abroad_groups": rng.randint(1, 4), "reception": (rng.randint(5, 80), rng.randint(20, 600)),
    }
    g = acc.extra["abroad_groups"]
    acc.extra["abroad_persons"] = g * rng.randint(2, 6)
