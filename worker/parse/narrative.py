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

from worker.facts import Amount, LineItem, Quote
from worker.numbers import LineNumbers, Num
from worker.parse import lang
from worker.parse.clauses import (
    Sent, Tok, _MONEY_WORDS, _PCT_WORDS, _PROJECT_HEAD, _QUOTED, _SENT_END, _TARGET_CUE, _continues,
    _functional_path, _is_heading, _looks_like_project, _path_name, _signed, _strip_year, _union,
    _wrap_width, _wrapped,
)
from worker.parse.narrative_claims import ClaimReader
from worker.parse.narrative_parts import PartReader


_WS = re.compile(r"\s+")
_PART_OPENING = re.compile(r"^第[一二三四五六七八九十]+部分|^附件\s*\d|^附表")
_WHOLE_DEPT = re.compile(r"整体(?:支出)?绩效(?:自评|评价)(?:报告|情况|结果)")
_CLASS_MARK = re.compile(r"\((?:类|款|项)")
_AFTER_QUOTE = re.compile(r"\s*(?:项目|自评|绩效|这)")
_COMMA = re.compile(r"[,,;]")
_INCLUDES = re.compile(r"包括[::]")
_REASON = re.compile(r"原因|主要是|主要用于|用于")
_ROUND_WORD = re.compile(r"(?:近|约|大约|接近|将近|逾)$")


class Narrative(ClaimReader, PartReader):
    """Parse the narrative of one report (text outside tables)."""

    def __init__(self, text: str, exclude: list[tuple[int, int]], project_names: list[str],
                 cells: list[tuple[int, int]] = ()):
        self.text = text
        self.cells = list(cells)
        self.exclude = _union(exclude)
        self.project_names = project_names
        self.facts: list = []
        self.amounts: list[Amount] = []          # every named money figure, in order
        self._nums = LineNumbers(text)       # only the lines read as narrative are scanned
        self._tok_cache: dict[int, list[Tok]] = {}
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
        nums = self._nums.within(s, e)
        ls = self.text.rfind("\n", 0, s) + 1
        return Sent(start=s, end=e, text=self.text[s:e], line=line, nums=nums, head=self.text[ls:min(ls + 40, e)])

    # -- context: which project a sentence speaks of -------------------------
    def _assign_owners(self) -> None:
        owner = ""
        compact_names = [(_WS.sub("", n), n) for n in self.project_names if len(n) >= 4]
        prev_line = -1
        heading_buf = ""
        for sent in self.sents:
            t = sent.text.strip()
            body = lang.ENUM_RE.sub("", t)
            if _PART_OPENING.match(t) or "部门整体" in t[:20] or _WHOLE_DEPT.search(t[:40]):
                owner = ""
            # A heading broken over short lines: join them before matching.
            if sent.line != prev_line:
                heading_buf = heading_buf + t if len(t) <= 40 and not t.endswith("。") else ""
                prev_line = sent.line
            found = ""
            # The sentence's opening without spaces, for each length of name once.
            opening: dict[int, str] = {}
            for ckey, name in compact_names:
                reach = len(ckey) + 12
                head = opening.get(reach)
                if head is None:
                    head = opening[reach] = _WS.sub("", body[:reach])
                if ckey in head or (heading_buf and ckey in heading_buf):
                    found = name
                    break
            if not found and not _CLASS_MARK.search(t):
                quoted = [m.group(1) for m in _QUOTED.finditer(t) if _looks_like_project(m.group(1)) and (
                    "项目" in m.group(1) or _AFTER_QUOTE.match(t[m.end():m.end() + 3]))]
                if len(quoted) == 1 and (
                        "自评" in t or "预算" in t or "绩效" in t or t.find("“") < 12):
                    found = quoted[0]
                elif self.text[sent.start - 1:sent.start] in ("", "\n") or sent.start == 0:
                    m = _PROJECT_HEAD.match(body)
                    if m and _looks_like_project(m.group("name")) and not _COMMA.search(m.group("name")):
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
        inc = _INCLUDES.search(sent.text)
        part_from = sent.start + qi if qi >= 0 else (sent.start + inc.start() if inc else None)
        why = _REASON.search(sent.text)
        reason_from = sent.start + why.start() if why else None
        for n in sent.nums:
            if n.kind == "date":
                continue        # 2024年度 is part of a label, not a figure
            raw = self.text[prev:n.start].replace("收、支", "收支")
            # Labels do not cross the classification markers or clause ends.
            rf = raw.rfind
            cut = max(rf(","), rf(";"), rf(":"), rf("。"), rf("、"), rf("(类)"), rf("(款)"), rf("(项)"), rf("其中"))
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
            if _ROUND_WORD.search(raw.rstrip()) and not n.approx:
                num = n = dataclasses.replace(n, approx=True)    # 增加近300万元: a round figure, not an exact one
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
