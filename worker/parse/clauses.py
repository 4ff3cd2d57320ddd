"""The words of a narrative sentence: its figures (Tok), the sentence (Sent),
and the small readings of clauses, lists, parentheses and wrapped lines
that the narrative readers share."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from worker.numbers import Num, find_numbers
from worker.parse import lang


_SENT_END = re.compile(r"[。!?]")
_FUNC_PART = re.compile(r"“?(?P<name>[^“”,。;:()]{1,40}?(?:\([^()]{1,4}\)[^“”,。;:()]{0,30}?)?)”?\s*\((?P<lvl>类|款|项)(?:,下同)?\)")
_PCT_WORDS = 14   # how far back from a percentage its wording is read

# A quoted or heading-like project name.
_QUOTED = re.compile(r"“([^“”]{3,60})”")
_PROJECT_HEAD = re.compile(
    r"^(?P<name>.{3,60}?(?:项目|工作经费|运转经费|专项经费|服务经费|人员经费|服务))"
    r"(?:\d{4}年度?)?(?:支出)?(?:绩效评价报告|绩效自评报告|绩效目标完成情况综述|绩效评价|自评得分|绩效目标|项目自评|"
    r"绩效自评|自评|综述|包括|主要|是|为|资金)"
)


@dataclass
class Sent:
    start: int
    end: int
    text: str
    line: int                 # index of the line (paragraph) it sits in
    nums: list = field(default_factory=list)
    owner: str = ""           # project the sentence speaks of, if any
    path: list = field(default_factory=list)   # functional classification path
    where: str = "text"       # text | cell (a free-text answer cell of a table)
    head: str = ""            # the start of its line: item headings name sections
    target: bool = False      # speaks of targets (绩效目标 section, 应于/预期/力争)


@dataclass
class Tok:
    num: Num
    label: str                # cleaned name of the figure
    raw: str                  # the words between the previous figure and this one
    role: str
    is_part: bool = False     # listed after 其中 / 包括
    explains: bool = False    # stated after 原因 / 用于: an explanation, not the figure itself


_TARGET_CUE = re.compile(r"应于|应当|须于|要求|预期|预计|力争|目标为|目标是|目标值")


_ROLE_TAIL = re.compile(r"(?:年初预算|全年预算|调整后预算|预算|决算|支出决算|执行数)(?:数)?(?:为|是)?$")
_ORG_HEAD = re.compile(r"^[\u4e00-\u9fff]{2,30}?(?:管理局|局|委员会|委|办公室|中心|厅)(?=[\u4e00-\u9fff]{2})")


def _subject_of(text: str) -> str:
    """What a sentence is about: its words before the first figure, without
    the department's name, dates and the budget words (…政府性基金支出年初预算为 → 政府性基金支出)."""
    first = next((n for n in find_numbers(text) if n.kind != "date"), None)
    head = text[:first.start] if first else text
    head = re.split(r"[,;:]", head)[0]
    head = lang.clean_label(head)
    head = _ROLE_TAIL.sub("", head)
    head = _ORG_HEAD.sub("", head)
    return head[:30]


def _is_heading(text: str, sent: Sent) -> bool:
    """A short line of its own without figures: a section heading."""
    ls = text.rfind("\n", 0, sent.start) + 1
    le = text.find("\n", sent.end)
    line = text[ls: le if le >= 0 else len(text)].strip()
    return len(line) <= 30 and not sent.nums and sent.text.strip() and line.startswith(sent.text.strip()[:4])


def _union(spans) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


_MONEY_WORDS = r"(?:增收|减收|增支|减支|收入|支出|资金|经费|预算|决算|拨款|节约|压减)(?:完成|为|达|达到|共计|合计)?了?$"
_BAND_AFTER = re.compile(r"\s*(?:以上|以下|之间|及以上|及以下|左右|至\d|[—–~～-]\s*\d)")
_BAND_BEFORE = re.compile(r"(?:在|低于|高于|超过|不低于|不高于|不足|未达到?|达不到|大于|小于|≥|≤|>|<)\s*$")


def _respective_names(tail: str, parts: list) -> list:
    """其中:货物支出、工程支出、服务支出分别为128.35万元、0万元、287.25万元:
    the names listed before 分别为 are the parts' names, in order."""
    mm = re.match(r"\s*(?P<names>[^,;:。\d]+?)分别(?:为|是)", tail)
    if not mm:
        return parts
    names = [lang.clean_label(x) for x in re.split(r"[、和及与]", mm.group("names")) if x.strip()]
    if len(names) != len(parts):
        return parts
    return [dataclasses.replace(p, label=n) for p, n in zip(parts, names)]


def _sums_to(total: Num, parts: list[Num]) -> bool:
    if len(parts) < 2:
        return False
    h = sum(p.half_ulp() for p in parts) + total.half_ulp() + 1e-9
    return abs(sum(p.value for p in parts) - total.value) <= h


def _in_parens(text: str, pos: int) -> bool:
    """Is text[pos] inside a parenthesis opened before it in the sentence?"""
    depth = 0
    for ch in text[:pos]:
        if ch in "((":
            depth += 1
        elif ch in "))" and depth:
            depth -= 1
    return depth > 0


