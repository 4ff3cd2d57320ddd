"""Words of the web pages, in Chinese and English (as worker/labels.py, whose labels they fall back to)."""
from __future__ import annotations

from worker.labels import LANGS, Labels
from worker.web.labels_overview import OVERVIEW
from worker.web.report_labels import REPORT

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
    "action.need_comment": ("请填写备注,说明理由", "a comment is required: say why"),
    "action.verdict": ("提交研判", "record the verdict"),
    "action.silence": ("静默", "silence"),
    "verdict.heading": ("研判:属实或误报", "verdict: confirmed or false alarm"),
    "verdict.confirmed": ("属实", "confirmed"),
    "verdict.false_alarm": ("误报", "false alarm"),
    "verdict.latest": ("最新研判", "latest verdict"),
    "verdict.choose": ("请选择研判结论:属实或误报", "choose a verdict: confirmed or false alarm"),
    "verdict.false_alarm_note": ("误报:此预警待发的通知已取消,此后也不再通知",
                                 "a false alarm: its pending notices were cancelled and no more are sent"),
    "silence.heading": ("静默", "silence"),
    "silence.matcher": ("静默范围", "what to silence"),
    "silence.by_rule": ("此规则:{value}", "this rule: {value}"),
    "silence.by_report": ("此报告:#{value}", "this report: #{value}"),
    "silence.by_kind": ("此类型:{value}", "this kind: {value}"),
    "silence.until": ("截止时间(可选)", "until (optional)"),
    "silence.until_hint": ("ISO 日期或时间:2026-12-31 指该日 00:00 UTC,2026-12-31T18:00+08:00 为北京时间;"
                           "留空则一直静默,直到 `audit-worker silence expire`",
                           "an ISO date or datetime: 2026-12-31 is 00:00 UTC that day, 2026-12-31T18:00+08:00 "
                           "Beijing time; empty: until `audit-worker silence expire`"),
    "silence.until_past": ("截止时间 {until}(即 {end})不在将来(现在 {now}),静默不会生效:请填写更晚的时间,或留空",
                           "the end {until} ({end}) is not in the future (now {now}): the silence would never "
                           "apply; give a later time, or none"),
    "silence.until_bad": ("无法识别的截止时间 {until}:请填写 ISO 日期或时间,如 2026-12-31 或 2026-12-31T18:00+08:00",
                          "cannot read the end {until}: give an ISO date or datetime such as 2026-12-31 or "
                          "2026-12-31T18:00+08:00"),
    "silence.choose": ("请选择静默范围:此规则、此报告或此类型", "choose what to silence: the rule, the report or the kind"),
    "silence.refused": ("未能静默:{reason}", "not silenced: {reason}"),
    "silence.rule_text": ("静默 #{id}:{matcher} = {value},至 {until}",
                          "silence #{id}: {matcher} = {value}, until {until}"),
    "history.who": ("操作人/通道", "who / channel"),
    "history.system": ("系统", "the worker"),
    "nav.audit": ("审计日志", "audit log"),
    "audit.title": ("操作审计日志", "audit log"),
    "audit.none": ("暂无记录", "no entries"),
    "audit.older": ("更早的记录", "older entries"),
    "audit.newest": ("最新记录", "newest entries"),
    "col.user": ("用户", "user"),
    "col.role": ("角色", "role"),
    "col.action": ("操作", "action"),
    "col.target": ("对象", "target"),
    "col.address": ("地址", "address"),
}
WEB.update(OVERVIEW)

# web_audit.action → words (an unknown action is shown as stored).
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "login"), "login_failed": ("登录失败", "login failed"),
    "login_refused": ("登录被拒(失败过多)", "login refused (too many failures)"), "logout": ("退出", "logout"),
    "ack": ("确认已阅", "acknowledged"), "silence": ("静默", "silence"), "verdict": ("研判", "verdict"),
}

WEB.update(REPORT)      # the report page's words (worker/web/report_labels.py)


class WebLabels(Labels):
    """`L("key")` looks in the web's words first, then in the terminal's."""

    def __call__(self, key: str, **values) -> str:
        pair = WEB.get(key)
        if pair is None:
            return super().__call__(key, **values)
        text = pair[LANGS.index(self.lang)]
        return text.format(**values) if values else text

    def action(self, value: str | None) -> str:
        """An audit-log action in words."""
        return self._pick(AUDIT_ACTIONS, value)
