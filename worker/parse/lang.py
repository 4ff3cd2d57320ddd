"""The vocabulary of Chinese final accounts: labels, roles and sections.

These are the words the reports are built from (预算, 决算, 执行数, 其中,
占…的, 比上年增加…), not the wording of any one report. Parsers use them to
say what a number is: a budget, an outturn, a change, a share, a part.
"""
from __future__ import annotations

import re
from functools import lru_cache

# List markers: 1.  1、  (一)  (1)  一、  ⑴  ①  第一,
ENUM_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+(?:部分|章|节)?[,、:]?|[0-9]{1,2}\s*[.、](?![0-9])|\(\s*[0-9一二三四五六七八九十]{1,3}\s*\)|"
    r"[一二三四五六七八九十]{1,3}\s*[、.]|[⑴-⒇①-⑳]|[一二三四五六七八九十]是)\s*"
)
# Years and dates that preface a figure: 2024年度, 2020年, 截至2020年12月31日
TIME_RE = re.compile(
    r"(?:截至|截止|到)?\d{4}\s*年(?:度)?(?:\d{1,2}月(?:\d{1,2}日)?)?(?:底|末|内|全年)?|"
    r"(?:截至|截止)(?:目前|年底|年末)|本年度|上年度|全年|当年|年度内"
)
FILLER_RE = re.compile(r"^(?:本部门|本单位|我局|我部门|我单位|该项目|本项目|单位|部门|其中|此外|同时|另外|以及|和|及|与)(?=.{2,})")
COPULA_RE = re.compile(r"(?:为|是|达到|达|共计|总计为|合计为|约|累计|共|的|:|,|\s)+$")
# Spending capped by its budget (三公经费, 机关运行经费): spending less is the
# aim, spending more a finding.
CAPPED_SPENDING = re.compile(r"三公|因公出国|公务接待|公务用车|机关运行经费|日常公用经费")
DELTA_RE = re.compile(r"(?:增加|减少|增长|下降|节约|节省|超支|上升|降低|压减|增收|减收|增支|减支|超收|短收|减|增|多|少)了?$")
COMPARE_RE = re.compile(r"(?:比|较|与|同比|环比)")

SECTION_WORDS = [
    ("sangong", re.compile(r"三公|因公出国|公务接待|公务用车|出国\(境\)")),
    ("admin", re.compile(r"机关运行经费|日常公用经费|机关运行费")),
    ("procurement", re.compile(r"政府采购|中小企业|小微企业|采购支出")),
    ("functional", re.compile(r"\((?:类|款|项)\)")),
    ("headline", re.compile(
        r"收\s*、?\s*支总计|收入合计|支出合计|本年收入|本年支出|总收入|总支出|基本支出|项目支出|财政拨款收入|"
        r"财政拨款支出|上年结转|年末结转|结转和结余|其他收入|事业收入|经营收入|上级补助|附属单位|结余分配"
    )),
]


@lru_cache(maxsize=65536)
def clean_label(text: str) -> str:
    """The name a figure is given, without list markers, dates and copulas."""
    t = text.strip()
    t = t.replace("“", "").replace("”", "").replace('"', "")
    t = re.split(r"[,;:。!?]", t)[-1] if re.search(r"[,;:。!?]", t) else t
    prev = None
    while prev != t:
        prev = t
        t = ENUM_RE.sub("", t)
        t = TIME_RE.sub("", t)
        t = FILLER_RE.sub("", t)
        t = COPULA_RE.sub("", t)
        t = t.strip()
    return t


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """A comparison key for names: no spaces, quotes, 的, 全年, punctuation."""
    t = re.sub(r"[\s“”\"'《》、,:()\-—·]", "", text)
    t = t.replace("的", "").replace("全年", "").replace("年度", "")
    return t


@lru_cache(maxsize=65536)
def section_of(text: str) -> str:
    for name, rx in SECTION_WORDS:
        if rx.search(text):
            return name
    return "other"


@lru_cache(maxsize=65536)
def money_role(label: str) -> str:
    """What a money figure is, from the words in front of it."""
    t = label
    if DELTA_RE.search(t) and not re.search(r"(?:收入|支出|总计|合计|预算数|决算数)$", t):
        return "delta"
    if "年初预算" in t or "年初预算数" in t:
        return "initial_budget"
    if re.search(r"调整后预算|全年预算|预算数|预算安排|预算金额|安排资金|预算资金|预算为|批复", t) or t.endswith("预算"):
        return "budget"
    if "决算" in t:
        return "final"
    if re.search(r"执行数|实际支出|实际支付|完成支付|已经?支出|已支付|支付|总体支出|资金支出|执行金额|使用|实际到位|到位资金", t) \
            or re.search(r"(?:^|[,,;;])(?:实际)?执行$", t):
        return "executed"
    if re.search(r"合同金额|合同额", t):
        return "contract"
    if re.search(r"总计|合计|总额|总收入|总支出", t):
        return "total"
    return ""


# Execution and completion wording: the base of a stated rate.
RATE_BASE_PATTERNS = [
    ("initial", re.compile(r"年初预算")),
    ("arrangement", re.compile(r"预算资金安排|资金安排|安排")),
    ("budget", re.compile(r"全年预算|调整后预算|调整预算|预算")),
]


def rate_base(words: str) -> str:
    for name, rx in RATE_BASE_PATTERNS:
        if rx.search(words):
            return name
    return "budget"


COMPARATORS = [
    (re.compile(r"^(?:≥|>=|=>|大于等于|大于或等于|不小于|不低于|不少于|至少|≧)"), ">="),
    (re.compile(r"^(?:≤|<=|=<|小于等于|小于或等于|不大于|不高于|不超过|不多于|至多|≦)"), "<="),
    (re.compile(r"^(?:>|大于|高于|超过|多于)"), ">"),
    (re.compile(r"^(?:<|小于|低于|少于)"), "<"),
    (re.compile(r"^(?:=|==|等于)"), "="),
]
SUFFIX_COMPARATORS = [
    (re.compile(r"(?:以上|及以上|或以上)$"), ">="),
    (re.compile(r"(?:以下|以内|及以下|或以下|之内)$"), "<="),
]

GRADES = {"优秀": 4, "优": 4, "良好": 3, "良": 3, "中等": 2, "中": 2, "合格": 1, "及格": 1,
          "一般": 1, "较差": 0, "差": 0, "不合格": 0}

# Names of "bad" rates: a plain target means "at most".
LOWER_IS_BETTER = re.compile(r"超支率|呼损率|投诉率|差错率|故障率|失误率|损失率|事故|发生率|违规|超标率|逾期|"
                             r"等候时长|等待时长|响应时间|时长|耗时|成本|费用|单价|价格|跑动次数|重大问题|偏差率")


def split_comparator(text: str) -> tuple[str, str]:
    """'≥95%' → ('>=', '95%'); '6%以内' → ('<=', '6%'); '30条' → ('', '30条')."""
    t = text.strip()
    for rx, op in COMPARATORS:
        m = rx.match(t)
        if m:
            return op, t[m.end():].strip()
    for rx, op in SUFFIX_COMPARATORS:
        m = rx.search(t)
        if m:
            return op, t[:m.start()].strip()
    return "", t
