"""Does a report's issuer name an expected department? (pure)

Names are compared after normalization (simplified characters, no spaces or
punctuation, 中国共产党 → 中共, no trailing 本级 / 机关) and split into a region
(北京市通州区) and a core (政务服务管理局). The cores must be equal; the regions
must agree, one may omit upper levels (通州区 ~ 北京市通州区). A name without a
region (区政务服务局, 财政局) matches only where the context supplies one: the
report's region, or the entry's source when the report came from it. So two
财政局 of different regions never match each other on the shared suffix.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from worker.textnorm import to_simplified

# One administrative unit: a few characters and a unit word. 自治区 / 自治州 /
# 自治县 are tried before 区 / 州 / 县 so 内蒙古自治区 is one unit.
_UNIT = re.compile(r"[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|自治县|特别行政区|省|市|地区|州|盟|区|县|旗)")
# Words ending in a unit character that are not places (城市管理委员会, 社区服务中心).
_NOT_PLACES = ("城市", "社区", "园区", "景区", "城区", "市区", "小区", "矿区", "校区", "库区", "超市", "都市", "山区",
               "辖区", "片区", "街区", "牧区", "林区", "湾区", "营区")
# A bare unit word leading a name: 区政务服务局 is "the district's", region unsaid.
_BARE = ("省", "市", "区", "县", "州", "旗")
_SUFFIXES = ("机关本级", "本级", "机关")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


@dataclass(frozen=True)
class Name:
    region: str        # 北京市通州区, or '' when the name says none
    core: str          # 政务服务管理局


@lru_cache(maxsize=4096)
def normalize(name: str) -> str:
    t = unicodedata.normalize("NFKC", to_simplified(name or ""))
    t = _PUNCT.sub("", t)
    if t.startswith("中国共产党"):
        t = "中共" + t[len("中国共产党"):]
    changed = True
    while changed:
        changed = False
        for suf in _SUFFIXES:
            if t.endswith(suf) and len(t) > len(suf) + 1:
                t, changed = t[:-len(suf)], True
    return t


@lru_cache(maxsize=4096)
def split(name: str) -> Name:
    """'北京市通州区政务服务管理局' → Name('北京市通州区', '政务服务管理局')."""
    t = normalize(name)
    party = t.startswith("中共")
    if party:
        t = t[2:]
    pos, region = 0, ""
    while True:
        m = _UNIT.match(t, pos)
        if m is None or m.end() >= len(t) or any(m.group().endswith(w) for w in _NOT_PLACES):
            break
        end = m.end()
        if t[end - 1] == "州" and end + 1 < len(t) and t[end] in "省市区县":
            end += 1            # 通州区, 杭州市, 贵州省: 州 is part of the place's name
        region, pos = t[:end], end
    return Name(region, ("中共" if party else "") + t[pos:])


def same_core(a: str, b: str) -> bool:
    """Equal, or equal but for a bare leading unit word (区政务服务局 ~ 政务服务局)."""
    if a == b:
        return bool(a)
    if len(a) == len(b) + 1:
        a, b = b, a
    return len(b) == len(a) + 1 and b[0] in _BARE and b[1:] == a and len(a) >= 2


def core_keys(core: str) -> tuple[str, ...]:
    """The slots a core is filed under for lookup: itself, and without a leading
    bare unit word. Two cores same_core() accepts always share one."""
    if len(core) >= 3 and core[0] in _BARE:
        return (core, core[1:])
    return (core,) if core else ()


def regions_agree(a: str, b: str) -> bool:
    """通州区 ~ 北京市通州区 (one omits upper levels); 北京市 ≁ 北京市通州区 (another level)."""
    return bool(a) and bool(b) and (a.endswith(b) or b.endswith(a))


def issuer_from_title(title: str) -> str:
    """The department named by a title such as '北京市通州区政务服务管理局2023年度部门决算'."""
    t = (title or "").strip()
    m = _YEAR.search(t)
    return t[:m.start()].strip() if m and m.start() >= 2 else ""


def matches(names: list[str], entry_region: str, entry_source: str, issuer: str, report_region: str = "",
            report_source: str = "") -> bool:
    """Whether a report's issuer is one of an expected department's names.

    `entry_region`: the entry's region (given, or read from its name) for
    aliases that omit it; `report_region`: the region read from the report,
    for an issuer that omits it."""
    if not issuer:
        return False
    got = split(issuer)
    got_region = got.region or (split(report_region + "x").region if report_region else "")
    for n in names:
        want = split(n)
        if not same_core(want.core, got.core):
            continue
        want_region = want.region or entry_region
        if want_region and got_region:
            if regions_agree(want_region, got_region):
                return True
            continue
        if not want_region and not got_region:
            return True         # neither names a region: the entry asked for this bare name
        # One side names no region: only the entry's own source vouches for it.
        if entry_source and report_source == entry_source:
            return True
    return False


def entry_region(name: str, region: str = "") -> str:
    """An entry's region: as configured, else read from its name."""
    return split(region + "x").region if region else split(name).region
