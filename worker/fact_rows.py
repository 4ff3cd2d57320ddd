"""Facts as stored: every number once, in `numbers`; the rest of a fact in `facts`.

A fact's row keeps its kind, its name (the first of name / label / subject,
which the JSON then leaves out), its quote's offsets as columns (the quote is
the report text between them; its text goes into the JSON only when it is not)
and, in `data`, the JSON of its other fields. Each Num of the fact is one row
of `numbers`, keyed by the fact and the field it fills: `budget`, `candidates[1]`
(a list item), `parts[2][1]` (an item of a list of lists). The JSON keeps a
list's other items, with null where a Num stood (trailing Nums are dropped: the
rows say where they go). A number's printed text is stored only when it is not
the report text between its offsets.

`encode` runs in the parser process and returns plain tuples, cheap to pickle;
`save` inserts them with executemany; `load` rebuilds the same Fact objects.
Facts stored by schema 2 (numbers inside the JSON as {"n": [...]}) still load.

Schema 4 (`save`/`load`): a fact's row is keyed by (report_id, seq), WITHOUT
ROWID, so no fact id and no index beside it; its name and its JSON are ids
into `fact_strings`, where each distinct string is stored once (line-item
names, sections and roles repeat in every report). Numbers are keyed by
(report_id, seq, field). The `facts` view shows the rows with their text.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

from worker.facts import FACT_TYPES, Fact, ParsedReport, Quote, _dec, _enc, _field_names
from worker.numbers import Num

# Where a fact's name column comes from, first non-empty wins (Fact.display_name).
_NAME_ATTRS = ("name", "label", "subject")
NAME_MAX = 200

FACTS_INSERT = ("INSERT INTO fact_rows (report_id, seq, kind, name_id, quote_start, quote_end, data_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)")
NUMBERS_INSERT = ("INSERT INTO numbers (report_id, seq, field, value, unit, kind, precision, raw_if_differs,"
                  " raw_start, raw_end, scale, approx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


@dataclass
class FactRows:
    """A report's facts encoded for the `facts` and `numbers` tables, keyed
    by sequence number: computed by the parser process, so the process that
    writes the database only inserts."""

    facts: list = field(default_factory=list)      # (seq, kind, name, quote_start, quote_end, data)
    numbers: list = field(default_factory=list)    # (seq, field, value, unit, kind, precision, raw, start, end,
    #                                                  scale, approx); raw None: the text between start and end
    ledger: object = None                          # worker.ledger_store.LedgerRows


# json.dumps with options builds an encoder each call; one serves every fact.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_MISSING = object()
_DEFAULTS: dict[type, dict[str, Any]] = {}


def _defaults(cls: type) -> dict[str, Any]:
    """field name -> its default (_MISSING for a required field)."""
    d = _DEFAULTS.get(cls)
    if d is None:
        d = _DEFAULTS[cls] = {
            f.name: (f.default if f.default is not dataclasses.MISSING
                     else f.default_factory() if f.default_factory is not dataclasses.MISSING else _MISSING)
            for f in dataclasses.fields(cls)}
    return d


def _is_default(v: Any, default: Any) -> bool:
    # The type too: 0.0 is not left out for a default of 0 (it would come back an int).
    return default is not _MISSING and type(v) is type(default) and v == default


def _num_row(seq: int, path: str, n: Num, text: str | None) -> tuple:
    raw = None if text is not None and text[n.start:n.end] == n.raw else n.raw
    return (seq, path, n.value, n.unit, n.kind, n.precision, raw, n.start, n.end, n.scale, int(n.approx))


def _list(name: str, items: list | tuple, seq: int, text: str | None, out: list) -> list:
    """A list field's JSON with its Nums moved to rows (null where one stood,
    trailing ones dropped); one level of sub-lists likewise."""
    enc: list = []
    for i, item in enumerate(items):
        if isinstance(item, Num):
            out.append(_num_row(seq, f"{name}[{i}]", item, text))
            enc.append(_NUM_SLOT)
        elif isinstance(item, (list, tuple)):
            sub: list = []
            for j, x in enumerate(item):
                if isinstance(x, Num):
                    out.append(_num_row(seq, f"{name}[{i}][{j}]", x, text))
                    sub.append(_NUM_SLOT)
                else:
                    sub.append(_enc(x, text))
            enc.append(_trim(sub))
        else:
            enc.append(_enc(item, text))
    return _trim(enc)


class _Slot:
    """Where a Num stood in a list (null in the JSON)."""


_NUM_SLOT = _Slot()


def _trim(items: list) -> list:
    while items and items[-1] is _NUM_SLOT:
        items.pop()
    return [None if x is _NUM_SLOT else x for x in items]


def encode_fact(seq: int, f: Fact, text: str | None) -> tuple[tuple, list[tuple]]:
    """One fact's row for `facts` and its rows for `numbers`."""
    nums: list[tuple] = []
    names = _field_names(type(f))
    display = f.display_name[:NAME_MAX] if f.kind != "meta" else ""
    out: dict[str, Any] = {}
    qs = qe = None
    # The name column carries the first non-empty of name/label/subject; the
    # empty ones before it are written out so the reader knows which it is.
    name_attr = None
    if f.kind != "meta":
        for a in _NAME_ATTRS:
            if a in names:
                if getattr(f, a):
                    name_attr = a if getattr(f, a) == display else None
                    break
                out[a] = ""
        else:
            out.clear()                  # all empty: the column is '' and so are they
    defaults = _defaults(type(f))
    for a in names:
        if a == name_attr or a in out:
            continue
        v = getattr(f, a)
        if v is None:
            continue
        if type(v) is Num:               # the commonest value: no need to compare it with "" and []
            if not _is_default(v, defaults[a]):
                nums.append(_num_row(seq, a, v, text))
            continue
        if v == "" or v == [] or v is False or _is_default(v, defaults[a]):
            continue                     # defaults are restored on reading (as schema 2 did for empty values)
        if isinstance(v, Num):
            nums.append(_num_row(seq, a, v, text))
        elif a == "quote" and isinstance(v, Quote):
            qs, qe = v.start, v.end
            if text is None or text[v.start:v.end] != v.text:
                out[a] = v.text
        elif isinstance(v, (list, tuple)):
            enc = _list(a, v, seq, text, nums)
            if enc:
                out[a] = enc
        else:
            out[a] = _enc(v, text)
    data = _JSON.encode(out) if out else None
    return (seq, f.kind, display, qs, qe, data), nums


