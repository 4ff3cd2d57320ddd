"""Stated ratios and differences of a sentence (占…%, 增长…%, 完成预算…%,
比…减少…, 持平, 差值, 分别占): each becomes a Claim naming its operands, with
the other operands its words allow as candidates (design.md, \"Precision\")."""
from __future__ import annotations

import re
from bisect import bisect_left

from worker.facts import Claim
from worker.numbers import Num
from worker.parse import lang
from worker.parse.clauses import (
    Sent, Tok, _BAND_AFTER, _BAND_BEFORE, _PCT_WORDS, _clause_subject, _compare_pos, _name_score,
    _path_name, _signed, _subject_of,
)


_WINDOW = 60


class ClaimReader:
    """Mixed into Narrative: the stated-ratio readers."""

    # -- stated ratios --------------------------------------------------------
    def _claims(self, idx: int, sent: Sent, toks: list[Tok]) -> None:
        subject = _path_name(sent.path) if sent.path else ""
        section = lang.section_of(subject + sent.head)
        respective = self._respective_shares(idx, sent, toks, subject, section)
        for i, t in enumerate(toks):
            if t.num.kind != "percent" or id(t) in respective:
                continue
            words = t.raw[-_PCT_WORDS:]
            # A statement's operands sit within a few dozen figures of it: the
            # window keeps a sentence of thousands of figures (a page with no
            # full stop) linear.
            before = toks[max(0, i - _WINDOW):i]
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
            base = self._explicit_base(t, toks[max(0, i - _WINDOW):i])
            current = self._current(idx, sent, toks[max(0, i - _WINDOW):i], t)
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

    def _named_before(self, key: str, pos: int, window: int = 400):
        """The latest amount before `pos` whose name is `key` or holds it (or is
        held by it), among the last `window` amounts: names refer back a
        passage, not a whole national report."""
        i = bisect_left(self.amounts, pos, key=lambda a: a.num.start)
        for a in reversed(self.amounts[max(0, i - window):i]):
            if _name_score(key, lang.name_key(a.name)) >= 50:
                return a
        return None

    def _share(self, idx, sent, t: Tok, before: list[Tok], subject, section) -> None:
        words = t.raw
        m = re.search(r"占(?!用)(?P<base>[^,;。%]*?)(?:的|比例|比重|之)?(?:为|达到|达|是)?\s*$", words)
        base_name = lang.clean_label(m.group("base")) if m else ""
        base_name = re.sub(r"(?:的|比例|比重|比)$", "", base_name)
        if not base_name:
            # 城市建设支出968.56万元,占政府性基金支出的81.71%;彩票公益金支出216.80万元,
            # 占18.29%: a bare 占 goes on with the whole the list named before.
            for b in reversed(before):
                mm = re.search(r"占(?!用)(?P<base>[^,;。%\d]+?)(?:的|比例|比重)?(?:为|达到|达|是)?\s*$", b.raw) \
                    if b.num.kind == "percent" else None
                if mm and lang.clean_label(mm.group("base")):
                    base_name = re.sub(r"(?:的|比例|比重|比)$", "", lang.clean_label(mm.group("base")))
                    break
        # The numerator: the figure the words before 占 name (…,财政拨款收入占89.86%),
        # else the figure just before 占, in the same clause group.
        head = re.split(r"[,，;；。:：]", words[:words.rfind("占")] if "占" in words else "")[-1]
        named_subject = lang.clean_label(head)
        if len(re.findall(r"[\u4e00-\u9fff]", named_subject)) >= 2 and not re.search(r"分别|其中|合计|共计", named_subject):
            hit = self._named_before(lang.name_key(named_subject), t.num.start)
            if hit is None:
                return      # a part named but not printed: nothing to divide
            before = [b for b in before if b.num is not hit.num] + [Tok(num=hit.num, label=hit.name, raw="", role=hit.role)]
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
            if how != "named" and re.match(r"\s*[,，]?\s*(?:占|分别占)", self.text[n.end:n.end + 6]):
                return      # a figure with its own share is a part of a whole: a whole only when named
            if how != "named" and n.value < num.num.value:
                return      # a whole is not smaller than its part
            if any(abs(x.value - n.value) < 1e-9 and x.start == n.start for x, _ in out):
                return
            out.append((n, how))

        if key:
            scored = []
            i = bisect_left(self.amounts, num.num.start, key=lambda a: a.num.start) if kind == "money" else 0
            for a in reversed(self.amounts[max(0, i - 400):i]):
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
            hit = self._named_before(lang.name_key(name), sent.start)
            return [hit.num] if hit is not None else []
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
