"""Disclosure duties (issue 18), the pure parts: matching an issuer to an
expected department, the settings and CSV, due dates and statuses."""
from datetime import date

import pytest

from worker.config import ConfigError, load
from worker.duties.due import duties, judge, late_unexpected, local_date
from worker.duties.names import entry_region, issuer_from_title, matches, split
from worker.duties.settings import Disclosure, Expected, read_csv


def m(name, issuer, aliases=(), region="", source="", report_region="", report_source=""):
    return matches([name, *aliases], entry_region(name, region), source, issuer, report_region, report_source)


# -- names ------------------------------------------------------------------------------
def test_region_prefix_aliases_and_spelling():
    e = "北京市通州区政务服务管理局"
    assert m(e, "北京市通州区政务服务管理局")
    assert m(e, "通州区政务服务管理局")                      # upper level omitted
    assert m(e, "北京市 通州区 政务服务管理局（本级）")        # spaces, punctuation, 本级
    assert m(e, "北京市通州區政務服務管理局機關")              # traditional, 机关
    # An alias without a region: the report's region or the entry's source supplies it.
    assert m(e, "区政务服务局", aliases=["区政务服务局"], report_region="北京市通州区")
    assert m(e, "区政务服务局", aliases=["区政务服务局"], source="tz", report_source="tz")
    assert not m(e, "区政务服务局", aliases=["区政务服务局"])
    assert not m(e, "区政务服务局", aliases=["区政务服务局"], report_region="北京市丰台区")
    assert m("中共北京市委宣传部", "中国共产党北京市委宣传部")


def test_a_shared_suffix_of_another_region_never_matches():
    assert not m("北京市通州区财政局", "北京市丰台区财政局")
    assert not m("北京市通州区财政局", "财政局")                # bare: no region to agree on
    assert not m("北京市通州区财政局", "北京市财政局")          # the city, not the district
    assert not m("北京市财政局", "北京市通州区财政局")
    assert not m("玉林市财政局", "玉林市大数据发展和政务服务局")
    assert m("财政局", "财政局")                               # the entry itself names no region


def test_split_keeps_place_names_whole():
    from worker.duties.names import Name

    assert split("北京市通州区政务服务管理局") == Name("北京市通州区", "政务服务管理局")
    assert split("杭州市西湖区财政局") == Name("杭州市西湖区", "财政局")
    assert split("内蒙古自治区财政厅") == Name("内蒙古自治区", "财政厅")
    assert split("北京市城市管理委员会") == Name("北京市", "城市管理委员会")      # 城市 is no place
    assert split("北京市市场监督管理局") == Name("北京市", "市场监督管理局")


def test_issuer_from_title():
    assert issuer_from_title("北京市丰台区政务服务和数据管理局2024年度部门决算") == "北京市丰台区政务服务和数据管理局"
    assert issuer_from_title("2024年度部门决算") == ""
    assert m("北京市丰台区政务服务和数据管理局", issuer_from_title("北京市丰台区政务服务和数据管理局2024年部门决算"))


# -- due dates and statuses --------------------------------------------------------------
def rep(id, issuer, year=2024, typ="部门决算", published=None, frm=None, first_seen="2025-10-20T01:00:00+00:00",
        approved=None, source_name="portal"):
    return {"id": id, "key": f"k{id}", "source": f"http://x/{id}", "source_name": source_name, "title": "",
            "issuer": issuer, "region": "", "year": year, "report_type": typ, "published_at": published,
            "published_from": frm, "published_quote": f"发布时间:{published}" if published else None,
            "approved_at": approved, "approved_quote": f"{approved}批复" if approved else None,
            "approved_start": 10 if approved else None, "approved_end": 20 if approved else None,
            "first_seen": first_seen}


D = Disclosure(publish_within_days=20, deadline="09-30")
E = Expected(name="北京市通州区财政局", years=[2024], origin="expected[0]")
TODAY = date(2026, 1, 1)