def encode_facts(parsed: ParsedReport) -> FactRows:
    rows = FactRows()
    for seq, f in enumerate([parsed.meta] + list(parsed.facts)):
        frow, nums = encode_fact(seq, f, parsed.text)
        rows.facts.append(frow)
        rows.numbers.extend(nums)
    return rows


_PATH = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\[(\d+)\])?$")


def _put(lst: list, i: int, v: Any) -> None:
    while len(lst) <= i:
        lst.append(None)
    lst[i] = v


def decode_fact(kind: str, name: str | None, qs: int | None, qe: int | None, data: str | None,
                nums: Iterable[tuple], text: str | None) -> Fact:
    """The Fact of a `facts` row and its `numbers` rows
    (field, value, unit, kind, precision, raw, raw_start, raw_end, scale, approx)."""
    cls = FACT_TYPES[kind]
    d = json.loads(data) if data else {}
    if d and any(isinstance(v, (dict, list)) for v in d.values()):
        d = {k: _dec(v, text) for k, v in d.items()}      # schema 2 rows and nested values
    names = _field_names(cls)
    if kind != "meta":
        for a in _NAME_ATTRS:
            if a in names:
                if a not in d:
                    d[a] = name or ""
                    break
                if d[a]:
                    break
    if qs is not None and "quote" in names:
        q = d.get("quote")
        if isinstance(q, Quote):
            pass                          # schema 2: the quote was in the JSON
        else:
            d["quote"] = Quote(q if isinstance(q, str) else (text[qs:qe] if text is not None else ""), qs, qe)
    for fld, value, unit, nkind, precision, raw, start, end, scale, approx in nums:
        if raw is None:
            raw = text[start:end] if text is not None else ""
        n = Num(value, unit, nkind, precision, raw, start, end, scale, bool(approx))
        m = _PATH.match(fld)
        if m is None:
            continue
        a, i, j = m.group(1), m.group(2), m.group(3)
        if i is None:
            d[a] = n
        elif j is None:
            _put(d.setdefault(a, []), int(i), n)
        else:
            outer = d.setdefault(a, [])
            while len(outer) <= int(i):
                outer.append([])
            _put(outer[int(i)], int(j), n)
    return cls(**{k: v for k, v in d.items() if k in names})


