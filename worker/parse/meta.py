"""Who published a report, for which year, and what kind of report it is."""
from __future__ import annotations

import re
from collections import Counter

from worker.facts import ReportMeta

_ORG = r"[\u4e00-\u9fff()()]{2,40}?(?:管理局|总局|局|委员会|委|办公室|办|厅|院|中心|署|馆|所|站|队|政府|街道办事处|街道|镇|乡|协会|联合会|学校|医院)"
_TITLE = re.compile(
    r"(?P<year1>\d{4})\s*年度?\s*(?P<org1>" + _ORG + r")\s*(?:部门|单位)?(?:决算|预算|整体|绩效)|"
    r"(?P<org2>" + _ORG + r")\s*(?P<year2>\d{4})\s*年度?\s*(?:部门|单位)?(?:决算|绩效)"
)
_ORG_IN_TEXT = re.compile(
    r"(?:[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|州|盟))(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?"
    r"[\u4e00-\u9fff]{2,20}?(?:管理局|局|委员会|办公室|中心)"
)
_REGION = re.compile(
    r"^((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?(?:市|州|盟))?(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?)"
)
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_BAD_ORG = re.compile(r"^(?:本|我|该|各|全|市级|区级|县级|上级|下属|所属|其他|相关)")


def parse_meta(text: str) -> ReportMeta:
    head = text[:6000]
    meta = ReportMeta()
    # The title: the first short line that names a final account or evaluation.
    titles = []
    for line in head.split("\n")[:60]:
        s = line.strip()
        if 4 <= len(s) <= 60 and re.search(r"决算|绩效(?:自评|评价)", s) and not re.search(
                r"^(?:第|[一二三四五六七八九十]+、|表|[((])|详见|说明|附表|报表|情况|[,。]", s):
            titles.append(s)
    # Best: a line naming the department, the year and the report together.
    meta.title = next((t for t in titles if _TITLE.search(t)), titles[0] if titles else "")
    m = _TITLE.search(meta.title) if meta.title else None
    if not m:
        m = _TITLE.search(head)
    issuer = ""
    year = None
    if m:
        issuer = (m.group("org1") or m.group("org2") or "").strip()
        year = int(m.group("year1") or m.group("year2"))
        issuer = re.sub(r"^(?:[::\s]|第[一二三四五六七八九十]+部分[::]?)+", "", issuer)
    if not issuer or _BAD_ORG.match(issuer) or len(issuer) < 4:
        orgs = Counter(o for o in _ORG_IN_TEXT.findall(text[:20000]) if not _BAD_ORG.match(o))
        if orgs:
            issuer = orgs.most_common(1)[0][0]
    if meta.title and issuer and issuer not in meta.title:
        # "2024年度部门决算(公开)" under a line with the department's name.
        lines = [l.strip() for l in head.split("\n")[:6] if l.strip()]
        if lines and _ORG_IN_TEXT.fullmatch(lines[0]):
            issuer = lines[0]
    if year is None:
        years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年度", head))
        if years:
            year = years.most_common(1)[0][0]
    meta.issuer = issuer
    meta.year = year
    if issuer and year and (not meta.title or not re.search(r"\d{4}", meta.title)):
        # "2024年度部门决算(公开)" alone, or no title line at all.
        meta.title = f"{issuer}{year}年度{'部门决算' if '决算' in text else '绩效自评报告'}"
    if issuer and meta.title and issuer not in meta.title and not _TITLE.search(meta.title):
        meta.title = issuer + meta.title      # 2024年度部门决算(公开), under the department's name
    rm = _REGION.match(issuer) if issuer else None
    meta.region = rm.group(1) if rm else ""
    if meta.region:
        if re.search(r"(?:区|县|旗)$", meta.region):
            meta.level = "district"
        elif meta.region in _MUNICIPALITIES or meta.region.endswith(("省", "自治区")):
            meta.level = "province"
        else:
            meta.level = "city"
    if "单位决算" in head:
        meta.report_type = "单位决算"
    elif "决算" in text:
        meta.report_type = "部门决算"
    elif re.search(r"绩效(?:自评|评价)", text):
        meta.report_type = "绩效自评"
    meta.has_performance = bool(re.search(r"绩效(?:自评|评价)", text))
    return meta


def looks_like_report(text: str) -> tuple[bool, str]:
    """Whether a page is a final account or evaluation at all, and why not."""
    if not text.strip():
        return False, "文档没有文字内容"
    hits = len(re.findall(r"决算|预算|绩效|执行率|万元", text))
    # A page that is one 决算表 (收支决算总表, 元) names 决算 once, in its title.
    if hits < 3 and not re.search(r"决算[^\n|]{0,4}表", text):
        return False, "不是决算或绩效报告:未见“决算”“预算”“绩效”“万元”等词"
    if not re.search(r"\d", text):
        return False, "不是决算或绩效报告:没有任何数字"
    return True, ""


def truncation_warnings(text: str) -> list[str]:
    """Signs that a report was cut short: parts listed in its contents but absent."""
    warnings = []
    toc = text[:3000]
    parts = re.findall(r"第([一二三四五六七八九十]+)部分", toc)
    if parts:
        last = parts[-1] if len(set(parts)) == len(parts) else max(set(parts), key=parts.index)
        body_from = text.find("第" + parts[0] + "部分", text.find("第" + parts[0] + "部分") + 1)
        if body_from > 0:
            missing = [p for p in dict.fromkeys(parts) if ("第" + p + "部分") not in text[body_from:]]
            if missing:
                warnings.append("目录列出的" + "、".join("第" + p + "部分" for p in missing) + "在正文中没有出现,报告可能不完整")
        del last
    tail = text.rstrip()[-200:]
    if tail and tail[-1] not in "。.!?)」”|》0123456789%" and len(text) > 2000 and not re.search(r"[\n]", tail[-40:]):
        if re.search(r"[\u4e00-\u9fff,,]$", tail):
            warnings.append("正文在句子中间结束,报告可能被截断")
    return warnings