def test_due_date_from_the_approval_else_the_fixed_deadlines():
    x = judge(D, E, 2024, "部门决算", [rep(1, "北京市通州区财政局", published="2025-08-01 10:00", frm="page",
                                          approved="2025-07-20")], {}, TODAY)
    assert (x.due, x.due_from, x.status) == (date(2025, 8, 9), "批复日期+20天", "found")
    x = judge(D, E, 2024, "部门决算", [rep(1, "北京市通州区财政局", published="2025-08-15", frm="page",
                                          approved="2025-07-20")], {}, TODAY)
    assert (x.status, x.days_late) == ("late", 6)
    # No 批复 date: the region's deadline before the global one; the entry's before both.
    d = Disclosure(deadline="09-30", deadlines={"北京市": "08-31", "北京市通州区": "07-31", "天津市": "06-30"})
    assert judge(d, E, 2024, "部门决算", [], {}, TODAY).due == date(2025, 7, 31)
    e2 = Expected(name="北京市丰台区财政局", years=[2024], source="ft")
    assert judge(d, e2, 2024, "部门决算", [], {}, TODAY).due_from == "[disclosure.deadlines] 北京市"
    e3 = Expected(name="玉林市财政局", years=[2024], source="yl")
    assert judge(Disclosure(deadlines={"yl": "05-31"}), e3, 2024, "部门决算", [], {}, TODAY).due == date(2025, 5, 31)
    e4 = Expected(name="北京市通州区财政局", years=[2024], deadline={"2024": "2025-06-15"}, origin="expected[3]")
    assert (judge(d, e4, 2024, "部门决算", [], {}, TODAY).due_from) == "expected[3]"
    none = judge(Disclosure(), E, 2024, "部门决算", [], {}, TODAY)
    assert (none.due, none.status, none.note) == (None, "no_deadline", "无截止日期")


def test_missing_pending_and_grace():
    assert judge(D, E, 2024, "部门决算", [], {}, date(2025, 9, 30)).status == "pending"
    assert judge(D, E, 2024, "部门决算", [], {}, date(2025, 10, 1)).status == "missing"
    g = Disclosure(deadline="09-30", grace_days=5)
    assert judge(g, E, 2024, "部门决算", [], {}, date(2025, 10, 5)).status == "pending"
    late = judge(g, E, 2024, "部门决算", [rep(1, "北京市通州区财政局", published="2025-10-04", frm="feed")], {},
                 TODAY)
    assert late.status == "found"
    late = judge(g, E, 2024, "部门决算", [rep(1, "北京市通州区财政局", published="2025-10-06", frm="feed")], {},
                 TODAY)
    assert (late.status, late.days_late) == ("late", 6)
    # Another year, another type, another district: not this duty's report.
    others = [rep(1, "北京市通州区财政局", year=2023), rep(2, "北京市通州区财政局", typ="绩效自评"),
              rep(3, "北京市丰台区财政局")]
    assert judge(D, E, 2024, "部门决算", others, {}, TODAY).status == "missing"


def test_a_report_only_first_seen_is_late_only_with_a_poll_after_the_due_date():
    r = rep(1, "北京市通州区财政局", first_seen="2025-10-20T01:00:00+00:00")
    x = judge(D, E, 2024, "部门决算", [r], {}, TODAY)
    assert (x.status, x.note, x.published_from) == ("found", "发布日期未知", "first_seen")
    # Polled on 3 October, after the due date, without it: published after 3 October.
    key = "|北京市通州区财政局|2024|部门决算"
    x = judge(D, E, 2024, "部门决算", [r], {(key, "portal"): "2025-10-03T02:00:00+00:00"}, TODAY)
    assert (x.status, x.days_late, x.days_late_at_least) == ("late", 3, True)
    # A poll of another source proves nothing about this one.
    x = judge(D, E, 2024, "部门决算", [r], {(key, "other"): "2025-10-03T02:00:00+00:00"}, TODAY)
    assert x.status == "found" and x.note == "发布日期未知"
    # First seen by the due date: published on time, whatever its date.
    early = rep(1, "北京市通州区财政局", first_seen="2025-09-29T01:00:00+00:00")
    assert judge(D, E, 2024, "部门决算", [early], {}, TODAY).status == "found"