def string_hash(value: str) -> int:
    """A string's key in `fact_strings`.hash: 64 bits of BLAKE2b, signed (an SQLite integer)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True)


def intern(conn: sqlite3.Connection, values: Iterable[str]) -> dict[str, int]:
    """Each string's id in `fact_strings`, added when new (inside the caller's
    transaction). Looked up by hash, then compared: two strings with one hash
    are two rows."""
    by_hash: dict[int, list[str]] = {}
    for v in set(values):
        by_hash.setdefault(string_hash(v), []).append(v)
    ids: dict[str, int] = {}
    hashes = list(by_hash)
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        for sid, h, v in conn.execute(f"SELECT id, hash, value FROM fact_strings WHERE hash IN"
                                      f" ({','.join('?' * len(chunk))})", chunk):
            if v in by_hash[h]:
                ids[v] = sid
    new = [(h, v) for h, vs in by_hash.items() for v in vs if v not in ids]
    # Many rows per statement: one round trip per 200 strings on a server, not one per string.
    for i in range(0, len(new), 200):
        chunk = new[i:i + 200]
        for sid, v in conn.execute("INSERT INTO fact_strings (hash, value) VALUES "
                                   + ", ".join("(?, ?)" for _ in chunk) + " RETURNING id, value",
                                   [x for pair in chunk for x in pair]).fetchall():
            ids[v] = sid
    return ids


def load(conn: sqlite3.Connection, report_id: int, text: str | None,
         kinds: tuple[str, ...] | None = None) -> list[Fact]:
    """A report's facts in order (those of `kinds` only, when given)."""
    where, args = "f.report_id = ?", [report_id]
    if kinds:
        where += f" AND f.kind IN ({','.join('?' for _ in kinds)})"
        args += list(kinds)
    by_fact: dict[int, list] = {}
    for seq, *rest in conn.execute(
            "SELECT n.seq, n.field, n.value, n.unit, n.kind, n.precision, n.raw_if_differs, n.raw_start, n.raw_end,"
            f" n.scale, n.approx FROM fact_rows f JOIN numbers n ON n.report_id = f.report_id AND n.seq = f.seq"
            f" WHERE {where}", args):
        by_fact.setdefault(seq, []).append(rest)
    return [decode_fact(kind, name, qs, qe, data, by_fact.get(seq, ()), text)
            for seq, kind, name, qs, qe, data in conn.execute(
                "SELECT f.seq, f.kind, n.value, f.quote_start, f.quote_end, d.value FROM fact_rows f"
                " LEFT JOIN fact_strings n ON n.id = f.name_id LEFT JOIN fact_strings d ON d.id = f.data_id"
                f" WHERE {where} ORDER BY f.seq", args)]


def delete(conn: sqlite3.Connection, report_id: int) -> None:
    conn.execute("DELETE FROM numbers WHERE report_id = ?", (report_id,))
    conn.execute("DELETE FROM fact_rows WHERE report_id = ?", (report_id,))


def save(conn: sqlite3.Connection, report_id: int, rows: FactRows) -> None:
    """Replace a report's facts with `rows` (inside the caller's transaction).
    Strings left unused by the facts replaced stay in `fact_strings` (a later
    report is likely to use them again)."""
    delete(conn, report_id)
    ids = intern(conn, [s for r in rows.facts for s in (r[2], r[5]) if s])
    conn.executemany(FACTS_INSERT, [(report_id, seq, kind, ids.get(name), qs, qe, ids.get(data))
                                    for seq, kind, name, qs, qe, data in rows.facts])
    conn.executemany(NUMBERS_INSERT, [(report_id, *r) for r in rows.numbers])
