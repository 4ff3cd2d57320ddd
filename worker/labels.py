"""Words of the terminal views and of the spreadsheet export, in Chinese and English.

Data, not code: a view asks `Labels(lang)("key", n=3)`; adding a label or a
language touches this table only. Identifiers a person types back into a
command (alert kinds, rule ids, `--status` values) are shown as they are; the
words around them and the values an auditor reads (severity, status, history
events) are translated.
"""
from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en")
DEFAULT = "zh"

# key: (中文, English); {placeholders} are filled by Labels.__call__.
TEXT: dict[str, tuple[str, str]] = {
    # alerts list / show
    "alerts.title": ("{n} 条预警", "{n} alerts"),
    "col.id": ("编号", "id"),
    "col.severity": ("级别", "severity"),
    "col.kind": ("类型", "kind"),
    "col.rule": ("规则", "rule"),
    "col.report": ("报告", "report"),
    "col.title": ("标题", "title"),
    "col.status": ("状态", "status"),
    "col.created": ("产生时间", "created"),
    "alert.heading": ("预警 #{id}", "Alert #{id}"),
    "alert.status": ("状态", "status"),
    "alert.report": ("报告", "report"),
    "alert.no_report": ("报告:无(此预警不针对某份已收录的报告)", "report: none (this alert is about no stored report)"),
    "alert.source": ("来源", "source"),
    "alert.fingerprint": ("指纹", "fingerprint"),
    "alert.created": ("产生", "created"),
    "alert.silenced_by": ("静默 #{id}({matcher} = {value},至 {until})",
                          "silence #{id} ({matcher} = {value}, until {until})"),
    "alert.history": ("历史", "history"),
    "alert.deliveries": ("投递", "deliveries"),
    "alert.no_deliveries": ("无投递记录(未通知,或低于通道的最低级别)",
                            "no deliveries (not notified, or below every channel's min_severity)"),
    "col.channel": ("通道", "channel"),
    "col.notice": ("通知", "notice"),
    "col.attempts": ("尝试次数", "attempts"),
    "col.sent_at": ("发送时间", "sent at"),
    "col.next_attempt": ("下次尝试", "next attempt"),
    "col.last_error": ("最近错误", "last error"),
    "page": ("第{page}页", "p. {page}"),
    # silence list
    "silences.title": ("{n} 条静默", "{n} silences"),
    "col.matcher": ("匹配", "matcher"),
    "col.value": ("值", "value"),
    "col.until": ("截止", "until"),
    "col.by": ("操作人", "by"),
    "col.comment": ("说明", "comment"),
    "col.state": ("状态", "state"),
    "silence.active": ("生效中", "active"),
    "silence.expired": ("已结束 {at}", "expired {at}"),
    "silence.forever": ("直到手动结束", "until expired"),
    # rules list
    "rules.title": ("{n} 个检测器({rules} 条规则,{models} 个统计模型)",
                    "{n} detectors ({rules} rules, {models} statistical models)"),
    "col.type": ("类别", "type"),
    "col.options": ("参数(当前)", "options (current)"),
    "col.confirmed": ("研判属实", "confirmed"),     # `alerts judge` verdicts per rule (with a database)
    "col.false_alarm": ("误报", "false alarm"),
    "type.rule": ("规则", "rule"),
    "type.model": ("模型", "model"),
    "type.operator": ("运维", "operator"),
    "type.restatement": ("版本比对", "restatement"),
    "rules.disabled": ("(已停用)", "(disabled)"),
    # reports list / show
    "reports.title": ("{n} 份报告", "{n} reports"),
    "col.issuer": ("单位", "issuer"),
    "col.year": ("年度", "year"),
    "col.alerts": ("预警", "alerts"),
    "col.risk": ("风险分", "risk"),
    "report.heading": ("报告 #{id}", "Report #{id}"),
    "report.source": ("来源", "source"),
    "report.status": ("状态", "status"),
    "report.issuer": ("单位", "issuer"),
    "report.region": ("地区", "region"),
    "report.year": ("年度", "year"),
    "report.type": ("类型", "type"),
    "report.warning": ("提示", "warning"),
    "report.published_on": ("发布日期", "published"),
    "report.approved_on": ("批复日期", "approved"),
    "pubfrom.meta": ("网页元数据", "page meta tag"),
    "pubfrom.page": ("页面所印", "printed on the page"),
    "pubfrom.list": ("列表页", "list page"),
    "pubfrom.feed": ("订阅源", "feed"),
    "pubfrom.attachment": ("附件", "attachment"),
    "pubfrom.first_seen": ("首次发现", "first seen"),
    "report.documents": ("文件", "documents"),
    "col.role": ("角色", "role"),
    "col.url": ("地址", "url"),
    "col.content_type": ("格式", "type"),
    "col.encoding": ("编码", "encoding"),
    "col.size": ("大小", "size"),
    "facts.headline": ("主要数字", "headline figures"),
    "facts.line_items": ("功能分类(类/款/项)", "functional classification (类/款/项)"),
    "facts.sangong": ("三公经费 / 机关运行经费 / 政府采购", "三公经费 / 机关运行经费 / 政府采购"),
    "facts.projects": ("项目", "projects"),
    "facts.funding": ("资金来源", "funding rows"),
    "facts.execution": ("部门整体执行", "department execution"),
    "facts.indicators": ("绩效指标", "indicators"),
    "facts.claims": ("叙述中的比率与差额", "stated ratios and differences"),
    "facts.parts": ("合计与其中", "totals and parts (其中)"),
    "facts.mentions": ("另有 {n} 个具名数量用于文字与表格比对", "{n} named quantities kept for text/table comparison"),
    "col.name": ("名称", "name"),
    "col.amount": ("金额", "amount"),
    "col.quote": ("原文", "quote"),
    "col.level": ("级次", "level"),
    "col.stated_rate": ("所述比率", "stated rate"),
    "col.change": ("变动", "change"),
    "col.section": ("部分", "section"),
    "col.source": ("来源", "source"),
    "col.project": ("项目", "project"),
    "col.score": ("得分", "score"),
    "col.owner": ("所属", "owner"),
    "col.row": ("行", "row"),
    "col.rate": ("执行率", "rate"),
    "col.budget": ("预算", "budget"),
    "col.executed": ("执行数", "executed"),
    "col.indicator": ("指标", "indicator"),
    "col.target": ("目标", "target"),
    "col.actual": ("实际", "actual"),
    "col.weight": ("分值", "weight"),
    "col.note": ("说明", "note"),
    "col.subject": ("对象", "subject"),
    "col.stated": ("所述", "stated"),
    "col.numerator": ("分子", "numerator"),
    "col.base": ("基数", "base"),
    "col.delta": ("差额", "delta"),
    "col.total": ("合计", "total"),
    "col.parts": ("其中", "parts"),
    "col.complete": ("完整", "complete"),
    "yes": ("是", "yes"),
    "narrative.summary": (
        "叙述核对: {claims} 条陈述, 已判定 {judged} (相符 {fits}, 无读法相符 {no_fit}), 未判定 {unjudged} "
        "(弃权率 {rate}); 逐条原因: audit-worker rules test FILE --explain",
        "narrative: {claims} stated figures, {judged} judged ({fits} fit, {no_fit} fit no reading), "
        "{unjudged} unjudged (abstention {rate}); why, one by one: audit-worker rules test FILE --explain"),
    # verification (reports show)
    "ver.not_read": ("未按表格读取:", "not read as tables:"),
    "ver.blank": ("空白模板,未填数字", "blank template: no figures to check (空白模板,未填数字)"),
    # n counts every row listed below (self-evaluation forms and unmapped tables too); std the standard tables.
    "ver.tables": ("读取的表格 ({n} 张,其中识别的标准表 {std} 张)", "tables read ({n}; standard tables recognized: {std})"),
    "col.table": ("表", "table"),
    "col.printed_title": ("原表标题", "title as printed"),
    "col.page": ("页", "page"),
    "col.shape": ("行 × 列", "rows × cols"),
    "col.figures": ("数字", "figures"),
    "col.not_read": ("未读取", "not read"),
    "ver.form": ("(自评表)", "(self-evaluation form)"),
    "ver.unmapped": ("(未对应)", "(unmapped)"),
    "ver.empty_note": (" (空表说明)", " (空表说明)"),
    "ver.required_missing": ("未找到的必备表:", "required tables not found:"),
    "ver.relations": ("核对关系 {checked} 项(求和 {sum},恒等式 {identity},两处同一数字 {equal});不符 {failed}",
                      "relations checked: {checked} (sums {sum}, identities {identity}, same figure in two "
                      "places {equal}); failed: {failed}"),
    "ver.statements": ("重算陈述 {checked} 项,不符 {failed};账中数字:表格 {table},文字 {text}",
                       "statements recomputed: {checked}; failed: {failed}; figures in the ledger: {table} from "
                       "tables, {text} from the text"),
    "ver.failed": ("不符", "failed"),
    "ver.failed_line": ("{relation} 于 {where}:印为 {stated},计算得 {computed}",
                        "{relation} at {where}: printed {stated}, computed {computed}"),
    "ver.unread_line": ("未读取:", "not read:"),
    # status
    "status.unhealthy": ("不健康", "UNHEALTHY"),
    "status.db_failed": ("数据库检查:失败", "database check: FAILED"),
    "status.heartbeat": ("守护进程心跳", "daemon heartbeat"),
    "status.hb_ok": ("正常", "ok"),
    "status.hb_stale": ("过期", "STALE"),
    "status.hb_age": (",{age} 秒前(上限 {limit} 秒),进程 {pid}", ", {age}s old (limit {limit}s), pid {pid}"),
    "status.hb_stopped": ("守护进程已于 {at} 正常停止(进程 {pid});当前没有守护进程使用此数据库",
                          "daemon stopped at {at} (a clean stop, pid {pid}); no daemon is running with this database"),
    "status.hb_none": ("无(从未有守护进程使用此数据库)", "none (no daemon has run with this database)"),
    "status.reports": ("报告", "reports"),
    "status.none": ("无", "none"),
    "status.open_alerts": ("未处理预警", "open alerts"),
    "status.deliveries": ("投递", "deliveries"),
    "status.retrying": ("重试中", "retrying"),
    "status.retrying_line": ("{channel}:{n} 条待发,已尝试 {attempts} 次,下次 {next},最近错误:{error}",
                             "{channel}: {n} pending, {attempts} attempts, next {next}, last error: {error}"),
    "status.failed": ("失败", "failed"),
    "status.failed_line": ("投递 #{id}(预警 #{alert},通道 {channel})尝试 {attempts} 次后失败:{error}",
                           "delivery #{id} of alert #{alert} via {channel} after {attempts} attempts: {error}"),
    "status.sources": ("来源", "sources"),
    "col.last_poll": ("最近轮询", "last poll"),
    "col.last_ok": ("最近成功", "last ok"),
    "col.failures": ("连续失败", "failures in a row"),
    "col.new_documents": ("新文件", "new documents"),
    "status.runs": ("最近运行", "last runs"),
    "col.run": ("运行", "run"),
    "col.command": ("命令", "command"),
    "col.started": ("开始", "started"),
    "col.finished": ("结束", "finished"),
    "col.counts": ("计数", "counts"),
    # export columns (CSV and xlsx headers)
    "x.id": ("编号", "id"),
    "x.fingerprint": ("指纹", "fingerprint"),
    "x.kind": ("类型", "kind"),
    "x.severity": ("级别", "severity"),
    "x.rule": ("规则", "rule"),
    "x.title": ("标题", "title"),
    "x.message": ("说明", "message"),
    "x.issuer": ("单位", "issuer"),
    "x.region": ("地区", "region"),
    "x.year": ("年度", "year"),
    "x.report_title": ("报告标题", "report_title"),
    "x.source": ("来源地址", "source"),
    "x.quotes": ("原文引述", "quotes"),
    "x.pages": ("页码", "pages"),
    "x.stated": ("所述值", "stated"),
    "x.computed": ("计算值", "computed"),
    "x.other": ("其他证据", "other_evidence"),
    "x.status": ("状态", "status"),
    "x.created_at": ("产生时间", "created_at"),
}

