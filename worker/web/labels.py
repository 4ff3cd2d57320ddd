"""Words of the web pages, in Chinese and English (as worker/labels.py, whose labels they fall back to)."""
from __future__ import annotations

from worker.labels import LANGS, Labels
from worker.web.labels_overview import OVERVIEW

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
    "auth.login": ("登录", "log in"),
    "auth.logout": ("退出", "log out"),
    "auth.name": ("用户名", "user name"),
    "auth.password": ("密码", "password"),
    "auth.wrong": ("用户名或密码不正确", "wrong user name or password"),
    "auth.locked": ("登录失败次数过多,请 {minutes} 分钟后再试", "too many failed logins: try again in {minutes} minutes"),
    "auth.csrf": ("表单已过期或来源不明(缺少 CSRF 令牌),请返回页面刷新后重试",
                  "the form has expired or did not come from this site (no CSRF token): reload the page and retry"),
    "auth.forbidden": ("此操作需要“{role}”角色", "this needs the {role} role"),
    "role.viewer": ("查看者", "viewer"),
    "role.auditor": ("审计人员", "auditor"),
    "role.admin": ("管理员", "admin"),
    "action.comment": ("备注", "comment"),
    "action.ack": ("确认已阅", "acknowledge"),
}
WEB.update(OVERVIEW)


class WebLabels(Labels):
    """`L("key")` looks in the web's words first, then in the terminal's."""

    def __call__(self, key: str, **values) -> str:
        pair = WEB.get(key)
        if pair is None:
            return super().__call__(key, **values)
        text = pair[LANGS.index(self.lang)]
        return text.format(**values) if values else text
