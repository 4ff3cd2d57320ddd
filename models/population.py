"""The population of stored reports as the models read it, without holding
every report at once.

`report_features.data` is one JSON document per report: a dozen numbers
and the report's cross-report material (quotes, named figures), most of its
size. The population table keeps only the numbers, as one array per column
(SQLite extracts them, so the material is never decoded here); rows are
streamed from the database when a detector judges them, and material is read
per report, on demand, with a small cache.
"""
from __future__ import annotations

import json
from array import array
from collections import OrderedDict

# Every number models.features.features() stores (the population's columns).
NUMERIC = ("admin_growth", "benford_chi2", "benford_mad", "exec_rate", "hug_share", "n_amounts", "n_indicators",
           "project_exec_min", "sangong_per_staff", "satisfaction_mean", "satisfaction_min", "self_score")
_PATHS = ", ".join(f"'$.{c}'" for c in NUMERIC)
_PARSED = "FROM report_features f JOIN reports r ON r.id = f.report_id WHERE r.status = 'parsed'"


def _numbers(text: str | None) -> list:
    """The NUMERIC values of one row, from SQLite's json_extract over several paths."""
    if text is None:            # a document without the paths (not JSON-object data)
        return [None] * len(NUMERIC)
    return json.loads(text)


def population(conn):
    """The population table: report_id, year, level and the numeric features, one
    row per parsed report in report id order (a pandas DataFrame; a column only
    when some report has the feature, as when it was built from the rows)."""
    import numpy as np
    import pandas as pd

    ids, years, levels = array("q"), [], []
    cols = {c: array("d") for c in NUMERIC}
    seen = dict.fromkeys(NUMERIC, False)
    ints = dict.fromkeys(("n_amounts", "n_indicators"), True)
    interned: dict = {}
    nan = float("nan")
    sql = f"SELECT f.report_id, f.year, f.level, json_extract(f.data, {_PATHS}) {_PARSED} ORDER BY f.report_id"
    for rid, year, level, nums in conn.execute(sql):
        ids.append(rid)
        years.append(year)
        level = level or ""
        levels.append(interned.setdefault(level, level))
        for c, v in zip(NUMERIC, _numbers(nums)):
            if v is None:
                cols[c].append(nan)
                if c in ints:
                    ints[c] = False
            else:
                cols[c].append(float(v))
                seen[c] = True
    if not ids:
        return pd.DataFrame()
    data: dict = {}
    for c in NUMERIC:
        if not seen[c]:
            continue
        col = np.frombuffer(cols[c], dtype=np.float64)
        data[c] = col.astype(np.int64) if ints.get(c) else col
    data["report_id"] = np.frombuffer(ids, dtype=np.int64)
    data["year"] = (np.array(years, dtype=np.int64) if all(isinstance(y, int) for y in years)
                    else np.array([np.nan if y is None else y for y in years], dtype=np.float64))
    data["level"] = np.array(levels, dtype=object)
    return pd.DataFrame(data)


def _row(rid, issuer, year, level, nums) -> dict:
    """A row as the detectors read it: only the features the report has."""
    d = {c: v for c, v in zip(NUMERIC, _numbers(nums)) if v is not None}
    d.update(report_id=rid, issuer=issuer, year=year, level=level or "")
    return d


class RowSource:
    """Rows and material of stored reports, read from the database as needed."""

    def __init__(self, conn, cache: int = 4096):
        self.conn = conn
        self._cache: OrderedDict = OrderedDict()
        self._size = cache

    def rows(self, targets, lo: int, hi: int):
        """Rows of the reports in `targets` with ids in [lo, hi], in id order."""
        sql = (f"SELECT f.report_id, f.issuer, f.year, f.level, json_extract(f.data, {_PATHS}) {_PARSED}"
               f" AND f.report_id BETWEEN ? AND ? ORDER BY f.report_id")
        for r in self.conn.execute(sql, (lo, hi)):
            if r[0] in targets:
                yield _row(*r)

    def previous(self, row: dict) -> dict | None:
        """The parsed report of the same issuer a year before, when exactly one."""
        found = self.conn.execute(
            f"SELECT f.report_id, f.issuer, f.year, f.level, json_extract(f.data, {_PATHS}) {_PARSED}"
            f" AND f.issuer = ? AND f.year = ? ORDER BY f.report_id LIMIT 2",
            (row["issuer"], row["year"] - 1)).fetchall()
        return _row(*found[0]) if len(found) == 1 else None

    def issuer_year(self, report_id: int) -> tuple:
        r = self.conn.execute("SELECT issuer, year FROM report_features WHERE report_id = ?", (report_id,)).fetchone()
        return (r[0], r[1]) if r else ("", None)

    def material(self, report_id: int) -> dict:
        if report_id in self._cache:
            self._cache.move_to_end(report_id)
            return self._cache[report_id]
        r = self.conn.execute("SELECT json_extract(data, '$.material') FROM report_features WHERE report_id = ?",
                              (report_id,)).fetchone()
        m = json.loads(r[0]) if r and r[0] else {}
        self._cache[report_id] = m
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return m