SEVERITY: dict[str, tuple[str, str]] = {
    "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"), "info": ("提示", "info")}

# Stored statuses (alerts.status), plus `silenced`: open, with an active silence matching it.
STATUS: dict[str, tuple[str, str]] = {
    "open": ("待处理", "open"), "acked": ("已阅", "acked"), "silenced": ("已静默", "silenced"),
    "withdrawn": ("已撤销", "withdrawn"), "judged": ("已研判", "judged")}

# alerts.kind (alerts/catalog.kinds()) → what an auditor calls it.
KINDS: dict[str, tuple[str, str]] = {
    "benford_deviation": ("首位数字分布异常", "Benford deviation"),
    "budget_exceeded": ("超预算", "budget exceeded"),
    "cross_year_mismatch": ("跨年数据不一致", "cross-year mismatch"),
    "change_unexplained": ("变动未说明原因", "change unexplained"),
    "disclosure_incomplete": ("公开不完整", "disclosure incomplete"),
    "execution_rate_low": ("预算执行率偏低", "low execution rate"),
    "impossible_value": ("不可能的数值", "impossible value"),
    "late_publication": ("逾期公开", "late publication"),
    "indicator_target_missed": ("绩效指标未达标", "indicator target missed"),
    "report_missing": ("应公开未公开", "report missing"),
    "report_restated": ("报告重新发布且数字有改动", "report restated"),
    "satisfaction_below_target": ("满意度未达目标", "satisfaction below target"),
    "source_failure": ("来源抓取失败", "source failure"),
    "stated_value_mismatch": ("陈述数字与计算不符", "stated value mismatch"),
    "statistical_outlier": ("统计异常值", "statistical outlier"),
    "target_hugging": ("完成值贴合目标", "target hugging"),
    "text_table_conflict": ("文字与表格不一致", "text/table conflict"),
    "total_mismatch": ("合计不等于分项之和", "total mismatch"),
    "undefined_ratio": ("比率无意义(基数为0)", "undefined ratio"),
    "unit_error": ("单位错误", "unit error"),
    "wording_mismatch": ("表述与数字不符", "wording mismatch"),
}

