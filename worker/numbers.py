"""Numbers as printed: value, unit, precision and where they stand.

A printed number with d decimals stands for value ± 0.5·10^-d (design.md);
`Num.half_ulp` gives that half-width in normalized units. Money is normalized
to 万元 whatever the printed unit (元, 千元, 万元, 亿元), percentages to
percentage points, counts to the count of things (20万条 is 200000 条).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MONEY_UNITS = {
    "万亿元": 1e8, "亿元": 1e4, "千万元": 1e3, "百万元": 100.0, "万元": 1.0,
    "千元": 0.1, "元": 1e-4,
}
PERCENT_UNITS = {"%": 1.0, "百分比": 1.0, "‰": 0.1, "个百分点": 1.0, "百分点": 1.0}
# Measure words of counted things and durations, longest first in the regex.
COUNT_UNITS = (
    "人次 批次 件次 台次 架次 户次 个月 小时 分钟 工作日 千瓦时 平方米 立方米 公里 "
    "坐席 人日 门 个 次 项 条 辆 台 套 件 人 名 家 批 场 份 本 张 篇 期 座 处 所 户 位 "
    "节 天 日 周 年 月 秒 类 枚 起 通 封 部 组 笔 宗 例 册 栋 间 米 吨 千克 公斤 GB TB MB 核 "
    "兆 元/件 元/套 元/人 小时/天"
).split()
COUNT_UNIT_SET = set(COUNT_UNITS)
# Units that mean a per-unit price or a rate, not a count.
PER_UNITS = {u for u in COUNT_UNITS if "/" in u}

_units_alt = "|".join(
    re.escape(u)
    for u in sorted(list(MONEY_UNITS) + list(PERCENT_UNITS) + COUNT_UNITS, key=len, reverse=True)
)

# A number: thousands separators only in groups of three; an optional sign.
_NUM = r"(?P<sign>[-+])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
NUMBER_RE = re.compile(
    r"(?<![\d.A-Za-z_])" + _NUM
    + r"(?P<scale>\s?(?:万|亿)(?!元))?"
    + r"(?P<approx>余|多)?"
    + r"(?P<sp>[ \t]?)"
    + r"(?P<unit>" + _units_alt + r")?"
)
# Digits glued to latin letters (codes, model numbers) are not numbers.
_AFTER_BAD = re.compile(r"[A-Za-z_]")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_PERCENT_RE = re.compile(r"百分之(?P<int>[零〇一二两三四五六七八九十百千]+)(?:点(?P<frac>[零〇一二三四五六七八九]+))?")


@dataclass
class Num:
    value: float          # normalized value (万元, percentage points, count)
    unit: str             # unit as printed ('' when bare)
    kind: str             # money | percent | count | number
    precision: int        # decimals as printed
    raw: str              # the printed text, e.g. '45,597.62万元'
    start: int            # offsets in the normalized report text
    end: int
    scale: float = 1.0    # normalized units per printed unit
    approx: bool = False  # printed with 余/多 (more than) or 约 (about)

    def half_ulp(self) -> float:
        """Half a unit in the last printed place, in normalized units."""
        if self.approx:
            return abs(self.value) * 0.5 + 1e-9
        return 0.5 * (10 ** -self.precision) * self.scale

    @property
    def printed(self) -> float:
        """The value in the printed unit (undoing normalization)."""
        return self.value / self.scale if self.scale else self.value

    def to_dict(self) -> dict:
        return {
            "value": self.value, "unit": self.unit, "kind": self.kind,
            "precision": self.precision, "raw": self.raw, "start": self.start,
            "end": self.end, "scale": self.scale, "approx": self.approx,
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "Num | None":
        if d is None:
            return None
        return cls(**d)

    def as_money(self) -> "Num":
        """A number printed with 万 or 亿 alone (增收4,376万) read as money."""
        if self.kind != "number" or self.unit not in ("万", "亿"):
            return self
        return Num(value=self.value / 1e4, unit=self.unit, kind="money", precision=self.precision,
                   raw=self.raw, start=self.start, end=self.end, scale=self.scale / 1e4, approx=self.approx)

    def with_unit(self, unit: str) -> "Num":
        """Re-read a bare number in a unit known from context (a table header)."""
        if self.unit:
            return self
        kind, factor = unit_kind(unit)
        return Num(value=self.value * factor, unit="", kind=kind, precision=self.precision,
                   raw=self.raw, start=self.start, end=self.end, scale=self.scale * factor,
                   approx=self.approx)


def unit_kind(unit: str) -> tuple[str, float]:
    if unit in MONEY_UNITS:
        return "money", MONEY_UNITS[unit]
    if unit in PERCENT_UNITS:
        return "percent", PERCENT_UNITS[unit]
    if unit in PER_UNITS:
        return "rate", 1.0
    if unit in COUNT_UNIT_SET:
        return "count", 1.0
    return "number", 1.0


def cn_integer(s: str) -> int | None:
    """三十七 → 37, 一百零五 → 105, 九 → 9."""
    total, current = 0, 0
    if not s:
        return None
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def parse_cn_percent(m: re.Match, base: int = 0) -> Num | None:
    whole = cn_integer(m.group("int"))
    if whole is None:
        return None
    frac = m.group("frac") or ""
    digits = "".join(str(_CN_DIGITS[c]) for c in frac)
    value = float(f"{whole}.{digits}") if digits else float(whole)
    return Num(value=value, unit="%", kind="percent", precision=len(digits),
               raw=m.group(0), start=base + m.start(), end=base + m.end())


# unit → (kind, factor) as unit_kind gives them, looked up once per number.
_UNIT_KIND = {u: unit_kind(u) for u in [*COUNT_UNITS, *PERCENT_UNITS, *MONEY_UNITS, ""]}
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")   # what _AFTER_BAD matches


def _make(m: re.Match, base: int) -> Num:
    sign, digits, scale_word, approx_word, unit = m.group("sign", "num", "scale", "approx", "unit")
    if "," in digits:
        digits = digits.replace(",", "")
    dot = digits.find(".")
    precision = len(digits) - dot - 1 if dot >= 0 else 0
    value = float(digits)
    if sign == "-":
        value = -value
    if unit is None:
        unit = ""
    scale_word = scale_word.strip() if scale_word else ""
    approx = approx_word is not None and approx_word != ""
    kind, factor = _UNIT_KIND[unit]
    if scale_word:
        # 174.8万人次, 3.8亿条: a scaled count; a bare 3.8亿 stays a number.
        factor *= 1e4 if scale_word == "万" else 1e8
    elif kind == "count" and unit in ("月", "日") or (unit == "年" and precision == 0 and 1900 <= value <= 2100):
        kind = "date"
    raw = m.group(0).rstrip()
    printed_unit = scale_word + ("余" if approx and scale_word else "") + unit
    start = base + m.start()
    return Num(value=value * factor, unit=printed_unit, kind=kind, precision=precision,
               raw=raw, start=start, end=start + len(raw), scale=factor, approx=approx)


def find_numbers(text: str, base: int = 0) -> list[Num]:
    """All numbers of a piece of text, in order, with units where printed."""
    out: list[Num] = []
    n = len(text)
    for m in NUMBER_RE.finditer(text):
        e = m.end()
        if e < n and m.group("unit") is None and text[e] in _LATIN:
            continue
        out.append(_make(m, base))
    if "百分之" in text:
        for m in CN_PERCENT_RE.finditer(text):
            c = parse_cn_percent(m, base)
            if c is not None:
                out.append(c)
        out.sort(key=lambda x: x.start)
    return out


def _numbers_from(text: str, pos: int, endpos: int) -> list[Num]:
    """find_numbers' loop over text[pos:endpos], with offsets in `text` and the
    look-behind and the letter after a number read in the whole text."""
    out: list[Num] = []
    n = len(text)
    for m in NUMBER_RE.finditer(text, pos, endpos):
        e = m.end()
        if e < n and m.group("unit") is None and text[e] in _LATIN:
            continue
        out.append(_make(m, 0))
    if text.find("百分之", pos, endpos) >= 0:
        for m in CN_PERCENT_RE.finditer(text, pos, endpos):
            c = parse_cn_percent(m)
            if c is not None:
                out.append(c)
        out.sort(key=lambda x: x.start)
    return out


# How far past a line's newline a number begun on it may reach: 3\n万余 个百分点.
_LINE_TAIL = 12


class LineNumbers:
    """The numbers find_numbers(text) gives, read line by line on demand.

    A number is never cut by a newline (only the space of '3 万' may be one, and
    no digit or sign follows it), so scanning from a line's start finds the same
    numbers that start on that line as a scan of the whole text; a report whose
    narrative is a fraction of its text (the rest tables) scans only that part.
    Each line is read once; its Num objects are shared by all who ask.
    """

    def __init__(self, text: str):
        self.text = text
        self._lines: dict[int, list[Num]] = {}     # line start → numbers starting on it

    def line(self, ls: int) -> list[Num]:
        """The numbers starting on the line that starts at `ls`."""
        nums = self._lines.get(ls)
        if nums is None:
            text = self.text
            le = text.find("\n", ls)
            if le < 0:
                le = len(text)
            nums = [x for x in _numbers_from(text, ls, min(len(text), le + _LINE_TAIL)) if x.start < le]
            self._lines[ls] = nums
        return nums

    def within(self, s: int, e: int) -> list[Num]:
        """The numbers starting in [s, e) and ending by e, in order (s < e)."""
        text = self.text
        out: list[Num] = []
        ls = text.rfind("\n", 0, s) + 1
        while ls < e:
            for x in self.line(ls):
                if s <= x.start < e and x.end <= e:
                    out.append(x)
            nl = text.find("\n", ls)
            if nl < 0:
                break
            ls = nl + 1
        return out


def parse_cell_number(text: str, start: int = 0) -> Num | None:
    """A table cell that is one number (with optional unit); None otherwise."""
    t = text.strip()
    if not t:
        return None
    m = NUMBER_RE.match(t)
    if not m or m.end() != len(t.rstrip()):
        return None
    lead = len(text) - len(text.lstrip())
    return _make(m, start + lead)
