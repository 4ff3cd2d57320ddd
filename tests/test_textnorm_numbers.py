"""Normalization and number reading: the forms portals print figures in."""
from hypothesis import given, strategies as st

from worker.numbers import find_numbers, parse_cell_number
from worker.textnorm import normalize


def test_traditional_to_simplified_keeps_length_and_original():
    n = normalize("收、支總計45,597.62萬元,佔收入合計的99.998%")
    assert n.text == "收、支总计45,597.62万元,占收入合计的99.998%"
    assert n.original.startswith("收、支總計")
    # Offsets are shared: a quote cut from the normalized text maps back.
    i = n.text.index("45,597.62")
    assert n.original_span(i, i + 9) == "45,597.62"


def test_full_width_digits_and_punctuation():
    n = normalize("本年支出合计１２３４．５６万元，占比５０％")
    nums = find_numbers(n.text)
    assert [(x.value, x.unit, x.precision) for x in nums] == [(1234.56, "万元", 2), (50.0, "%", 0)]


def test_mirror_site_pinyin_artefacts_are_removed_with_offsets_kept():
    n = normalize("年初預(yù)算為100萬元")
    assert n.text == "年初预算为100万元"
    j = n.text.index("100")
    assert n.original_span(j, j + 3) == "100"
    assert n.to_normalized(n.to_original(j)) == j
    # Latin in parentheses without tone marks is not a pinyin artefact.
    assert normalize("接口(API)访问").text == "接口(API)访问"


@given(st.text(alphabet="預算決萬元(yù)（àé）ab 12.%\u200b", max_size=40))
def test_offset_map_round_trips(s):
    n = normalize(s)
    for i in range(len(n.text) + 1):
        assert n.to_normalized(n.to_original(i)) == i


def test_money_units_normalize_to_wan_and_keep_printed_unit():
    (a, b, c, d) = find_numbers("收入1.23亿元,支出1749.94元,结余3.5千元,项目5525万元")
    assert (a.value, a.unit, a.kind) == (12300.0, "亿元", "money")
    assert abs(b.value - 0.174994) < 1e-12 and b.unit == "元" and b.precision == 2
    assert abs(c.value - 0.35) < 1e-12 and c.unit == "千元"
    assert d.value == 5525.0 and d.precision == 0
    # Half a unit in the last printed place, in 万元.
    assert abs(b.half_ulp() - 0.5 * 0.01 * 1e-4) < 1e-15
    assert abs(a.half_ulp() - 0.5 * 0.01 * 1e4) < 1e-9


def test_thousands_separators_and_precision():
    (n,) = find_numbers("45,597.62万元")
    assert n.value == 45597.62 and n.precision == 2 and n.raw == "45,597.62万元"
    # A list of numbers is not one number with separators.
    assert [x.value for x in find_numbers("7.5,2.41,2.70")] == [7.5, 2.41, 2.7]


def test_counts_scaled_counts_dates_and_percent_words():
    nums = find_numbers("接待174.8万人次,解决3.3万余次,2024年12月31日,群众满意度>90百分比")
    kinds = [(x.kind, x.value, x.unit) for x in nums]
    assert ("count", 1748000.0, "万人次") in kinds
    assert any(k == "count" and v == 33000.0 and u == "万余次" for k, v, u in kinds)
    assert ("date", 2024.0, "年") in kinds
    assert ("percent", 90.0, "百分比") in kinds
    approx = [x for x in nums if x.unit == "万余次"][0]
    assert approx.approx


def test_chinese_numeral_percentages():
    (n,) = find_numbers("执行率为百分之三十七点七五")
    assert (n.value, n.unit, n.precision) == (37.75, "%", 2)
    (m,) = find_numbers("完成百分之一百")
    assert m.value == 100.0


def test_codes_and_phone_numbers_are_bare_numbers_not_money():
    nums = find_numbers("2060502技术创新服务体系支出,电话87016868,ABC123")
    assert all(n.kind == "number" for n in nums)
    assert [n.value for n in nums] == [2060502.0, 87016868.0]


def test_cell_numbers():
    assert parse_cell_number(" 710.8078 ").value == 710.8078
    assert parse_cell_number("5189台").unit == "台"
    assert parse_cell_number("≥5000台") is None          # a target, read elsewhere
    assert parse_cell_number("完成12项") is None
    assert parse_cell_number("-45.59").value == -45.59
