"""Totals and their parts (其中, 包括, 分别为, “X中,”), executions and mentions
of a sentence."""
from __future__ import annotations

import re

from worker.facts import Execution, Mention, PartSet, Project
from worker.parse import lang
from worker.parse.clauses import (
    Sent, Tok, _PCT_WORDS, _in_parens, _known_split, _name_score, _paren_close, _respective_names,
    _sums_to,
)


class PartReader:
    """Mixed into Narrative: the parts, execution and mention readers."""

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
