"""LineNumbers: the numbers of a report read line by line, only where asked,
exactly as one reading of the whole text gives them."""
from hypothesis import given, settings, strategies as st

from worker.numbers import LineNumbers, find_numbers


def test_numbers_of_a_sentence_with_offsets_in_the_report():
    text = "一、收支情况\n本年收入合计1,234.56万元,比上年增长3.5%。\n"
    ln = LineNumbers(text)
    s = text.index("本年")
    e = text.index("。") + 1
    nums = ln.within(s, e)
    assert [(n.raw, n.kind, n.value) for n in nums] == [("1,234.56万元", "money", 1234.56), ("3.5%", "percent", 3.5)]
    assert nums[0].start == text.index("1,234")


def test_a_number_whose_wan_is_on_the_next_line_is_read_whole():
    # '12' then a line break then '万人次': the whole text reads one number,
    # 120,000 人次, that ends past the first line; a sentence ending at the
    # line break holds no number, and the two lines together hold that one.
    text = "服务12\n万人次,满意度98%"
    ln = LineNumbers(text)
    nl = text.index("\n")
    assert ln.within(0, nl) == []
    both = ln.within(0, len(text))
    assert [(n.raw, n.value, n.kind) for n in both] == [("12\n万人次", 120000.0, "count"), ("98%", 98.0, "percent")]


def test_a_line_is_read_once_and_its_numbers_shared():
    text = "支出10万元,其中基本支出6万元。项目支出4万元。"
    ln = LineNumbers(text)
    first = ln.within(0, text.index("。") + 1)
    again = ln.within(0, len(text))
    assert first[0] is again[0] and first[1] is again[1]
    assert [n.value for n in again] == [10.0, 6.0, 4.0]


def test_each_text_has_its_own_numbers():
    # Same line starts, different texts: nothing read for one is given for the other.
    a, b = LineNumbers("收入5万元"), LineNumbers("收入7万元")
    assert [n.value for n in a.within(0, 5)] == [5.0]
    assert [n.value for n in b.within(0, 5)] == [7.0]


def test_letters_after_a_bare_number_and_chinese_percentages():
    text = "型号X200A,编号200A\n百分之九十五点五,增长二十"
    ln = LineNumbers(text)
    assert ln.within(0, text.index("\n")) == []          # 200A is a code, X200 glued to a letter
    got = ln.within(text.index("\n") + 1, len(text))
    assert [(n.raw, n.value) for n in got] == [("百分之九十五点五", 95.5)]


_ALPHABET = "0123456789,.-+ \t\n\n万亿元%余多个人次年月日aZ_。,:一百分之点二五"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60), st.data())
def test_same_numbers_as_a_reading_of_the_whole_text(text, data):
    if not text:
        return
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, len(text)))
    whole = [n for n in find_numbers(text) if s <= n.start < e and n.end <= e]
    assert [repr(n) for n in LineNumbers(text).within(s, e)] == [repr(n) for n in whole]