def test_publication_times_are_read_as_china_days():
    assert local_date("2025-09-30T17:00:00+00:00") == date(2025, 10, 1)
    assert local_date("2025-09-10 10:00") == date(2025, 9, 10)
    assert local_date("2025-09-10") == date(2025, 9, 10)


def test_late_without_an_entry_needs_both_dates_read():
    reports = [rep(1, "A市财政局", published="2025-09-01", frm="page", approved="2025-07-01"),
               rep(2, "B市财政局", published=None, frm=None, approved="2025-07-01",
                   first_seen="2025-09-01T00:00:00+00:00"),
               rep(3, "C市财政局", published="2025-07-10", frm="page", approved="2025-07-01"),
               rep(4, "D市财政局", published="2025-09-01", frm="first_seen", approved="2025-07-01")]
    out = late_unexpected(D, reports, claimed=set())
    assert [(u["report"]["id"], u["days_late"]) for u in out] == [(1, 42)]
    assert late_unexpected(D, reports, claimed={1}) == []


def test_duties_filter_by_year_and_source():
    es = [Expected(name="北京市通州区财政局", years=[2023, 2024], types=["部门决算", "绩效自评"], source="a"),
          Expected(name="北京市丰台区财政局", years=[2024], source="b")]
    assert len(duties(D, es, [], {}, TODAY)) == 5
    assert [(x.entry.name, x.type) for x in duties(D, es, [], {}, TODAY, year=2024, source="a")] == \
        [("北京市通州区财政局", "部门决算"), ("北京市通州区财政局", "绩效自评")]


# -- settings ----------------------------------------------------------------------------
def write(tmp_path, text, csv_text=None):
    if csv_text is not None:
        (tmp_path / "expected.csv").write_text(csv_text, encoding="utf-8")
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_expected_entries_and_csv_are_read(tmp_path):
    cfg = load(write(tmp_path, """
[disclosure]
deadline = "09-30"
expected_csv = "expected.csv"
[disclosure.deadlines]
"北京市" = "08-31"
[[expected]]
name = "北京市通州区政务服务管理局"
aliases = ["区政务服务局"]
years = [2024, 2025]
types = ["部门决算", "绩效自评"]
deadline = { "2024" = "2025-07-31" }
""", "name,aliases,source,year,types,deadline\n北京市丰台区财政局,区财政局|丰台财政,,2024,部门决算;绩效自评,09-15\n"))
    from worker.duties.settings import disclosure, expected

    es = expected(cfg)
    assert [(e.name, e.years, e.types) for e in es] == [
        ("北京市通州区政务服务管理局", [2024, 2025], ["部门决算", "绩效自评"]),
        ("北京市丰台区财政局", [2024], ["部门决算", "绩效自评"])]
    assert es[1].aliases == ["区财政局", "丰台财政"] and es[1].origin == "expected.csv:2"
    assert es[0].deadline_for(2024) == date(2025, 7, 31) and es[0].deadline_for(2025) is None
    assert es[1].deadline_for(2024) == date(2025, 9, 15)
    assert disclosure(cfg).deadlines == {"北京市": "08-31"}


def test_bad_entries_are_refused_at_load_naming_the_key(tmp_path):
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, """
[disclosure]
deadline = "9月30日"
publish_within_days = -1
[disclosure.deadlines]
"北京市" = "2025-08-31"
[[expected]]
name = "北京市通州区财政局"
years = [2024]
types = ["决算"]
source = "nowhere"
deadline = "31-09"
[[expected]]
aliases = ["x"]
years = 2024
colour = "red"
"""))
    text = str(e.value)
    for needle in ("disclosure.deadline: expected \"MM-DD\"", "disclosure.publish_within_days: must be at least 0",
                   "disclosure.deadlines.北京市: expected \"MM-DD\"", "expected[0].types: unknown report type '决算'",
                   "expected[0].source: no source named 'nowhere'", "expected[0].deadline: expected",
                   "expected[1].name: required", "expected[1].colour: unknown key"):
        assert needle in text, needle


