"""Words of the overview page and the inbox export (merged into worker/web/labels.WEB)."""
from __future__ import annotations

OVERVIEW: dict[str, tuple[str, str]] = {
    "nav.overview": ("总览", "Overview"),
    "overview.filter": ("筛选", "filter"),
    "overview.all_years": ("全部年度", "all years"),
    "overview.all_regions": ("全部地区", "all regions"),
    "overview.alerts": ("各单位各年度预警", "Alerts per issuer and year"),
    "overview.alerts_chart": ("各单位各年度预警数(按级别)", "Alerts per issuer and year, by severity"),
    "overview.alerts_desc": ("未撤回的审计预警,按级别堆叠;下表列出相同数字",
                             "audit alerts not withdrawn, stacked by severity; the table below has the same numbers"),
    "overview.alerts_note": ("计入未撤回的审计预警(无论是否已处理)。",
                             "Counts the audit alerts not withdrawn (whatever was done with them)."),
    "overview.no_alerts": ("没有预警", "no alerts"),
    "overview.unit_alerts": ("条", "alerts"),
    "overview.unknown_issuer": ("(未知单位)", "(unknown issuer)"),
    "overview.more_bars": ("图中只画出前 {n} 项,下表列出全部。", "The chart draws the first {n}; the table lists all."),
    "overview.rates": ("预算执行率", "Budget execution rate"),
    "overview.rates_chart": ("各单位各年度预算执行率(%)", "Budget execution rate per issuer and year (%)"),
    "overview.rates_desc": ("每个单位每年一根柱,虚线为100%;下表列出相同数字及全部口径",
                            "one bar per issuer and year, the dashed line is 100%; the table below has the "
                            "same numbers and every basis"),
    "overview.rates_note": ("图中每个单位年度取一个执行率:报告自述的执行率优先,其次为决算表支出合计对调整预算,"
                            "再次为类级科目合计;仅有年初预算的口径不计入图中。下表列出全部口径,图中所用的标 ★。",
                            "One rate per issuer and year in the chart: the report's own stated rate first, then "
                            "the tables' total expense against the adjusted budget, then the summed 类 lines; a "
                            "rate of the initial budget alone is not charted. The table lists every basis; the "
                            "one charted is marked ★."),
    "overview.no_rates": ("没有可用的执行率数据", "no execution rates"),
    "overview.full_budget": ("100% 预算", "100% of budget"),
    "overview.basis": ("口径", "basis"),
    "overview.item": ("项目", "item"),
    "overview.budget_adjusted": ("调整预算(万元)", "adjusted budget (10k yuan)"),
    "overview.budget_initial": ("年初预算(万元)", "initial budget (10k yuan)"),
    "overview.outturn": ("决算支出(万元)", "outturn (10k yuan)"),
    "overview.rate": ("执行率 %", "rate %"),
    "overview.rate_initial": ("对年初预算 %", "of initial %"),
    "overview.charted": ("图中所用", "charted"),
    "overview.risk": ("统计模型风险排名", "Risk ranking of the statistical models"),
    "overview.risk_note": ("风险分为孤立森林模型(models.iforest.risk)给出的排名分位(0–1,越高越异常),"
                           "理由为最突出的特征(稳健 z 分数);无风险分的报告按统计模型预警数列在其后。",
                           "The risk score is the IsolationForest model's rank (models.iforest.risk; 0–1, higher "
                           "is more unusual), the reasons its most unusual features (robust z-scores); reports "
                           "without a score follow, by the number of the models' alerts."),
    "overview.no_risk": ("统计模型尚未给出风险分或预警", "the statistical models have not scored or flagged any report"),
    "overview.rank": ("排名", "rank"),
    "overview.score": ("风险分", "risk score"),
    "overview.reasons": ("理由", "reasons"),
    "overview.trust": ("规则可信度", "Rule trust"),
    "overview.trust_note": ("每条规则:共产生的预警(含已撤回)、当前待处理、审计人员的结论(每条预警以最新结论计);"
                            "确认比例 = 确认 ÷ 已下结论。不受上方筛选影响。",
                            "Per rule: alerts raised (withdrawn included), open now, and the auditors' verdicts "
                            "(each alert's latest counts); confirmed share = confirmed ÷ judged. Not affected by "
                            "the filter above."),
    "overview.raised": ("产生", "raised"),
    "overview.open": ("待处理", "open"),
    "overview.confirmed": ("确认属实", "confirmed"),
    "overview.false_alarm": ("误报", "false alarm"),
    "overview.share": ("确认比例", "confirmed share"),
    "overview.total": ("合计", "total"),
    "export.csv": ("导出 CSV", "export CSV"),
    "export.xlsx": ("导出 XLSX", "export XLSX"),
    "export.cap": ("导出最多 {n} 条", "exports hold at most {n} alerts"),
    "export.cap_xlsx": ("XLSX 最多 {n} 条,全部请用 CSV", "XLSX holds at most {n} alerts: CSV for all"),
    "export.cut": ("(仅导出前 {n} 条,另有预警符合筛选但未导出;请缩小筛选范围)",
                   "(only the first {n} matching alerts were exported, more match: narrow the filter)"),
    "export.filename": ("预警导出", "alerts"),
}
