"""Alerts as text an auditor reads: one alert, or a digest grouped by report."""
from __future__ import annotations

import html
import re
from collections import OrderedDict

from rules.base import SEVERITY_ORDER
from worker import quotes as quoting
from worker.labels import SEVERITY
from worker.safe_text import clean

SEV_ZH = {k: zh for k, (zh, _) in SEVERITY.items()}     # the notices are in Chinese
EVENT_ZH = {"firing": "", "withdrawn": "【已撤销】", "test": "【测试】"}

# Clause punctuation (full width, and the ASCII forms the normalized text uses).
_PUNCT = "。,，;；、:："
_RUN = re.compile(f"[{_PUNCT}]{{2,}}")
_STRONGEST = "。;；,，、:："


def _strongest(m: re.Match) -> str:
    run = m.group(0)
    return min(run, key=_STRONGEST.index)


# 报告称“……100%。”。: the quoted sentence's own stop goes, the message's stays.
_STOP_IN_QUOTE = re.compile(f"[{_PUNCT}]([”’」』])(?=[{_PUNCT}])")


def tidy(text: str) -> str:
    """No doubled clause punctuation (。。, ,。, ;。, 。”。): a sentence built
    from a figure's printed text that already ends in 。 keeps one, the strongest."""
    if not text:
        return text
    return _RUN.sub(_strongest, _STOP_IN_QUOTE.sub(r"\1", text))


def _quote_lines(alert: dict, limit: int = 4) -> list[str]:
    """Each quote under its label; a quote of several lines (a table row
    printed one cell a line) is indented so it reads as one."""
    out = []
    for q in quoting.of(alert["evidence"])[:limit]:
        if not q.get("text"):
            continue
        body = q["text"].replace("\n", "\n        ")
        out.append(f"  {quoting.label(q)}:“{body}”")
    return out


NO_REPORT = "无(此预警不针对某份已收录的报告)"


def withdrawn_why(alert: dict) -> str:
    """Why a withdrawn alert no longer stands: the report found (report_missing), the restatement's
    note, else the generic sentence."""
    ev = alert.get("evidence") or {}
    if ev.get("found_report_id") is not None:
        return f"已发现该报告(报告 #{ev['found_report_id']}),此前的预警撤销。"
    if isinstance(ev.get("withdrawn"), str) and ev["withdrawn"]:
        return ev["withdrawn"].rstrip("。") + ",此前的预警撤销。"
    return "该问题在重新发布的报告中已不存在,此前的预警撤销。"


def _report_line(r: dict) -> str:
    if r.get("id") is None:
        return NO_REPORT
    return f"{r.get('issuer') or ''} {r.get('year') or ''} {r.get('title') or ''}"


def one(alert: dict, event: str = "firing") -> str:
    """A single alert in plain text (no terminal control sequences: the console channel prints it)."""
    r = alert["report"]
    lines = [f"{EVENT_ZH.get(event, '')}[{SEV_ZH[alert['severity']]}] {tidy(alert['title'])}",
             f"报告:{_report_line(r)}",
             f"来源:{alert['source']}"]
    if event == "withdrawn":
        lines.append(withdrawn_why(alert))
    else:
        lines.append(tidy(alert["message"]))
        lines += _quote_lines(alert)
    lines.append(f"规则:{alert['rule']}  类型:{alert['kind']}  编号:{alert['id']}  指纹:{alert['fingerprint'][:12]}")
    return clean("\n".join(lines))


def grouped(items) -> "OrderedDict[int, list]":
    """Items grouped by report; reports with the most severe alert first."""
    groups: dict[int, list] = {}
    for it in items:
        groups.setdefault(it.alert["report"]["id"] or 0, []).append(it)
    for g in groups.values():
        g.sort(key=lambda i: (-SEVERITY_ORDER[i.alert["severity"]], i.alert["id"]))
    order = sorted(groups, key=lambda k: (-max(SEVERITY_ORDER[i.alert["severity"]] for i in groups[k]), k))
    return OrderedDict((k, groups[k]) for k in order)


def digest_subject(items, test: bool = False) -> str:
    firing = [i for i in items if i.event == "firing"]
    withdrawn = [i for i in items if i.event == "withdrawn"]
    issuers = list(OrderedDict.fromkeys(i.alert["report"].get("issuer") or _department(i.alert) or "未知单位"
                                        for i in items))
    high = sum(1 for i in firing if i.alert["severity"] == "high")
    parts = []
    if firing:
        parts.append(f"{len(firing)}条预警" + (f"(高{high}条)" if high else ""))
    if withdrawn:
        parts.append(f"{len(withdrawn)}条撤销")
    who = "、".join(issuers[:2]) + ("等" if len(issuers) > 2 else "")
    # A subject is one header line: no CR/LF or other controls from an issuer's name.
    return clean(("【测试】" if test else "") + f"【审计预警】{','.join(parts)}:{who}").replace("\n", " ").replace("\t", " ")


def _department(alert: dict) -> str:
    """The department a report_missing alert (no report) is about."""
    duty = (alert.get("evidence") or {}).get("duty")
    return str(duty.get("department") or "") if isinstance(duty, dict) else ""


def digest_text(items) -> str:
    out = []
    for _, group in grouped(items).items():
        r = group[0].alert["report"]
        out.append(f"=== {_report_line(r)} ===")
        out.append(f"来源:{group[0].alert['source']}")
        for it in group:
            out.append("")
            out.append(one(it.alert, it.event))
        out.append("")
    return clean("\n".join(out))


def source_html(source: str) -> str:
    """The source as HTML: a link when it is an http(s) URL (escaped, also in
    the attribute), plain escaped text otherwise (a file path, javascript:)."""
    from urllib.parse import urlsplit

    text = html.escape(clean(source or ""))
    try:
        p = urlsplit(clean(source or "").strip())
        linkable = p.scheme.lower() in ("http", "https") and bool(p.hostname)
    except ValueError:
        linkable = False
    return f'<a href="{html.escape(clean(source).strip(), quote=True)}">{text}</a>' if linkable else text


def digest_html(items) -> str:
    colors = {"high": "#b00020", "medium": "#b26a00", "low": "#00639b", "info": "#555"}
    out = ["<html><body style='font-family:sans-serif'>"]
    for _, group in grouped(items).items():
        r = group[0].alert["report"]
        out.append(f"<h2>{html.escape(clean(_report_line(r)))}</h2>")
        out.append(f"<p>来源:{source_html(group[0].alert['source'])}</p>")
        for it in group:
            a = it.alert
            tag = EVENT_ZH.get(it.event, "")
            out.append(f"<h3 style='color:{colors[a['severity']]}'>{html.escape(tag)}[{SEV_ZH[a['severity']]}] "
                       f"{html.escape(tidy(a['title']))}</h3>")
            if it.event == "withdrawn":
                out.append(f"<p>{html.escape(clean(withdrawn_why(a)))}</p>")
                continue
            out.append(f"<p>{html.escape(tidy(a['message']))}</p>")
            for q in [q for q in quoting.of(a["evidence"]) if q.get("text")][:4]:
                # pre-wrap: a row printed one cell a line stays as printed
                out.append(f"<blockquote>{html.escape(quoting.label(q))}:<span style='white-space:pre-wrap'>"
                           f"“{html.escape(q['text'])}”</span></blockquote>")
            out.append(f"<p style='color:#777;font-size:small'>规则 {html.escape(a['rule'])} · "
                       f"编号 {a['id']} · 指纹 {a['fingerprint'][:12]}</p>")
    out.append("</body></html>")
    return clean("\n".join(out))
