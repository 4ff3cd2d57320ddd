"""Flattened tables: both `cell |` dialects, one cell a line, HTML grids."""
from worker.extract.html import extract_html
from worker.parse.tables import flat_blocks, pipe_tables


def texts(table):
    return [[c.key for c in row] for row in table.rows]


def test_pipe_rows_end_with_padding_pipes():
    text = ("项目名称 |\n某项目\n|\n|||||\n"
            "项目资金 |\n|\n年初预 算数 |\n全年 执行数 |\n|||\n"
            "年度资金总额 |\n100 |\n80 |\n||||\n")
    (t,) = pipe_tables(text)
    assert texts(t) == [["项目名称", "某项目"], ["项目资金", "", "年初预算数", "全年执行数"],
                        ["年度资金总额", "100", "80"]]
    # Cells keep offsets into the text.
    cell = t.rows[2][1]
    assert text[cell.start:cell.end] == "100"


def test_pipe_rows_starting_with_a_lone_pipe():
    text = ("|\n表头 | |||\n|\n资金来源 |\n年初预算数 |\n实际支出数 | \n"
            "|\n合计 |\n2000 |\n710.8 | ||\n|\n备注 |\n| ||||\n")
    (t,) = pipe_tables(text)
    assert texts(t) == [["表头"], ["资金来源", "年初预算数", "实际支出数"], ["合计", "2000", "710.8"], ["备注", ""]]


def test_rendered_grid_rows_one_per_line():
    text = "前言。\n一级指标 | 三级指标 | 指标值\n产出指标 | 次数 | ≥10次\n后记。"
    (t,) = pipe_tables(text)
    assert texts(t) == [["一级指标", "三级指标", "指标值"], ["产出指标", "次数", "≥10次"]]


def test_one_cell_a_line_block_is_found_after_its_header():
    text = ("项目名称\n\nX项目\n\n一级指标\n\n二级指标\n\n三级指标\n\n预期指标值\n\n实际完成指标值\n\n"
            "产出指标\n\n数量指标\n\n目录数\n\n30条\n\n28条\n\n2.部门绩效评价结果。\n")
    (t,) = flat_blocks(text, [])
    assert [c.text for c in t.rows[0]] == ["一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值"]
    assert [c.text for c in t.flat] == ["产出指标", "数量指标", "目录数", "30条", "28条"]


def test_html_grid_expands_colspan_and_rowspan_and_drops_navigation():
    html = ("<html><body><div class='nav'>首页 导航</div><table>"
            "<tr><td rowspan='2'>项目资金</td><td colspan='2'>预算</td></tr>"
            "<tr><td>年初</td><td>全年</td></tr></table>"
            "<div class='footer'>版权所有</div><script>x=1</script></body></html>")
    text, grids, _ = extract_html(html)
    assert "导航" not in text and "版权" not in text and "x=1" not in text
    (g,) = grids
    assert texts(g) == [["项目资金", "预算", ""], ["", "年初", "全年"]]
    # A merged cell is printed once; every position it covers is empty and points at it.
    a, b = g.rows[0][1], g.rows[0][2]
    assert text[a.start:a.end] == "预算" and b.span_from == (0, 1)
    assert g.rows[1][0].span_from == (0, 0) and text.count("项目资金") == 1
