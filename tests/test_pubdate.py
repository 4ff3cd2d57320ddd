"""Publication dates (worker/pubdate.py) and printed 批复 dates
(worker/parse/approval.py): the forms real portals print, and the dates that
are not a publication or an approval."""
import datetime as dt

import pytest

from worker import pubdate
from worker.extract import extract
from worker.parse.approval import find_approval
from worker.sources import discover

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


# The header lines of real pages (/work/shared/corpus), each under a title line.
@pytest.mark.parametrize("line, at", [
    ("- 发布日期: 2025-04-29", "2025-04-29"),                                   # real-dev 005
    ("【字体: 】 【发布时间:2022-04-15 14:54】 【作者:县政协办】", "2022-04-15T14:54"),   # real-dev 006
    ("索引号: 4309030009/2020-1219000 发布机构: 赫山区城管办 发文日期: 2020-07-27 08:25", "2020-07-27T08:25"),
    ("发布机构: | 沙坪坝区财政局 | 生成日期: | 2022-08-24 | 发布日期: | 2022-08-24 |", "2022-08-24"),  # 031
    ("日期:2021-09-02 10:00    來源:北京市政務服務管理局", "2021-09-02T10:00"),         # seed 001
    ("来源:[db:出处]   作者:[db:作者]   发布时间:2018-03-31 00:00:00   浏览量:", "2018-03-31T00:00:00"),
    ("发布时间:2024年09月10日", "2024-09-10"),
    ("时间:2024/9/10", "2024-09-10"),
    ("發佈時間:2024-09-10 08:30 來源:財政局", "2024-09-10T08:30"),
    ("發布時間:2021-01-15瀏覽:10482 次", "2021-01-15"),
])
def test_labelled_date_in_the_header_is_read_as_printed(line, at):
    text = f"某局2023年度部门决算\n{line}\n一、部门概况\n本部门主要职责是……"
    p = pubdate.from_text(text)
    assert p is not None and p.at == at and p.source == "page"
    assert p.quote in line.replace("| ", "").replace("|", "") or p.quote.replace(" ", "") in line.replace(" ", "")


def test_the_publication_label_wins_over_other_dated_labels():
    # 生成日期 (generated) and 填报日期 (filled in) are not publication dates.
    p = pubdate.from_text("某局2021年度部门决算\n生成日期: 2022-08-01 填报日期:2022-08-02\n发布日期: 2022-08-24\n一、概况")
    assert p.at == "2022-08-24" and p.quote == "发布日期: 2022-08-24"
    assert pubdate.from_text("某局2021年度部门决算\n生成日期: 2022-08-01 填报日期:2022-08-02\n一、概况") is None


@pytest.mark.parametrize("body", [
    "截至2024年12月31日,本部门共有车辆3辆。",
    "年初预算于2024年1月15日经区人大批准,预算数为100万元。",
    "根据《关于下达2024年预算的通知》(区财预〔2024〕12号,2024年3月1日印发)执行。",
    "时间:2025-03-01 召开绩效评价会议。",              # a labelled date, but in the body
])
def test_a_date_in_the_body_is_not_a_publication_date(body):
    text = "某局2024年度部门决算\n来源:某局\n一、部门概况\n" + body
    assert pubdate.from_text(text) is None


def test_a_date_after_the_body_began_is_not_read_even_when_labelled():
    para = "本部门主要职责是负责全区政务服务工作,统筹推进政务服务体系建设,指导监督各街镇便民服务中心的业务工作," * 2
    assert pubdate.from_text(f"某局2024年度部门决算\n{para}\n发布时间:2025-08-01\n") is None


def test_meta_tags_gov_portals_use():
    assert pubdate.from_meta([("PubDate", "2025-08-20 10:00")]) == pubdate.PubDate(
        "2025-08-20T10:00", "meta", '<meta name="PubDate" content="2025-08-20 10:00">')
    assert pubdate.from_meta([("firstpublishedtime", "2024-09-10-15:23:38")]).at == "2024-09-10T15:23:38"
    assert pubdate.from_meta([("article:published_time", "2024-09-10T08:00:00+08:00")]).at == "2024-09-10T08:00:00"
    assert pubdate.from_meta([("keywords", "2024-09-10"), ("description", "x")]) is None
    # PubDate before the generic `date`, whatever their order on the page.
    assert pubdate.from_meta([("date", "2024-01-01"), ("PubDate", "2024-09-10")]).at == "2024-09-10"


def test_dates_before_the_fiscal_year_ended_or_after_the_fetch_are_refused():
    early = pubdate.PubDate("2024-06-30", "page", "发布时间:2024-06-30")
    future = pubdate.PubDate("2026-03-01", "meta", '<meta name="PubDate" content="2026-03-01">')
    fine = pubdate.PubDate("2025-08-01", "list", "某局2024年度部门决算 2025-08-01")
    best, notes = pubdate.choose([early, future, fine], 2024, NOW)
    assert best == fine
    assert len(notes) == 2 and "早于 2024 财政年度结束" in notes[0] and "晚于抓取时间" in notes[1]
    assert pubdate.choose([early], 2024, NOW) == (None, [notes[0]])


