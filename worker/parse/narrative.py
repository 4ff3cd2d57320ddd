"""Facts from the narrative: sentences that state figures and ratios.

The parser follows the grammar of the reports rather than any report's
wording. A sentence names figures (``本年支出合计7226.38万元``), compares them
(``比上年增加2073.49万元,增长40.24%``), splits them (``其中:基本支出…``),
relates them (``占支出合计的23.54%``, ``完成年初预算的64.28%``) and places
them in the functional classification (``…(类)…(款)…(项)``). Each of those
becomes a fact that keeps the sentence as its quote.
"""
from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from worker.facts import (Amount, Claim, Execution, LineItem, Mention, PartSet, Project, Quote)
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


class Narrative:
    """Parse the narrative of one report (text outside tables)."""

    def __init__(self, text: str, exclude: list[tuple[int, int]], project_names: list[str],
                 cells: list[tuple[int, int]] = ()):
        self.text = text
        self.cells = list(cells)
        self.exclude = _union(exclude)
        self.project_names = project_names
        self.facts: list = []
        self.amounts: list[Amount] = []          # every named money figure, in order
        self._all_nums = find_numbers(text)
        self._tok_cache: dict[int, list[Tok]] = {}
        self._num_starts = [n.start for n in self._all_nums]
        self.sents = self._sentences()
        self._assign_owners()

    # -- segmentation -----------------------------------------------------
    def _excluded(self, s: int, e: int) -> bool:
        i = bisect_left(self.exclude, (s, s))
        for a, b in self.exclude[max(0, i - 1): i + 1]:
            if a <= s < b or a < e <= b:
                return True
        return False

    def _sentences(self) -> list[Sent]:
        out: list[Sent] = []
        pos = 0
        line_no = 0
        text = self.text
        width = _wrap_width(text)
        while pos <= len(text):
            nl = text.find("\n", pos)
            if nl < 0:
                nl = len(text)
            # A line a PDF wrapped mid-sentence goes on in the next line.
            while width and nl < len(text) and _wrapped(text, pos, nl, width) and not self._excluded(pos, nl):
                nxt = text.find("\n", nl + 1)
                nxt = len(text) if nxt < 0 else nxt
                if not _continues(text[nl + 1:nxt]) or self._excluded(nl + 1, nxt):
                    break
                nl = nxt
                line_no += 1
            if text[pos:nl].strip() and not self._excluded(pos, nl):
                s = pos
                for m in _SENT_END.finditer(text, pos, nl):
                    if text[s:m.end()].strip():
                        out.append(self._sent(s, m.end(), line_no))
                    s = m.end()
                if text[s:nl].strip():
                    out.append(self._sent(s, nl, line_no))
            line_no += 1
            pos = nl + 1
        # Free-text answer cells of tables are read like narrative, marked.
        for cs, ce in self.cells:
            s = cs
            for m in _SENT_END.finditer(text, cs, ce):
                if text[s:m.end()].strip():
                    sent = self._sent(s, m.end(), text.count("\n", 0, s))
                    sent.where = "cell"
                    out.append(sent)
                s = m.end()
            if text[s:ce].strip():
                sent = self._sent(s, ce, text.count("\n", 0, s))
                sent.where = "cell"
                out.append(sent)
        out.sort(key=lambda x: x.start)
        return out

    def _sent(self, s: int, e: int, line: int) -> Sent:
        while s < e and self.text[s] in " \t":
            s += 1
        i = bisect_left(self._num_starts, s)
        nums = []
        while i < len(self._all_nums) and self._all_nums[i].start < e:
            if self._all_nums[i].end <= e:
                nums.append(self._all_nums[i])
            i += 1
        ls = self.text.rfind("\n", 0, s) + 1
        return Sent(start=s, end=e, text=self.text[s:e], line=line, nums=nums, head=self.text[ls:min(ls + 40, e)])

    # -- context: which project a sentence speaks of -------------------------
    def _assign_owners(self) -> None:
        owner = ""
        compact_names = [(re.sub(r"\s+", "", n), n) for n in self.project_names if len(n) >= 4]
        prev_line = -1
        heading_buf = ""
        for sent in self.sents:
            t = sent.text.strip()
            body = lang.ENUM_RE.sub("", t)
            if re.match(r"^第[一二三四五六七八九十]+部分|^附件\s*\d|^附表", t) or "部门整体" in t[:20] or \
                    re.search(r"整体(?:支出)?绩效(?:自评|评价)(?:报告|情况|结果)", t[:40]):
                owner = ""
            # A heading broken over short lines: join them before matching.
            if sent.line != prev_line:
                heading_buf = heading_buf + t if len(t) <= 40 and not t.endswith("。") else ""
                prev_line = sent.line
            found = ""
            for ckey, name in compact_names:
                if ckey in re.sub(r"\s+", "", body[:len(ckey) + 12]) or (heading_buf and ckey in heading_buf):
                    found = name
                    break
            if not found and not re.search(r"\((?:类|款|项)", t):
                quoted = [m.group(1) for m in _QUOTED.finditer(t) if _looks_like_project(m.group(1)) and (
                    "项目" in m.group(1) or re.match(r"\s*(?:项目|自评|绩效|这)", t[m.end():m.end() + 3]))]
                if len(quoted) == 1 and (
                        "自评" in t or "预算" in t or "绩效" in t or t.find("“") < 12):
                    found = quoted[0]
                elif self.text[sent.start - 1:sent.start] in ("", "\n") or sent.start == 0:
                    m = _PROJECT_HEAD.match(body)
                    if m and _looks_like_project(m.group("name")) and not re.search(r"[,,;]", m.group("name")):
                        found = _strip_year(m.group("name"))
            if found:
                owner = found
            sent.owner = owner

    # -- the main pass ------------------------------------------------------
    def parse(self) -> list:
        last_class: dict[str, str] = {}
        target_ctx = False
        for idx, sent in enumerate(self.sents):
            toks = self._tokens(sent)
            if sent.where == "cell":
                self._mentions(sent, toks)
                continue
            if _is_heading(self.text, sent):
                # Under 绩效目标 headings the figures are targets, not results.
                target_ctx = "目标" in sent.text and not re.search(r"完成情况|实现情况|完成|实现|分析", sent.text)
            sent.target = target_ctx or bool(_TARGET_CUE.search(sent.text))
            path = _functional_path(sent.text)
            if path:
                sent.path = path
                self._line_item(sent, toks, path, last_class)
            self._named_amounts(sent, toks)
            self._claims(idx, sent, toks)
            self._part_sets(idx, sent, toks)
            self._mentions(sent, toks)
            self._execution(idx, sent, toks)
        return self.facts

    def _tokens(self, sent: Sent) -> list[Tok]:
        cached = self._tok_cache.get(sent.start)
        if cached is not None:
            return cached
        toks = self._make_tokens(sent)
        self._tok_cache[sent.start] = toks
        return toks

    def _make_tokens(self, sent: Sent) -> list[Tok]:
        toks: list[Tok] = []
        prev = sent.start
        qi = sent.text.find("其中")
        inc = re.search(r"包括[::]", sent.text)
        part_from = sent.start + qi if qi >= 0 else (sent.start + inc.start() if inc else None)
        why = re.search(r"原因|主要是|主要用于|用于", sent.text)
        reason_from = sent.start + why.start() if why else None
        for n in sent.nums:
            if n.kind == "date":
                continue        # 2024年度 is part of a label, not a figure
            raw = self.text[prev:n.start].replace("收、支", "收支")
            # Labels do not cross the classification markers or clause ends.
            cut = max(raw.rfind(x) for x in (",", ";", ":", "。", "、", "(类)", "(款)", "(项)", "其中"))
            if cut >= 0:
                for x in ("(类)", "(款)", "(项)", "其中"):
                    if raw.startswith(x, cut):
                        cut += len(x) - 1
                        break
                lab = raw[cut + 1:]
            else:
                lab = raw
            if len(lab) > 20 and len(lab.split()) > 2:
                lab = lab.split()[-1]   # a table row run into the text: the label is the last chunk
            label = lang.clean_label(lab)
            num = n
            role = lang.money_role(label) if n.kind in ("money", "number") else ""
            if n.kind == "number" and n.unit in ("万", "亿") and re.search(_MONEY_WORDS, label[-8:]):
                # 增收4,376万: 万 alone after money words is 万元.
                n = num = n.as_money()
                role = lang.money_role(label)
            if n.kind == "number":
                if role in ("budget", "initial_budget", "final", "executed") and n.precision >= 1 \
                        and not self.text[n.end:n.end + 1].isalpha():
                    # 决算数为2278.17: a figure printed without its unit.
                    num = n.with_unit("万元")
                else:
                    continue    # codes, phone numbers, bare counts: not figures
            is_part = part_from is not None and n.start > part_from
            tok = Tok(num=num, label=label, raw=raw, role=role, is_part=is_part)
            tok.explains = reason_from is not None and n.start > reason_from
            toks.append(tok)
            prev = n.end
        return toks

    # -- named amounts ---------------------------------------------------------
    def _named_amounts(self, sent: Sent, toks: list[Tok]) -> None:
        subject = _path_name(sent.path) if sent.path else ""
        for t in toks:
            if t.num.kind != "money" or t.role == "delta" or not t.label:
                continue
            if re.search(r"(?:占|比|较)$", t.raw.strip()):
                continue
            section = lang.section_of(subject + t.label + sent.head)
            if sent.owner and section in ("other", "headline") and not subject:
                section = "project"
            a = Amount(name=t.label, num=t.num, quote=self._quote(sent), subject=subject or sent.owner,
                       section=section, role=t.role)
            self.amounts.append(a)
            self.facts.append(a)

    # -- functional classification lines --------------------------------------
    def _line_item(self, sent: Sent, toks: list[Tok], path: list, last_class: dict) -> None:
        money = [t for t in toks if t.num.kind == "money"]
        if not money:
            return
        name, level = path[-1]
        item = LineItem(name=name, level=level, path=[p[0] for p in path], quote=self._quote(sent))
        for t in money:
            if t.explains:
                continue
            if t.role == "initial_budget" and item.initial_budget is None:
                item.initial_budget = t.num
            elif t.role == "budget" and item.budget is None:
                item.budget = t.num
            elif t.role == "final" and item.final is None:
                item.final = t.num
            elif t.role == "delta" and item.change is None:
                sign = -1 if re.search(r"减少|下降|节约|压减|降低|减$", t.label + t.raw[-6:]) else 1
                item.change = _signed(t.num, sign)
            elif t.role in ("", "executed") and item.final is None and re.search(r"支出|决算", t.label):
                item.final = t.num
        for t in toks:
            if t.num.kind != "percent":
                continue
            words = t.raw[-_PCT_WORDS:]
            if "完成" in words and "预算" in words:
                item.stated_rate = t.num
                item.rate_base = lang.rate_base(words)
            elif re.search(r"(?:增长|下降|增加|减少|降低|上升)了?\s*$", words) and item.change_pct is None:
                sign = -1 if re.search(r"(?:下降|减少|降低)了?\s*$", words) else 1
                item.change_pct = _signed(t.num, sign)
        levels = {"类": 0, "款": 1, "项": 2}
        if len(path) == 1 and level != "类":
            parent = last_class.get("类" if level == "款" else "款") or last_class.get("类", "")
            item.parent = parent
        elif len(path) > 1:
            item.parent = path[-2][0]
        last_class[level] = name
        for lv, k in levels.items():
            if k > levels[level]:
                last_class.pop(lv, None)
        self.facts.append(item)

    # -- stated ratios --------------------------------------------------------
    def _claims(self, idx: int, sent: Sent, toks: list[Tok]) -> None:
        subject = _path_name(sent.path) if sent.path else ""
        section = lang.section_of(subject + sent.head)
        respective = self._respective_shares(idx, sent, toks, subject, section)
        for i, t in enumerate(toks):
            if t.num.kind != "percent" or id(t) in respective:
                continue
            words = t.raw[-_PCT_WORDS:]
            before = toks[:i]
            if _BAND_AFTER.match(self.text, t.num.end) or _BAND_BEFORE.search(words):
                continue    # 执行率在90%以上的项目: a band or threshold, not a stated rate
            if re.search(r"占(?:调整后?|年初|全年)?预算(?:数)?(?:的)?(?:比例|比重)?\s*$", words):
                # 完成13,866万元,占调整预算100.93%: completion against a budget
                # the text does not print, not a share of a printed whole.
                continue
            if re.search(r"占(?!用)", words) or re.search(r"占比(?:为|达到|达)?\s*$", words):
                self._share(idx, sent, t, before, subject, section)
            elif re.search(r"(?:完成|达到).{0,8}预算|执行率", words):
                if not self._completion_by_difference(sent, t, before, toks[i + 1:i + 2], words, subject, section):
                    self._completion(idx, sent, t, before, words, subject, section)
            elif re.search(r"(?:增长|下降|增加|减少|降低|上升|增|减)了?\s*$", t.raw[-6:]):
                self._growth(idx, sent, t, before, subject, section, toks[i + 1:i + 2])
        # Differences without a percentage: 比年初预算163.55万元减少91.45万元.
        for i, t in enumerate(toks):
            if t.role != "delta" or t.num.kind != "money":
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.num.kind == "percent" and "%" in nxt.num.unit and \
                    re.search(r"(?:增长|下降|增加|减少|降低|上升)", nxt.raw):
                continue   # handled as growth
            base = self._explicit_base(t, toks[:i])
            current = self._current(idx, sent, toks[:i], t)
            if base is None or current is None:
                continue
            sign = -1 if re.search(r"减少|下降|节约|降低|压减", t.raw) else 1
            self.facts.append(Claim(type="difference", stated=t.num, quote=self._quote(sent), subject=subject,
                                    numerator=current, base=base, delta=t.num, direction=sign,
                                    section=section, owner=sent.owner))
        self._budget_pairs(sent, toks, subject, section)
        # 持平 / 保持一致: the outturn equals the figure it is compared with, both
        # in the clause of the word (since the last ;/:/其中): 经费40万元,较上年持平
        # compares 40 with a prior year it does not print, not with the sentence's
        # other figures.
        for w in re.finditer(r"持平|保持一致|一致", sent.text):
            cut = max((x.end() for x in re.finditer(r"[;；。:：]|其中", sent.text[:w.start()])), default=0)
            ms = list(re.finditer(r"比|与|较", sent.text[cut:w.start()]))
            if ms:
                pos, end = sent.start + cut + ms[-1].start(), sent.start + w.start()
                lo = sent.start + cut
                cur = [t for t in toks if t.num.kind == "money" and lo <= t.num.start and t.num.end <= pos
                       and t.role != "delta"]
                bas = [t for t in toks if t.num.kind == "money" and pos < t.num.start < end and t.role != "delta"]
                if cur and bas:
                    self.facts.append(Claim(type="difference", stated=cur[-1].num, quote=self._quote(sent),
                                            subject=subject, numerator=cur[-1].num, base=bas[0].num,
                                            delta=None, direction=0, section=section, owner=sent.owner))

    def _respective_shares(self, idx, sent, toks: list[Tok], subject, section) -> set[int]:
        """货物312.40万元、工程688.00万元、服务268.35万元,分别占24.62%、54.23%、
        21.15%: the n-th share is of the n-th figure. The whole is the figure
        before 其中, the one 分别占 names, or the listed figures' sum; a share
        fits when any of them gives it. Shares that cannot be paired one to one
        are left unjudged. Returns the percentages taken."""
        handled: set[int] = set()
        for m in re.finditer(r"分别占", sent.text):
            at = sent.start + m.start()
            after = [t for t in toks if t.num.start > at]
            pcts: list[Tok] = []
            for t in after:
                if t.num.kind != "percent" or (pcts and not re.fullmatch(r"\s*[、,,和及与]\s*", t.raw)):
                    break
                pcts.append(t)
            handled.update(id(t) for t in pcts)
            group = sent.start + max((x.end() for x in re.finditer(r"[;；。:：]|其中", sent.text[:m.start()])), default=0)
            figs = [t for t in toks if group <= t.num.start < at and t.num.kind == "money" and t.role != "delta"]
            if len(pcts) < 2 or len(figs) != len(pcts):
                continue
            base_name = re.sub(r"^分别占|的$", "", self.text[at:pcts[0].num.start]).strip()
            cands: list[Num] = []
            qi = sent.text.rfind("其中", 0, m.start())
            if qi >= 0:
                heads = [t for t in toks if t.num.end <= sent.start + qi and t.num.kind == "money" and t.role != "delta"]
                if heads:
                    cands.append(heads[-1].num)
            key = lang.name_key(lang.clean_label(base_name))
            if key:
                named = [a for a in reversed(self.amounts) if a.num.start < at and
                         _name_score(key, lang.name_key(a.name)) >= 50]
                cands += [a.num for a in named[:2]]
            prec = max(f.num.precision for f in figs)
            cands.append(Num(value=sum(f.num.value for f in figs), unit=figs[0].num.unit, kind="money",
                             precision=prec, raw="+".join(f.num.raw for f in figs), start=figs[0].num.start,
                             end=figs[-1].num.end, scale=figs[0].num.scale))
            for f, p in zip(figs, pcts):
                self.facts.append(Claim(type="share", stated=p.num, quote=self._quote(sent), subject=f.label or subject,
                                        numerator=f.num, base=cands[0], base_name=base_name or "合计",
                                        candidates=cands[1:], section=section, owner=sent.owner,
                                        base_role="structural"))
        return handled

    def _budget_pairs(self, sent, toks: list[Tok], subject, section) -> None:
        """公务接待费支出2.05万元,年初预算为2万元,差值为0.05万元: an outturn
        set beside its budget in one clause group, and the unsigned 差值 between
        them when it is printed."""
        for i, b in enumerate(toks):
            if i == 0 or b.num.kind != "money" or b.role not in ("budget", "initial_budget"):
                continue
            if not re.fullmatch(r"[,，]\s*(?:年初|调整后?|全年)?预算(?:数|金额)?(?:为|是)?\s*", b.raw):
                continue
            a = toks[i - 1]
            if a.num.kind != "money" or a.role in ("delta", "budget", "initial_budget") or \
                    not re.search(r"支出|决算|执行|费|经费", a.label):
                continue
            d = toks[i + 1] if i + 1 < len(toks) else None
            if d is None or d.num.kind != "money" or not re.fullmatch(r"[,，]\s*(?:差值|差额|相差)(?:为|是)?\s*", d.raw):
                continue
            self.facts.append(Claim(type="difference", stated=d.num, quote=self._quote(sent),
                                    subject=a.label or subject, numerator=a.num, base=b.num, delta=d.num,
                                    direction=0, section=section, owner=sent.owner))

    def _share(self, idx, sent, t: Tok, before: list[Tok], subject, section) -> None:
        words = t.raw
        m = re.search(r"占(?!用)(?P<base>[^,;。%]*?)(?:的|比例|比重|之)?(?:为|达到|达|是)?\s*$", words)
        base_name = lang.clean_label(m.group("base")) if m else ""
        base_name = re.sub(r"(?:的|比例|比重|比)$", "", base_name)
        # The numerator: the figure just before 占, in the same clause group.
        num = None
        for b in reversed(before):
            if b.num.kind == "percent":
                if re.match(r"^[,，]?占", b.raw.strip()):
                    continue    # 完成600万元,占预算120%,占收入的60%: two ratios of one figure
                break
            if b.num.kind in ("money", "count") and b.role != "delta":
                num = b
                break
        if num is None:
            return
        candidates = self._base_candidates(idx, sent, num, base_name, before)
        if not candidates:
            # A whole named but not printed: kept without a base, so that
            # shares of its parts can still be weighed together (wholes.py).
            if base_name:
                self.facts.append(Claim(type="share", stated=t.num, quote=self._quote(sent),
                                        subject=num.label or subject, numerator=num.num, base=None,
                                        base_name=base_name, section=section, owner=sent.owner))
            return
        claim = Claim(type="share", stated=t.num, quote=self._quote(sent), subject=num.label or subject,
                      numerator=num.num, base=candidates[0][0], base_name=base_name,
                      candidates=[c[0] for c in candidates[1:]], section=section, owner=sent.owner,
                      base_role=candidates[0][1])
        self.facts.append(claim)

    def _base_candidates(self, idx, sent, num: Tok, base_name: str, before: list[Tok]) -> list[tuple[Num, str]]:
        """Figures the words '占X的' may refer to, best first, with how each was found:
        named (the words name it), structural (the total of the sentence), guessed."""
        out: list[tuple[Num, str]] = []
        kind = num.num.kind
        key = lang.name_key(base_name)

        def add(n: Num, how: str) -> None:
            if n is num.num or n.kind != kind or abs(n.value) < 1e-12:
                return
            if any(abs(x.value - n.value) < 1e-9 and x.start == n.start for x, _ in out):
                return
            out.append((n, how))

        if key:
            scored = []
            pool = [a for a in self.amounts if a.num.start < num.num.start] if kind == "money" else []
            for a in reversed(pool[-400:]):
                s = _name_score(key, lang.name_key(a.name))
                if s >= 4:
                    scored.append((s, -(num.num.start - a.num.start), a.num))
            scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
            for s, _, n in scored[:4]:
                add(n, "named")
        # "…中," at the start of the sentence names the whole being divided.
        m = re.match(r"^(?:.{0,12}?)(?P<name>[^,;:。]{2,30}?)中[,:]", sent.text)
        if m and kind == "money":
            k2 = lang.name_key(lang.clean_label(m.group("name")))
            for a in reversed(self.amounts):
                if a.num.start >= sent.start:
                    continue
                if _name_score(k2, lang.name_key(a.name)) >= 4:
                    add(a.num, "named")
                    break
        # The total of a 其中 list, and the head figure of the sentence. The parts
        # of one 其中 share one whole: a sibling part is never the base.
        if num.is_part:
            heads = [b for b in before if not b.is_part and b.num.kind == kind and b.role != "delta"
                     and (kind != "count" or b.num.unit == num.num.unit)]
            if heads:
                add(heads[-1].num, "structural")
            elif re.match(r"^\s*其中", sent.text):
                # 其中 opening the sentence: the whole is the figure just before it.
                whole = self._previous_figures(idx, kind, limit=1, exclude_parts=True)
                if whole and (kind != "count" or whole[0].num.unit == num.num.unit):
                    add(whole[0].num, "structural")
        heads = [b for b in before if b.num.kind == kind and b.role != "delta"
                 and not (num.is_part and b.is_part)
                 and (kind != "count" or b.num.unit == num.num.unit)]
        if heads and kind == "money":
            add(heads[0].num, "structural")
        if not heads or heads[0].num is num.num:
            prev = [p for p in self._previous_figures(idx, kind, limit=2)
                    if kind != "count" or p.num.unit == num.num.unit]
            for p in prev[:2]:
                add(p.num, "guessed")
        return out

    def _completion_by_difference(self, sent, t: Tok, before: list[Tok], after: list[Tok], words,
                                  subject, section) -> bool:
        """支出1741.75万元,完成年初预算100%,决算数大于预算数55.93万元: the
        budget is the outturn less (plus) the difference, so the completion
        follows from two printed figures."""
        if not after or after[0].num.kind != "money":
            return False
        m = re.fullmatch(r"[,，]?\s*(?:决算数?|支出数?|实际支出|执行数)?(?:比|较)?(?P<w>大于|高于|超过|超出|多于|小于|低于|少于)"
                         r"(?:年初|调整后?|全年)?预算数?(?:为|了)?\s*", after[0].raw)
        if not m:
            return False
        # The outturn: the sentence's own figure (a ; does not change its subject).
        outturn = [b for b in before if b.num.kind == "money" and b.role != "delta"
                   and not b.is_part and not re.search(r"(?:比|较|与)", b.raw)]
        if not outturn:
            return True     # the difference is stated, the outturn is not: nothing to check
        over = m.group("w") in ("大于", "高于", "超过", "超出", "多于")
        self.facts.append(Claim(
            type="completion", stated=t.num, quote=self._quote(sent),
            subject=subject or sent.owner or _subject_of(sent.text), numerator=outturn[-1].num, base=None,
            base_role=lang.rate_base(words) if "预算" in words else "budget", base_name=words.strip(),
            delta=after[0].num, direction=1 if over else -1, section=section, owner=sent.owner))
        return True

    def _completion(self, idx, sent, t: Tok, before: list[Tok], words, subject, section) -> None:
        base_kind = lang.rate_base(words) if "预算" in words else "budget"
        if "执行率" in words and "年初" not in words:
            base_kind = "budget"
        wanted = {"initial": ("initial_budget",), "budget": ("budget",), "arrangement": ("budget",)}[base_kind]
        nums = [b for b in before if b.num.kind == "money" and b.role != "delta" and not b.is_part
                and not b.explains]
        # 基本支出预算X,执行Y,执行率Z;项目支出预算…: each rate speaks of its own
        # clause group (since the last ;) when that group prints both figures.
        seg = sent.start + max((x.end() for x in re.finditer(r"[;；。]", sent.text[:max(0, t.num.start - sent.start)])),
                               default=0)
        own = [b for b in nums if b.num.start >= seg]
        if any(b.role in ("final", "executed") for b in own) and any(b.role in wanted for b in own):
            nums = own
        numer = next((b for b in reversed(nums) if b.role in ("final", "executed")), None)
        base = next((b for b in nums if b.role in wanted), None)
        if (numer is None or base is None) and not sent.path:
            # The figures may sit in the sentences before: 预算执行率为98.48%.
            prev = self._previous_figures(idx, "money", limit=12, exclude_parts=True)
            if numer is None:
                numer = next((p for p in prev if p.role in ("final", "executed")), None)
                if numer is None and nums and nums[-1].role in ("", "total"):
                    numer = nums[-1]
            if base is None:
                base = next((p for p in prev if p.role in wanted), None)
        alts: list[Num] = []
        if base_kind == "budget" and not sent.path:
            alts = [b.num for b in nums + self._previous_figures(idx, "money", limit=12, exclude_parts=True)
                    if b.role in ("budget", "initial_budget") and (base is None or b.num is not base.num)]
        self.facts.append(Claim(
            type="completion", stated=t.num, quote=self._quote(sent),
            subject=subject or sent.owner or _subject_of(sent.text),
            numerator=numer.num if numer else None, base=base.num if base else None,
            base_role=base_kind, base_name=words.strip(), candidates=alts[:3], section=section,
            owner=sent.owner))

    def _growth(self, idx, sent, t: Tok, before: list[Tok], subject, section, after: list[Tok] = ()) -> None:
        sign = -1 if re.search(r"(?:下降|减少|降低|减)了?\s*$", t.raw[-6:]) else 1
        delta = before[-1] if before and before[-1].role == "delta" and before[-1].num.kind == "money" else None
        if delta is None and before and before[-1].num.kind == "money" and re.search(
                r"(?:增加|减少|增长|下降)", before[-1].raw[-8:]):
            delta = before[-1]
        if delta is None and after and after[0].num.kind == "money" and re.fullmatch(
                r"[,，]?\s*(?:增收|减收|增支|减支|增加|减少|节约|压减)了?\s*", after[0].raw):
            # 同比增长14.6%,增收4,376万元: the change in money after its rate.
            delta = after[0]
            if (sign < 0) != bool(re.search(r"减|节约", after[0].raw)):
                return      # 增长…减收: the words disagree; nothing safe to check
        if delta is None and not re.search(r"(?:比|较|与)", t.raw):
            return      # 同比增长4.52%: nothing stated to check it against
        cmp_start = _compare_pos(sent, t)
        anchor = delta if delta is not None and delta.num.start < t.num.start else t
        currents = self._currents(idx, sent, before, anchor, cmp_start=cmp_start)
        current = currents[0] if currents else None
        base = self._explicit_base(anchor, before)
        if current is None and base is None and delta is None:
            return
        # A change whose figure cannot be placed is kept unjudged (counted as
        # an abstention by rules/explain.py), not checked against a guess.
        alts = currents[1:]
        if current is not None:
            alts += [b.num for b in before if b.num.kind == "money" and b.role != "delta"
                     and b.num is not current and (delta is None or b.num.start < delta.num.start)]
        self.facts.append(Claim(
            type="growth", stated=_signed(t.num, sign), quote=self._quote(sent), subject=subject,
            numerator=current, base=base, delta=delta.num if delta else None, direction=sign,
            candidates=alts[:3], section=section, owner=sent.owner))

    def _explicit_base(self, delta: Tok, before: list[Tok]) -> Num | None:
        """比2020年年初预算数60.00万元减少…: the figure compared against."""
        for b in reversed(before):
            if b.num.kind != "money" or b.num is delta.num:
                continue
            if re.search(r"(?:比|较|与)", b.raw) and b.role != "delta":
                return b.num
            break
        return None

    def _current(self, idx, sent, before: list[Tok], delta: Tok, cmp_start: int | None = None) -> Num | None:
        cur = self._currents(idx, sent, before, delta, cmp_start)
        return cur[0] if cur else None

    def _currents(self, idx, sent, before: list[Tok], delta: Tok, cmp_start: int | None = None) -> list[Num]:
        """The figures a change may be stated for, best first: the last one
        before 比/较 in the sentence; else the figure the clause names
        (公务接待费同口径比上年减少38万元 speaks of 公务接待费, and of nothing
        else: a name with no printed figure leaves the change unjudged); else
        the whole of the sentences before (the figure before their 其中), then
        their other figures."""
        limit = cmp_start if cmp_start is not None else delta.num.start
        # Only the clause group of the change (since the last ;/。/:/其中).
        seg = sent.start + max((x.end() for x in re.finditer(r"[;。:：；]|其中", sent.text[:max(0, delta.num.start - sent.start)])),
                               default=0)
        cands = [b for b in before if b.num.kind == "money" and b.role != "delta" and seg <= b.num.start
                 and b.num.end <= limit and not re.search(r"(?:比|较|与)", b.raw)]
        if cands:
            return [cands[-1].num]
        name = _clause_subject(sent.text[:max(0, delta.num.start - sent.start)])
        if name:
            key = lang.name_key(name)
            named = [a for a in reversed(self.amounts) if a.num.start < sent.start
                     and _name_score(key, lang.name_key(a.name)) >= 50]
            return [named[0].num] if named else []
        heads = [p.num for p in self._previous_figures(idx, "money", limit=6, exclude_parts=True)]
        rest = [p.num for p in self._previous_figures(idx, "money", limit=3)]
        out: list[Num] = []
        for n in heads[:2] + rest:
            if all(n is not o for o in out):
                out.append(n)
        return out

    def _previous_figures(self, idx: int, kind: str, limit: int = 6, exclude_parts: bool = False) -> list[Tok]:
        """Figures of the sentences just before, nearest first (same block)."""
        out: list[Tok] = []
        line = self.sents[idx].line
        j = idx - 1
        while j >= 0 and len(out) < limit and line - self.sents[j].line <= 2:
            s = self.sents[j]
            if re.match(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)", s.text):
                break
            for tk in reversed(self._tokens(s)):
                if tk.num.kind == kind and tk.role != "delta" and not tk.explains \
                        and not (exclude_parts and tk.is_part):
                    out.append(tk)
            j -= 1
        return out[:limit]

    # -- parts of a total ---------------------------------------------------------
    def _part_sets(self, idx: int, sent: Sent, toks: list[Tok]) -> None:
        ms = list(re.finditer(r"其中[::,]?|包括[::]", sent.text))
        # The first 其中 with a figure before it: an earlier one may belong to
        # a table row run into the sentence (其中:本年财政拨款 202.64 …).
        m = next((x for x in ms if any(t.num.end <= sent.start + x.start() and t.num.kind in ("money", "count")
                                       for t in toks)), ms[0] if ms else None)
        if not m:
            self._whole_named_first(sent, toks)
            return
        pos = sent.start + m.start()
        close = _paren_close(sent.text, m.start())
        for kind in ("money", "count"):
            heads = [t for t in toks if t.num.end <= pos and t.num.kind == kind and t.role != "delta"
                     and not re.search(r"(?:比|较)", t.raw)
                     and (close is not None or not _in_parens(sent.text, t.num.start - sent.start))]
            total = heads[-1] if heads else None
            tail = [t for t in toks if t.num.start > pos and t.num.kind == kind
                    and (close is None or t.num.start < sent.start + close)]
            parts: list[Tok] = []
            for t in tail:
                if t.role == "delta" or re.search(r"(?:比|较|与).{0,20}$", t.raw) or "占" in t.raw[-4:]:
                    continue
                if kind == "count" and total is not None and t.num.unit != total.num.unit:
                    continue
                if kind == "money" and re.search(r"车均|人均|平均|单价|每", t.raw[-8:]):
                    continue
                parts.append(t)
            if total is None and m.group(0).startswith("包括"):
                name = lang.clean_label(sent.text[:m.start()])
                key = lang.name_key(name)
                for a in reversed(self.amounts):
                    if a.num.start < sent.start and key and lang.name_key(a.name) == key:
                        total = Tok(num=a.num, label=a.name, raw="", role=a.role)
                        break
            if total is None and m.start() <= 2 and kind == "money":
                # "其中:" opens the sentence: the whole is in the sentence before,
                # the figure of the same role as the parts (决算 with 决算).
                prev = self._previous_figures(idx, kind, limit=6, exclude_parts=True)
                ps = self.sents[idx - 1] if idx > 0 else None
                last = [p for p in reversed(self._tokens(ps)) if p.num.kind == kind
                        and p.role != "delta" and not p.is_part and not p.explains
                        and not _in_parens(ps.text, p.num.start - ps.start)] if ps is not None else []
                role = parts[0].role if parts else ""
                if last and self.sents[idx - 1].end <= sent.start and \
                        not self.text[self.sents[idx - 1].end:sent.start].strip():
                    # The sentence just before: the figure the parts add up to
                    # (charitable), else its figure of the parts' role, else its first.
                    total = next((p for p in last if _sums_to(p.num, [x.num for x in parts])), None) or \
                        next((p for p in last if p.role == role), last[-1])
                else:
                    total = next((p for p in prev if p.role == role), prev[0] if prev else None)
            if kind == "money" and total is not None and not parts and re.search(r"其中[::]?\s*$", sent.text):
                # 基本支出911000.39元,其中: — the parts follow, one a sentence.
                parts = self._parts_continued(idx, sent, [])
                if not parts:
                    continue
            elif kind == "money" and total is not None and parts:
                parts = parts + self._parts_continued(idx, sent, parts)
            if total is None or not parts:
                continue
            first = next((t for t in tail if t.num.kind in ("count", "money")), None)
            if kind == "count" and first is not None and first.num.unit != total.num.unit:
                continue    # 其中 lists something else (局长1人 under 编制14个)
            if kind == "count" and total.num.unit in ("年", "月", "日", "天", "小时", "个月"):
                continue
            parts = _respective_names(sent.text[m.end():], parts)
            names = [p.label for p in parts]
            exhaustive = any(re.search(r"^其他|其它|以外", n or "") for n in names) or len(parts) >= 2 and \
                _known_split(total.label, names)
            self.facts.append(PartSet(
                name=total.label or "合计", total=total.num, parts=[[p.label, p.num] for p in parts],
                quote=self._quote(sent), exhaustive=bool(exhaustive), measure=kind,
                section=lang.section_of(total.label + " ".join(names))))

    def _parts_continued(self, idx: int, sent: Sent, parts: list[Tok]) -> list[Tok]:
        """A 其中 list that goes on in the next sentences of the paragraph, one
        part a sentence (其中:人员经费809961.19元,主要包括…。公用经费71339.2元,
        主要包括…): each next sentence opens with its part, a disjoint sibling
        of the parts before it in the taxonomy."""
        from worker.parse.wholes import siblings

        more: list[Tok] = []
        j, end = idx + 1, sent.end
        while j < len(self.sents):
            nxt = self.sents[j]
            gap = self.text[end:nxt.start]
            toks = self._tokens(nxt)
            if gap.strip() or gap.count("\n") > 1 or not toks or toks[0].num.kind != "money" or \
                    toks[0].role == "delta" or \
                    lang.clean_label(nxt.text[:toks[0].num.start - nxt.start]) != toks[0].label:
                break
            labels = [p.label for p in parts + more] + [toks[0].label]
            if len(labels) >= 2 and not siblings(labels):
                break
            more.append(toks[0])
            j, end = j + 1, nxt.end
        return more if len(parts) + len(more) >= 2 else []

    def _whole_named_first(self, sent: Sent, toks: list[Tok]) -> None:
        """"2020年公务用车运行维护费中,加油7.5万元,维修2.41万元…": the sentence
        names the whole (stated earlier) and lists its parts."""
        if "中," not in sent.text and "中:" not in sent.text:
            return
        m = None
        for mm in re.finditer(r"(?:^|[;,。])(?P<name>[^,;:。\d]{0,6}\d{0,4}年?度?[^,;:。\d]{2,30}?)中[,:]", sent.text):
            m = mm
        if not m:
            return
        at = sent.start + m.end()
        money = [t for t in toks if t.num.kind == "money" and t.role != "delta" and t.num.start > at]
        if len(money) < 2:
            return
        key = lang.name_key(lang.clean_label(m.group("name")))
        whole = None
        for a in reversed(self.amounts):
            if a.num.start < sent.start + m.start() and key and a.role != "delta" and \
                    _name_score(key, lang.name_key(a.subject + a.name)) >= max(4, len(key) - 2):
                whole = a
                break
        if whole is None:
            return
        names = [t.label for t in money]
        self.facts.append(PartSet(
            name=whole.name, total=whole.num, parts=[[t.label, t.num] for t in money], quote=self._quote(sent),
            exhaustive=any(re.search(r"其他|其它", n or "") for n in names), measure="money",
            section=lang.section_of(whole.name + sent.head)))

    # -- named counts, for text/table comparisons ------------------------------
    def _mentions(self, sent: Sent, toks: list[Tok]) -> None:
        if sent.target:
            return
        for t in toks:
            n = t.num
            if n.kind not in ("count", "percent") or n.unit in ("年", "月", "日", "个百分点", "百分点"):
                continue
            raw_tail = t.raw[-8:]
            if re.search(r"[≥≤><]|不低于|不少于|不小于|大于|小于|超过|以上|以内|目标|预计|计划|要求|力争|确保|应于|应", raw_tail) \
                    or re.search(r"以上|以内|以下", self.text[n.end:n.end + 3]):
                continue
            if n.kind == "percent" and not re.search(r"率|度|比", t.label[-3:] if t.label else ""):
                continue
            label = t.label
            if len(lang.name_key(label)) < 2:
                continue
            self.facts.append(Mention(name=label, num=n, quote=self._clause(sent, n), where=sent.where,
                                      owner=sent.owner, is_part=t.is_part))

    # -- budget execution stated for the department or a project ----------------
    def _execution(self, idx: int, sent: Sent, toks: list[Tok]) -> None:
        if sent.path:
            return
        money = [t for t in toks if t.num.kind == "money" and not t.is_part]
        budget = next((t for t in money if t.role in ("budget",)), None)
        executed = next((t for t in money if t.role in ("executed", "final")), None)
        rate = None
        for t in toks:
            if t.num.kind == "percent" and re.search(r"(?:完成|达到).{0,8}预算|执行率", t.raw[-_PCT_WORDS:]) \
                    and "年初" not in t.raw[-_PCT_WORDS:]:
                rate = t
                break
        if not (budget or rate) or not (executed or rate):
            return
        if lang.section_of(sent.head + sent.text) in ("sangong", "admin"):
            return
        if sent.owner:
            budgets = [t for t in money if t.role == "budget"]
            if rate is not None and executed is not None and len(budgets) > 1:
                # 全年预算数 and 调整后预算数 both given: the rate says which one it used.
                budgets.sort(key=lambda b: abs(100 * executed.num.value / b.num.value - rate.num.value)
                             if b.num.value else 1e9)
                budget = budgets[0]
            self.facts.append(Project(
                name=sent.owner, source="text", quote=self._quote(sent),
                budget=budget.num if budget else None, executed=executed.num if executed else None,
                stated_rate=rate.num if rate else None))
        elif rate is None:
            # 调整预算后项目预算861.46万元,…实际到位资金334.67万元: an adjusted
            # budget and what was spent (or arrived) against it, in one
            # sentence, with no rate stated: the rate is computed.
            if budget is not None and executed is not None and not sent.target and \
                    executed.num.start > budget.num.start and \
                    re.search(r"调整后|调整预算|全年预算", budget.label) and \
                    re.search(r"实际|执行数|到位", executed.label):
                self.facts.append(Execution(name=f"{budget.label}·{executed.label}", quote=self._quote(sent),
                                            budget=budget.num,
                                            executed=executed.num, stated_rate=None))
        else:
            if budget is None or executed is None:
                prev = self._previous_figures(idx, "money", limit=12, exclude_parts=True)
                budget = budget or next((p for p in prev if p.role == "budget"), None)
                executed = executed or next((p for p in prev if p.role in ("executed", "final")), None)
            name = (executed.label if executed else "") or "部门预算"
            self.facts.append(Execution(name=name, quote=self._quote(sent),
                                        budget=budget.num if budget else None,
                                        executed=executed.num if executed else None,
                                        stated_rate=rate.num))

    def project_money(self) -> list:
        """Executed amounts stated for a project without a rate (完成支付714.52万元)."""
        found = []
        for sent in self.sents:
            if not sent.owner or sent.path or sent.where != "text":
                continue
            toks = self._tokens(sent)
            money = [t for t in toks if t.num.kind == "money" and not t.is_part]
            if any(t.num.kind == "percent" and "预算" in t.raw[-_PCT_WORDS:] for t in toks):
                continue   # already a project record with its rate
            executed = [t for t in money if t.role == "executed"]
            budget = [t for t in money if t.role == "budget"]
            if executed and lang.section_of(sent.text) not in ("sangong", "admin", "procurement"):
                found.append(Project(
                    name=sent.owner, source="text", quote=self._quote(sent),
                    budget=budget[0].num if budget else None, executed=executed[0].num))
        return found

    def _clause(self, sent: Sent, n: Num) -> Quote:
        """The clause around one figure: a sentence may state ten quantities."""
        stops = ",;:。!?"
        s = n.start
        while s > sent.start and self.text[s - 1] not in stops:
            s -= 1
        e = n.end
        while e < sent.end and self.text[e] not in stops:
            e += 1
        t = self.text[s:e].strip()
        lead = len(self.text[s:e]) - len(self.text[s:e].lstrip())
        return Quote(t, s + lead, s + lead + len(t))

    def _quote(self, sent: Sent) -> Quote:
        t = sent.text.strip()
        lead = len(sent.text) - len(sent.text.lstrip())
        if len(t) > 400:
            t = t[:400]
        return Quote(t, sent.start + lead, sent.start + lead + len(t))


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
