"""Words of the report page, in Chinese and English (merged into worker.web.labels.WEB)."""
from __future__ import annotations

REPORT: dict[str, tuple[str, str]] = {
    "report.grid_note": ("{rows} 行 × {cols} 列,单位:{unit}", "{rows} rows × {cols} columns, unit: {unit}"),
    "report.unit_unknown": ("未注明", "not printed"),
    "report.grid_from_ledger": ("表格原文不是逐行分栏的格式:仅显示读取到的数字,行名和列名取自读取结果。",
                                "the table's text is not laid out one row a line: only the figures read are "
                                "shown, with the row and column names the reader gave them."),
    "report.grid_cut": ("表格过大,只显示前 {rows} 行、前 {cols} 列。", "a large table: the first {rows} rows and "
                        "{cols} columns are shown."),
    "report.marked": ("标记的单元格:{n} 个(参与未通过的核对)", "{n} cells marked (in a failed check)"),
    "report.legend": ("红框:预警所引的数字(点击打开预警);橙底:本页刚才核对未通过的勾稽关系中的数字。",
                      "red box: a figure an alert quotes (click to open the alert); orange: a figure of a "
                      "relation found failing when this page was made."),
    "report.failed_now": ("未通过的核对(刚才核对):{name}", "failed check (checked now): {name}"),
    "report.relations": ("勾稽关系核对", "relations checked"),
    "report.relations_note": ("以下核对由本页用生产规则(rules.evidence.checks,与 ledger.sum / ledger.same_figure "
                              "规则相同)对已存的读数刚才重新计算({ms} 毫秒):数据库只保存未通过的核对(预警),不保存通过的核对。",
                              "checked now: this page re-ran the production rule code (rules.evidence.checks, as "
                              "the ledger.sum and ledger.same_figure rules do) on the stored ledger ({ms} ms). "
                              "The database stores only failed checks (as alerts), not the checks that passed."),
    "report.relations_none": ("本报告未按报表模型读取,无法核对勾稽关系(可用 backfill --reparse 重新解析)。",
                              "the report was not read into the ledger: no relations to check "
                              "(backfill --reparse reads it again)."),
    "report.relations_count": ("核对 {n} 项,未通过 {failed} 项", "{n} checked, {failed} failed"),
    "report.relations_table": ("本表:核对 {n} 项,未通过 {failed} 项", "this table: {n} checked, {failed} failed"),
    "report.relations_across": ("跨表与情况说明的核对", "across tables and the narrative"),
    "report.passed_list": ("通过的 {n} 项", "the {n} that passed"),
    "rel.kind": ("类型", "kind"),
    "rel.name": ("关系", "relation"),
    "rel.where": ("合计数位置", "the total"),
    "rel.stated": ("印制数", "printed"),
    "rel.computed": ("计算数", "computed"),
    "rel.result": ("结果", "result"),
    "rel.ok": ("通过", "passed"),
    "rel.failed": ("未通过", "failed"),
    "rel.open": ("(表中有未读取的行列,不足时不判)", "(rows or columns not read: a shortfall is not judged)"),
    "rel.sum": ("求和", "sum"),
    "rel.identity": ("恒等式", "identity"),
    "rel.equal": ("同数", "same figure"),
    "report.narrative": ("情况说明(表格以外的正文)", "the narrative (the text outside the tables)"),
    "report.narrative_legend": ("黄色:读取的陈述(比率、增减)及核对结论;蓝色下划线:读取并归类的数字;红框:预警所引原文(点击打开预警)。"
                                "鼠标悬停可见详情。",
                                "yellow: a claim read (ratio, change) with its verdict; blue underline: a figure "
                                "placed on the taxonomy; red box: an alert's quote (click to open the alert). "
                                "Hover for details."),
    "report.text_cut": ("正文过长,只显示前 {shown} 个字符(共 {total} 个)。", "a long text: the first {shown} of "
                        "{total} characters are shown."),
    "report.table_here": ("〔表格:{title},见上〕", "[table: {title}, see above]"),
    "report.no_text": ("没有正文", "no text"),
    "report.years": ("本单位其他年度", "the issuer's other years"),
    "report.years_none": ("没有同一单位其他年度的报告", "no other report of this issuer"),
    "report.years_note": ("主要合计数(决算数,万元),取自各报告读取的报表;同一概念按分类标准对应,而非按印制文字。",
                          "main totals (final, 万元) read from each report's tables, matched by the "
                          "taxonomy's concepts, not the printed words."),
    "report.this": ("本报告", "this report"),
    "report.item": ("项目", "item"),
    "measure.final": ("决算", "final"),
    "measure.budget": ("预算", "budget"),
    "measure.budget_initial": ("年初预算", "initial budget"),
    "measure.budget_adjusted": ("调整预算", "adjusted budget"),
    "period.prior": ("上年", "prior year "),
    "claim.share": ("占比", "share"),
    "claim.growth": ("增减率", "change"),
    "claim.completion": ("完成率", "completion"),
    "claim.execution": ("执行率", "execution"),
    "claim.difference": ("差额", "difference"),
    "claim.score": ("得分", "score"),
    "claim.fits": ("与所读数字相符", "fits the figures read"),
    "claim.mismatch": ("没有一种读法相符", "no reading fits"),
    "claim.unjudged": ("未判断:{why}", "not judged: {why}"),
}