def test_a_bad_csv_row_is_named_by_its_line(tmp_path):
    problems = []
    p = tmp_path / "e.csv"
    p.write_text("name,aliases,source,year,types,deadline\n甲市财政局,,,2024,部门决算,\n\n乙市财政局,,,二〇二四,,\n"
                 "丙市财政局,,,2024,决算,\n", encoding="utf-8")
    es = read_csv(p, problems)
    assert [e.name for e in es] == ["甲市财政局"]
    assert any(x.startswith(f"{p}:4: years: expected fiscal years") for x in problems), problems
    assert any(x.startswith(f"{p}:5: types: unknown report type") for x in problems), problems
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, '[disclosure]\nexpected_csv = "e.csv"\n'))
    assert "e.csv:4: years" in str(e.value)


def test_the_lookup_index_finds_what_a_scan_of_every_report_finds():
    """duties() files reports by name core; each duty must get exactly the reports a scan of all
    of them would match (a bare leading 区/市 word, a core that itself begins with 市, aliases,
    traditional characters, an issuer read from the title)."""
    from worker.duties.due import Index, matching
    from worker.duties.settings import Expected

    issuers = ["北京市通州区市场监督管理局", "通州区市场监督管理局", "区市场监督管理局", "市场监督管理局",
               "北京市通州区政务服务管理局", "區政務服務管理局", "政务服务管理局", "北京市丰台区财政局", "财政局",
               "中国共产党北京市通州区委员会宣传部", "", "玉林市大数据发展和政务服务局本级"]
    reports = [{"id": i + 1, "issuer": name, "title": "北京市通州区财政局2024年度部门决算" if not name else "",
                "year": 2024, "report_type": "部门决算", "region": "", "source_name": "portal" if i % 2 else "other"}
               for i, name in enumerate(issuers)]
    entries = [Expected(name="北京市通州区市场监督管理局", aliases=["区市场监督管理局"], source="portal"),
               Expected(name="北京市通州区政务服务管理局", aliases=["区政务服务局"]),
               Expected(name="北京市通州区财政局", source="portal"),
               Expected(name="市场监督管理局"), Expected(name="玉林市大数据发展和政务服务局")]
    index = Index(reports)
    for e in entries:
        scanned = [r["id"] for r in matching(e, 2024, "部门决算", reports)]
        assert [r["id"] for r in matching(e, 2024, "部门决算", index)] == scanned, e.name
        assert matching(e, 2023, "部门决算", index) == []
    # The scan itself, checked by hand for two of them: the full name, 通州区 (upper levels left out),
    # the alias as written, and the bare 市场监督管理局 from the entry's own source (it vouches);
    # 北京市丰台区财政局 is another region, the bare 财政局 of another source is not vouched for.
    assert [r["id"] for r in matching(entries[0], 2024, "部门决算", reports)] == [1, 2, 3, 4]
    assert [r["id"] for r in matching(entries[2], 2024, "部门决算", reports)] == [11]


def test_only_published_reports_are_looked_at(db_url):
    """A list page stored as not_report, or a document that failed, does not make a department's
    report found; a parsed one and a duplicate of it do."""
    from worker.duties import store as duty_store
    from worker.storage import Store

    st = Store(db_url)
    with st.tx() as conn:
        for n, status in enumerate(("parsed", "duplicate", "not_report", "failed", "empty")):
            st.upsert_report_row(conn, f"http://p/{n}.html", f"http://p/{n}.html", status=status,
                                 title="北京市通州区财政局2024年度部门决算", issuer="北京市通州区财政局", year=2024,
                                 report_type="部门决算")
    got = duty_store.reports(st.conn, {2024})
    assert sorted(r["status"] for r in got) == ["duplicate", "parsed"]
    st.close()