# alert_events.event
EVENTS: dict[str, tuple[str, str]] = {
    "raised": ("产生", "raised"), "acked": ("已阅", "acked"), "silenced": ("静默(未通知)", "silenced"),
    "withdrawn": ("撤销", "withdrawn"), "severity_up": ("级别提高", "severity_up"),
    "reraised": ("再次出现", "reraised"), "verdict": ("研判", "verdict"), "requeued": ("重新排队", "requeued"),
    # the web view's history adds these (worker/web/history.py)
    "delivered": ("已送达", "delivered"), "silence": ("设置静默", "silence set")}

# deliveries.status and deliveries.kind
DELIVERY: dict[str, tuple[str, str]] = {
    "pending": ("待发", "pending"), "sending": ("发送中", "sending"), "sent": ("已发送", "sent"),
    "failed": ("失败", "failed"), "cancelled": ("已取消", "cancelled"), "unsure": ("不确定", "unsure"),
    "firing": ("预警", "firing"), "withdrawn": ("撤销", "withdrawn")}


@dataclass(frozen=True)
class Labels:
    """The labels of one language: `L("alerts.title", n=3)`, `L.sev("high")`."""

    lang: str = DEFAULT

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r} (known: {', '.join(LANGS)})")

    @property
    def _i(self) -> int:
        return LANGS.index(self.lang)

    def __call__(self, key: str, **values) -> str:
        text = TEXT[key][self._i]
        return text.format(**values) if values else text

    def _pick(self, table: dict, value: str | None) -> str:
        if value is None:
            return ""
        pair = table.get(value)
        return pair[self._i] if pair else value      # an unknown value is shown as stored

    def sev(self, value: str | None) -> str:
        return self._pick(SEVERITY, value)

    def kind(self, value: str | None) -> str:
        return self._pick(KINDS, value)

    def status(self, value: str | None) -> str:
        return self._pick(STATUS, value)

    def event(self, value: str | None) -> str:
        return self._pick(EVENTS, value)

    def delivery(self, value: str | None) -> str:
        return self._pick(DELIVERY, value)