def test_precedence_and_disagreement_is_kept_visible():
    meta = pubdate.PubDate("2025-08-20T10:00", "meta", "m")
    page = pubdate.PubDate("2025-08-19", "page", "p")
    lst = pubdate.PubDate("2025-09-10", "list", "l")
    seen = pubdate.PubDate("2025-10-01T00:00:00+00:00", "first_seen", "s")
    best, notes = pubdate.choose([seen, lst, page, meta], 2024, NOW)
    assert best is meta
    assert len(notes) == 1 and "不一致" in notes[0] and "list 2025-09-10" in notes[0]
    # Within 3 days: no note.
    assert pubdate.choose([page, meta, seen], 2024, NOW) == (meta, [])
    assert pubdate.choose([seen], 2024, NOW) == (seen, [])


def test_html_page_meta_header_and_attachment_dates():
    page = ("<html><head><meta name='PubDate' content='2025-08-20 10:00'><title>某局2024年度部门决算_某区</title></head>"
            "<body><div class='nav'>首页 2023-01-01 更新</div><h1>某局2024年度部门决算</h1>"
            "<div class='tools'>发布时间:<span>2025-08-19</span> 来源:某局 【打印】</div>"
            "<div class='content'><p>一、部门概况</p><p>截至2024年12月31日,本部门决算收入100万元,预算100万元。</p>"
            "<p>附件:<a href='/f/x.pdf'>决算表.pdf</a> (2025-08-18)</p></div></body></html>")
    ex = extract(page.encode(), "a.html")
    assert ex.dates == [
        {"at": "2025-08-20T10:00", "from": "meta", "quote": "<meta name=\"PubDate\" content=\"2025-08-20 10:00\">"},
        {"at": "2025-08-19", "from": "page", "quote": "发布时间: 2025-08-19"},
        {"at": "2025-08-18", "from": "attachment", "quote": "决算表.pdf (2025-08-18)"}]
    # The toolbar holding the date is dropped from the text, as before.
    assert "发布时间" not in ex.text


def test_list_page_dates_beside_links():
    html = ("<ul><li><a href='/a.html'>甲局2024年度部门决算</a><span>2025-09-10</span></li>"
            "<li><a href='/b.html'>乙局2024年度部门决算</a></li></ul>"
            "<table><tr><td><a href='/c.html'>丙局2024年度部门决算</a></td><td>2025/9/1</td></tr>"
            "<tr><td><a href='/d.html'>丁局</a> <a href='/e.html'>戊局</a></td><td>2025-09-02</td></tr></table>")
    links = {lk.url.rsplit("/", 1)[-1]: lk for lk in discover.page_links(html.encode(), "http://x/", "utf-8",
                                                                         dated=True)}
    assert links["a.html"].dated() == pubdate.PubDate("2025-09-10", "list", "甲局2024年度部门决算2025-09-10")
    assert links["b.html"].dated() is None
    assert links["c.html"].dated().at == "2025-09-01"
    assert links["d.html"].dated() is None         # a line with two reports: whose date?
    # Without `dated`, nothing is read (the attachments and next-page lookups).
    assert all(lk.published is None for lk in discover.page_links(html.encode(), "http://x/", "utf-8"))


@pytest.mark.parametrize("text, at, quote", [
    ("本部门2024年度部门决算已经区财政局2025年8月1日批复,现予公开。", "2025-08-01",
     "本部门2024年度部门决算已经区财政局2025年8月1日批复,现予公开"),
    ("一、说明\n2024年度部门决算已于2025年7月28日经XX财政局批复。", "2025-07-28",
     "2024年度部门决算已于2025年7月28日经XX财政局批复"),
    ("根据《XX财政局关于批复2024年度部门决算的通知》(X财预〔2025〕12号,2025年8月1日),现将决算公开如下。",
     "2025-08-01", "根据《XX财政局关于批复2024年度部门决算的通知》(X财预〔2025〕12号,2025年8月1日),现将决算公开如下"),
])
def test_approval_date_printed_in_the_report(text, at, quote):
    found = find_approval(text, 2024)
    assert found is not None
    got, q = found
    assert got == at and q.text == quote and text[q.start:q.end] == quote


@pytest.mark.parametrize("text", [
    "根据《XX财政局关于批复2024年度部门决算的通知》(X财预〔2025〕12号),现将决算公开如下。",   # a 文号 only
    "2024年年初预算经区人大2024年1月10日批复,收入预算100万元。",                          # a budget's approval
    "本部门决算经区财政局批复。截至2024年12月31日,资产总额100万元。",                       # no date in its sentence
    "2024年度部门决算已经区财政局2024年12月1日批复。",                                   # before the year ended
])
def test_no_approval_date_is_guessed(text):
    assert find_approval(text, 2024) is None


def test_a_list_page_of_many_links_on_one_line_is_read_in_bounded_time():
    """A line (here one <p>) holding 20,000 links: no link gets the line's date (the line is not
    one link's), and looking costs one step per link, not one per pair (a generous bound only
    proves it ends)."""
    import time

    from worker.sources.discover import page_links

    html_ = ("<html><body><p>" + "".join(f"<a href='/a/{n}.html'>决算{n}</a> 2024-09-10 " for n in range(20_000))
             + "</p><div>" + "".join(f"<a href='/b/{n}.html'>决算{n}</a><span>2024-09-1{n % 10}</span>"
                                    for n in range(20_000)) + "</div></body></html>")
    t0 = time.monotonic()
    links = page_links(html_.encode(), "http://127.0.0.1/", "utf-8", dated=True)
    assert time.monotonic() - t0 < 60
    assert len(links) == 40_000
    assert all(x.published is None for x in links[:20_000])
    # Bare links side by side: each takes the date printed right after it, not a later link's.
    assert [x.published for x in links[20_000:20_003]] == ["2024-09-10", "2024-09-11", "2024-09-12"]
