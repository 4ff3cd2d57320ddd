"""Generator of filled 部门决算 publications (PDF, XLSX, HTML) with labelled
injected errors, an independent source of truth for benchmarks and tests.

    python -m bench.reportgen OUT_DIR --pdf 200 --xlsx 50 --html 50 --seed 1

API: generate(out_dir, pdf=, xlsx=, html=, seed=) -> list of label lines;
build_report(seed, index, fmt) -> Report (model, blocks, tables, labels) and
report_model(seed, index) -> Accounts, without rendering.
"""
from .corpus import build_report, generate, plan, render, report_model

__all__ = ["build_report", "generate", "plan", "render", "report_model"]
