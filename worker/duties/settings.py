"""[disclosure] and [[expected]] (or the CSV they name), read into dataclasses
and checked, each problem naming its key or CSV line.

An expected department: its name, aliases, optional source and region, the
report types it owes per fiscal year (`years` × `types`), and an optional
deadline ("MM-DD" of the year after the fiscal year, "YYYY-MM-DD" for one
year, or a table of years → "YYYY-MM-DD").
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPORT_TYPES = ("部门决算", "单位决算", "绩效自评", "部门预算", "单位预算")
DEFAULT_TYPES = ("部门决算",)
_MMDD = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_YMD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_ENTRY_KEYS = ("name", "aliases", "source", "region", "years", "types", "deadline")
CSV_COLUMNS = ("name", "aliases", "source", "year", "types", "deadline")


@dataclass
class Expected:
    name: str
    aliases: list[str] = field(default_factory=list)
    source: str = ""
    region: str = ""
    years: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=lambda: list(DEFAULT_TYPES))
    deadline: str | dict = ""          # "MM-DD", "YYYY-MM-DD" or {year: "YYYY-MM-DD"}
    origin: str = ""                   # where it was declared: expected[0], file.csv:12

    def deadline_for(self, year: int) -> date | None:
        return fixed_deadline(self.deadline.get(str(year), "") if isinstance(self.deadline, dict)
                              else self.deadline, year)


@dataclass
class Disclosure:
    publish_within_days: int = 20
    deadline: str = ""
    grace_days: int = 0
    deadlines: dict[str, str] = field(default_factory=dict)
    expected_csv: str = ""


def fixed_deadline(text: str, year: int) -> date | None:
    """"09-30" → 30 September of the year after fiscal `year`; "2025-09-30" → that day; "" → None."""
    t = (text or "").strip()
    if not t:
        return None
    if _YMD.fullmatch(t):
        return date.fromisoformat(t)
    if _MMDD.fullmatch(t):
        m, d = int(t[:2]), int(t[3:])
        try:
            return date(year + 1, m, d)
        except ValueError:           # 02-29 in a common year
            return date(year + 1, m, 28)
    return None


def _date_problem(where: str, value, *, ymd_ok: bool = True) -> str | None:
    if not isinstance(value, str):
        return f"{where}: expected a date as a string, got {type(value).__name__} {value!r}"
    v = value.strip()
    if not v or (_MMDD.fullmatch(v) and _valid_mmdd(v)) or (ymd_ok and _YMD.fullmatch(v) and _valid_ymd(v)):
        return None
    if _MMDD.fullmatch(v) or (ymd_ok and _YMD.fullmatch(v)):
        return f"{where}: {value!r} is not a day of the calendar"
    forms = '"MM-DD" (e.g. "09-30") or "YYYY-MM-DD"' if ymd_ok else '"MM-DD" (e.g. "09-30")'
    return f"{where}: expected {forms}, got {value!r}"


def _valid_mmdd(v: str) -> bool:
    """"02-29" is a day (of leap years: `fixed_deadline` takes 28 February otherwise); "02-30" is not."""
    return _valid_ymd(f"2000-{v}")


def _valid_ymd(v: str) -> bool:
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def check_disclosure(sec, problems: list[str]) -> None:
    """[disclosure]: the scalar keys are checked by the schema; its deadlines table here."""
    if not isinstance(sec, dict):
        return
    dl = sec.get("deadline")
    if isinstance(dl, str):
        p = _date_problem("disclosure.deadline", dl, ymd_ok=False)
        if p:
            problems.append(p)
    table = sec.get("deadlines")
    if table is None:
        return
    if not isinstance(table, dict):
        problems.append("disclosure.deadlines: expected a table of region or source name = \"MM-DD\"")
        return
    for k, v in table.items():
        p = _date_problem(f"disclosure.deadlines.{k}", v, ymd_ok=False)
        if p:
            problems.append(p)


def _str_list(where: str, v, problems: list[str]) -> list[str]:
    if isinstance(v, str):
        return [x.strip() for x in re.split(r"[;|；]", v) if x.strip()]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        problems.append(f"{where}: expected a list of strings, got {v!r}")
        return []
    return [x.strip() for x in v if x.strip()]


def _years(where: str, v, problems: list[str]) -> list[int]:
    items = v if isinstance(v, list) else [v]
    out = []
    for y in items:
        if isinstance(y, str) and y.strip().isdigit():
            y = int(y.strip())
        if isinstance(y, bool) or not isinstance(y, int) or not 1990 <= y <= 2100:
            problems.append(f"{where}: expected fiscal years such as 2024, got {v!r}")
            return []
        out.append(y)
    return out


def _types(where: str, v, problems: list[str]) -> list[str]:
    types = _str_list(where, v, problems)
    for t in types:
        if t not in REPORT_TYPES:
            problems.append(f"{where}: unknown report type {t!r} (known: {', '.join(REPORT_TYPES)})")
            return []
    return types


def entry(where: str, item, problems: list[str], sources: set[str] | None = None) -> Expected | None:
    """One [[expected]] table (or CSV row as a dict), checked; None when unusable."""
    if not isinstance(item, dict):
        problems.append(f"{where}: expected a table")
        return None
    before = len(problems)
    for k in item:
        if k not in _ENTRY_KEYS:
            problems.append(f"{where}.{k}: unknown key (known: {', '.join(_ENTRY_KEYS)})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: required (the department's name)")
    for key in ("source", "region"):
        if not isinstance(item.get(key, ""), str):
            problems.append(f"{where}.{key}: expected a string")
    src = item.get("source", "")
    if isinstance(src, str) and src and sources is not None and src not in sources:
        problems.append(f"{where}.source: no source named {src!r} (configured: {', '.join(sorted(sources)) or 'none'})")
    aliases = _str_list(f"{where}.aliases", item.get("aliases", []), problems)
    if "years" not in item:
        problems.append(f"{where}.years: required (the fiscal years whose reports are owed, e.g. [2024])")
        years = []
    else:
        years = _years(f"{where}.years", item["years"], problems)
    types = _types(f"{where}.types", item.get("types", list(DEFAULT_TYPES)), problems) or list(DEFAULT_TYPES)
    dl = item.get("deadline", "")
    if isinstance(dl, dict):
        for y, v in dl.items():
            if not str(y).isdigit():
                problems.append(f"{where}.deadline.{y}: expected a fiscal year as the key")
            elif (p := _date_problem(f"{where}.deadline.{y}", v)):
                problems.append(p)
        dl = {str(y): v for y, v in dl.items()}
    elif (p := _date_problem(f"{where}.deadline", dl)):
        problems.append(p)
    if len(problems) > before:
        return None
    return Expected(name=name.strip(), aliases=aliases, source=src or "", region=(item.get("region") or "").strip(),
                    years=years, types=types, deadline=dl, origin=where)


CSV_MAX_BYTES = 20_000_000     # an expected-publishers list of every department of a province is far smaller
CSV_MAX_FIELD = 2_000          # characters of one cell: a name, its aliases, a deadline


def _decode(path: Path, problems: list[str]) -> str | None:
    """The CSV's text: UTF-8 (with or without a BOM), else GB18030 (what Excel saves on a
    Chinese Windows); too large or unreadable is one problem."""
    try:
        size = path.stat().st_size
        if size > CSV_MAX_BYTES:
            problems.append(f"disclosure.expected_csv: {path} is {size:,} bytes, more than {CSV_MAX_BYTES:,}: "
                            "not an expected-publishers list")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"disclosure.expected_csv: file not found: {path}")
        return None
    except OSError as e:
        problems.append(f"disclosure.expected_csv: cannot read {path}: {e.strerror or e}")
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    problems.append(f"disclosure.expected_csv: {path} is neither UTF-8 nor GBK/GB18030 text")
    return None


def read_csv(path: Path, problems: list[str], sources: set[str] | None = None) -> list[Expected]:
    """The expected-publishers CSV: one row per department and fiscal year; a bad
    row is one problem naming its line."""
    text = _decode(path, problems)
    if text is None:
        return []
    rows = csv.reader(text.splitlines())
    try:
        header = [h.strip().lower() for h in next(rows, [])]
    except csv.Error as e:
        problems.append(f"{path}:1: not a CSV header ({e})")
        return []
    missing = [c for c in ("name", "year") if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        problems.append(f"{path}:1: the header must name the columns {', '.join(CSV_COLUMNS)} "
                        f"(name and year required){'; unknown: ' + ', '.join(_short(u) for u in unknown) if unknown else ''}")
        return []
    out = []
    n = 1
    while True:
        n += 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as e:          # a cell longer than the csv module's limit
            problems.append(f"{path}:{n}: not a CSV row ({e})")
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.append(f"{path}:{n}: {len(row)} fields, the header has {len(header)}")
            continue
        if (long := next((h for h, c in zip(header, row) if len(c) > CSV_MAX_FIELD), None)) is not None:
            problems.append(f"{path}:{n}: the {long} cell is longer than {CSV_MAX_FIELD} characters")
            continue
        cells = {h: c.strip() for h, c in zip(header, row)}
        item = {"name": cells.get("name", ""), "years": cells.get("year", ""),
                **{k: cells[k] for k in ("aliases", "source", "deadline") if cells.get(k)}}
        if cells.get("types"):
            item["types"] = cells["types"]
        sub: list[str] = []
        e = entry("row", item, sub, sources)
        problems.extend(f"{path}:{n}: {p.removeprefix('row.')}" for p in sub)
        if e is not None:
            e.origin = f"{path.name}:{n}"
            out.append(e)
    return out


def _short(v: str, n: int = 60) -> str:
    return repr(v if len(v) <= n else v[:n] + "…")


def duplicates(entries: list[Expected]) -> list[str]:
    """A department owed twice (same source, name after normalization, year and type):
    one problem naming both places."""
    from worker.duties.names import normalize

    seen: dict[tuple, str] = {}
    out = []
    for e in entries:
        for y in e.years:
            for t in e.types:
                k = (e.source, normalize(e.name), y, t)
                if k in seen and seen[k] != e.origin:
                    out.append(f"{e.origin}: {e.name} {y} {t} is already expected at {seen[k]}")
                seen.setdefault(k, e.origin)
    return out


def check_config(data: dict, problems: list[str]) -> None:
    """[disclosure] deadlines and every [[expected]] entry (the CSV is read by `load`)."""
    check_disclosure(data.get("disclosure"), problems)
    items = data.get("expected")
    if items is None:
        return
    if not isinstance(items, list):
        problems.append("[[expected]]: expected an array of tables ([[expected]] blocks)")
        return
    sources = {s.get("name") for s in data.get("sources", []) or [] if isinstance(s, dict)}
    for i, item in enumerate(items):
        entry(f"expected[{i}]", item, problems, sources)


def disclosure(cfg) -> Disclosure:
    sec = cfg.section("disclosure")
    return Disclosure(publish_within_days=sec["publish_within_days"], deadline=sec["deadline"],
                      grace_days=sec["grace_days"], deadlines=dict(sec.get("deadlines") or {}),
                      expected_csv=sec["expected_csv"])


def expected(cfg, problems: list[str] | None = None) -> list[Expected]:
    """Every expected department: the [[expected]] entries, then the CSV's rows."""
    probs: list[str] = [] if problems is None else problems
    sources = {s["name"] for s in cfg.sources}
    out = [e for i, item in enumerate(cfg.data.get("expected", []) or [])
           if (e := entry(f"expected[{i}]", item, probs, sources)) is not None]
    path = disclosure(cfg).expected_csv
    if path:
        out += read_csv(cfg.resolve(path), probs, sources)
    return out


def check_csv(cfg) -> list[str]:
    """The CSV named by [disclosure] expected_csv, read once at load (each bad row named by its line),
    and any department owed twice across [[expected]] and the CSV."""
    path = (cfg.data.get("disclosure") or {}).get("expected_csv") or ""
    if not cfg.data.get("expected") and (not isinstance(path, str) or not path):
        return []
    problems: list[str] = []
    entries = expected(cfg, problems)
    return problems + duplicates(entries)