def _paren_close(text: str, pos: int) -> int | None:
    """Where the parenthesis around text[pos] closes; None when not inside one."""
    if not _in_parens(text, pos):
        return None
    depth = 0
    for k in range(pos, len(text)):
        if text[k] in "((":
            depth += 1
        elif text[k] in "))":
            if depth == 0:
                return k
            depth -= 1
    return len(text)


_LINE_END = re.compile(r"[。!?;；:：]\s*$")
_ITEM_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|第[一二三四五六七八九十]+|其中[:：]|[|│])")


def _wrap_width(text: str) -> int:
    """The width at which a PDF's text was wrapped: most long lines are
    exactly this long. 0 when the text's lines are whole paragraphs."""
    lens = [len(x.strip()) for x in text[:200_000].split("\n") if len(x.strip()) >= 12]
    if len(lens) < 8:
        return 0
    lens.sort()
    top = lens[int(len(lens) * 0.8)]
    if top > 80:
        return 0        # paragraphs, not wrapped lines
    near = sum(1 for n in lens if n >= top * 0.85)
    return top if near >= len(lens) * 0.3 else 0


def _wrapped(text: str, s: int, e: int, width: int) -> bool:
    line = text[s:e].strip()
    return len(line) >= width * 0.85 and not _LINE_END.search(line) and "|" not in line


def _continues(line: str) -> bool:
    t = line.strip()
    return bool(t) and not _ITEM_START.match(t) and "|" not in t


_GENERIC_SUBJECT = re.compile(r"^(?:其中|同口径|同比|与上年相比|与上年|总体|合计|共计|全年|本年|今年|上述|以上|主要)$")


def _clause_subject(head: str) -> str:
    """The name a change clause opens with, before its 比/较 (因公出国(境)费
    in 其中:因公出国(境)费同口径比2018年减少9万元); "" when the clause names
    nothing of its own."""
    head = re.split(r"[;。:：；]|其中", head)[-1]
    m = re.search(r"(?:比|较|与)", head)
    if not m:
        return ""
    lead = re.split(r"[,，]", head[:m.start()])[-1]
    lead = re.sub(r"(?:同口径|同比|口径)$", "", lead.strip())
    lead = lang.clean_label(lead)
    if len(re.findall(r"[\u4e00-\u9fff]", lead)) < 2 or _GENERIC_SUBJECT.match(lead):
        return ""
    return lead


def _compare_pos(sent: Sent, t: Tok) -> int | None:
    upto = t.num.start - sent.start
    m = None
    for m2 in re.finditer(r"比|较|与.{0,12}相比|同比", sent.text[:upto]):
        m = m2
    return sent.start + m.start() if m else None


def _functional_path(text: str) -> list:
    body = lang.ENUM_RE.sub("", text.strip())
    body = re.sub(r"^其中[::,]?", "", body)
    pos = 0
    path = []
    while True:
        m = _FUNC_PART.match(body, pos)
        if not m:
            break
        name = m.group("name").strip()
        name = lang.TIME_RE.sub("", name).strip()
        path.append((name, m.group("lvl")))
        pos = m.end()
    if path and re.search(r"反映|是指|指", body[pos:pos + 6]):
        return []   # a glossary entry, not a line of the accounts
    return path


def _path_name(path: list) -> str:
    return "".join(f"{n}({lvl})" for n, lvl in path)


def _signed(n: Num, sign: int) -> Num:
    if sign >= 0:
        return n
    return Num(value=-abs(n.value), unit=n.unit, kind=n.kind, precision=n.precision, raw=n.raw,
               start=n.start, end=n.end, scale=n.scale, approx=n.approx)


def _name_score(a: str, b: str) -> int:
    """How well two figure names agree: containment, else common suffix."""
    if not a or not b:
        return 0
    if a == b:
        return 100
    if a in b or b in a:
        return 50 + min(len(a), len(b))
    k = 0
    while k < min(len(a), len(b)) and a[-1 - k] == b[-1 - k]:
        k += 1
    return k


def _known_split(total: str, parts: list[str]) -> bool:
    """Decompositions the accounts always give in full."""
    joined = "".join(parts)
    if "基本支出" in joined and "项目支出" in joined:
        return True
    if "货物" in joined and "服务" in joined and "工程" in joined:
        return True
    if ("因公出国" in joined or "出国" in joined) and "公务接待" in joined:
        return True
    if "人员经费" in joined and "公用经费" in joined:
        return True     # 基本支出 = 人员经费 + 公用经费, by definition
    if re.search(r"收入|支出", total) and len(parts) >= 3:
        return False
    return False


def _looks_like_project(name: str) -> bool:
    n = name.strip()
    if len(n) < 4 or len(n) > 60:
        return False
    if re.search(r"[,。;:]", n) or re.search(r"该项目|本项目|各项|汇总|所有项目|其他项目", n):
        return False
    return bool(re.search(r"项目|经费|服务$|工程|平台|建设$|运维|专项", n)) and not re.search(
        r"^(?:项目支出|项目经费|本项目|该项目|项目)$", n)


def _strip_year(name: str) -> str:
    return re.sub(r"^\d{4}年度?", "", name).strip() if len(re.sub(r"^\d{4}年度?", "", name)) >= 4 else name
