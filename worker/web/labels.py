"""Words of the web pages, in Chinese and English (as worker/labels.py, whose labels they fall back to)."""
from __future__ import annotations

from worker.labels import LANGS, Labels

WEB: dict[str, tuple[str, str]] = {
    "site.title": ("审计预警", "Audit alerts"),
    "nav.inbox": ("预警收件箱", "Inbox"),
    "inbox.search": ("搜索标题与原文", "search titles and quotes"),
    "inbox.go": ("筛选", "filter"),
    "inbox.clear": ("清除筛选", "clear filters"),
    "inbox.all": ("全部", "all"),
    "inbox.none": ("没有符合条件的预警", "no alerts match"),
    "inbox.count": ("共 {n} 条,第 {page}/{pages} 页", "{n} alerts, page {page} of {pages}"),
    "page.prev": ("上一页", "previous"),
    "page.next": ("下一页", "next"),
    "facet.severity": ("级别", "severity"),
    "facet.kind": ("类型", "kind"),
    "facet.rule": ("规则", "rule"),
    "facet.issuer": ("单位", "issuer"),
    "facet.region": ("地区", "region"),
    "facet.year": ("年度", "year"),
    "facet.status": ("状态", "status"),
    "alert.message": ("说明", "message"),
    "alert.evidence": ("数字与读法", "figures and readings"),
    "alert.quotes": ("原文", "the report's text"),
    "alert.quote_no_offsets": ("(未能在原文中定位,仅显示引述)", "(not located in the original text: the quote alone)"),
    "alert.open_report": ("查看报告", "open the report"),
    "alert.quote_other_report": ("引自报告 #{id}", "quoted from report #{id}"),
    "report.tables": ("识别的表格", "tables as recognized"),
    "report.no_tables": ("未识别表格", "no tables recognized"),
    "report.alerts": ("本报告的预警", "alerts of this report"),
    "report.published": ("发布", "published"),
    "col.detail": ("详情", "detail"),
    "col.at": ("时间", "at"),
    "col.event": ("事件", "event"),
    "col.label": ("行", "row"),
    "col.header": ("列", "column"),
    "col.figure": ("数字", "figure"),
    "not_found": ("未找到", "not found"),
}


class WebLabels(Labels):
    """`L("key")` looks in the web's words first, then in the terminal's."""

    def __call__(self, key: str, **values) -> str:
        pair = WEB.get(key)
        if pair is None:
            return super().__call__(key, **values)
        text = pair[LANGS.index(self.lang)]
        return text.format(**values) if values else text
