from hypothesis import given, strategies as st

from worker.spans import Spans

spans_st = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=8)


def test_contains_and_overlaps_by_hand():
    sp = Spans([(10, 20), (15, 25), (40, 41)])
    assert [p for p in range(0, 50) if sp.contains(p)] == list(range(10, 25)) + [40]
    assert sp.overlaps(24, 30) and not sp.overlaps(25, 40) and sp.overlaps(0, 11)
    assert not sp.overlaps(0, 10) and sp.overlaps(39, 45)
    assert len(Spans([(5, 5), (3, 1)])) == 0


@given(spans_st, st.integers(0, 70), st.integers(0, 70))
def test_agrees_with_linear_scan(spans, s, e):
    sp = Spans(spans)
    assert sp.contains(s) == any(a <= s < b for a, b in spans)
    if e > s:
        assert sp.overlaps(s, e) == any(a < e and s < b for a, b in spans if b > a)
