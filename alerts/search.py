"""Full-text search over alerts (their titles and quotes), and the indexes the web inbox reads.

`alert_text` holds, per alert, its title and its quotes (the `quote` column of
the alert_quotes view, joined by newlines); `alert_search` is an FTS5 index
of it with the trigram tokenizer (Chinese has no spaces between words, so
any 3 characters are a token). Triggers on `alerts` keep `alert_text` in step
with every writer (the engine, operator alerts, migrations, a person with
sqlite3), and triggers on `alert_text` keep the index in step with it.

A search is a substring search, as the LIKE over titles and quotes it
replaces: the trigrams of the words find candidates (a superset: the index
folds case beyond ASCII and ignores where the trigrams stand), and LIKE over
`alert_text` keeps exactly the alerts whose title or one of whose quotes
contains the words. Words under 3 characters have no trigram: they are
matched with LIKE over `alert_text` alone (a scan of one narrow table).

A database made before these objects gets them on open (`ensure`, inside the
opening transaction), filled from the alerts it holds; so does one whose
triggers were lost (a table rebuilt by a migration). Without FTS5 in the
SQLite library, search falls back to LIKE over the alert_quotes view.

On a PostgreSQL store the same entry points use pg_trgm over a table of the
same name (alerts/search_pg.py); the inbox's indexes are common to both.
"""
from __future__ import annotations

import json
import sqlite3

from alerts import search_pg

VERSION = "1"       # bump when what alert_text holds changes: every database refills it on open
META_KEY = "alert_search_version"

# The inbox: most severe, then newest (worker/web/queries.ORDER); with the
# filter columns in the index, pages and counts read no table row.
SEVERITY_RANK = "CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS alerts_inbox_order ON alerts(({SEVERITY_RANK}), id, kind, rule, severity,"
    f" status, report_id)",
    "CREATE INDEX IF NOT EXISTS alerts_inbox_facets ON alerts(kind, rule, severity, status, report_id)",
    "CREATE INDEX IF NOT EXISTS alerts_inbox_reports ON alerts(report_id, kind, rule, severity, status)",
)

# The quotes in their order (a subquery's order is the order group_concat sees them in).
_QUOTES = ("(SELECT group_concat(x.quote, '\n') FROM (SELECT q.quote FROM alert_quotes q"
           " WHERE q.alert_id = {id} ORDER BY q.n) x)")
TABLES = (
    "CREATE TABLE IF NOT EXISTS alert_text (alert_id INTEGER PRIMARY KEY, title TEXT, quotes TEXT)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS alert_search USING fts5(title, quotes, content='alert_text',"
    " content_rowid='alert_id', tokenize='trigram', detail='none', columnsize=0)",
)
TRIGGERS = {
    "alert_text_insert": "AFTER INSERT ON alerts BEGIN"
    f" INSERT INTO alert_text (alert_id, title, quotes) VALUES (new.id, new.title, {_QUOTES.format(id='new.id')});"
    " END",
    "alert_text_update": "AFTER UPDATE OF id, title, evidence ON alerts"
    " WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.evidence IS NOT new.evidence BEGIN"
    " DELETE FROM alert_text WHERE alert_id = old.id;"
    f" INSERT INTO alert_text (alert_id, title, quotes) VALUES (new.id, new.title, {_QUOTES.format(id='new.id')});"
    " END",
    "alert_text_delete": "AFTER DELETE ON alerts BEGIN DELETE FROM alert_text WHERE alert_id = old.id; END",
    "alert_search_insert": "AFTER INSERT ON alert_text BEGIN"
    " INSERT INTO alert_search (rowid, title, quotes) VALUES (new.alert_id, new.title, new.quotes); END",
    "alert_search_delete": "AFTER DELETE ON alert_text BEGIN"
    " INSERT INTO alert_search (alert_search, rowid, title, quotes)"
    " VALUES ('delete', old.alert_id, old.title, old.quotes); END",
}
OBJECTS = ("alert_text", "alert_search", *TRIGGERS)


def _names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def _pg(conn) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


def available(conn: sqlite3.Connection) -> bool:
    """The search index is there (and so are its triggers)."""
    if _pg(conn):
        return search_pg.available(conn)
    return set(OBJECTS) <= _names(conn)


def ensure(conn: sqlite3.Connection) -> bool:
    """Indexes, text table, FTS index and triggers; fill the text table when it
    is new, stale or was left without its triggers. Runs inside the caller's
    transaction, after the views. True when the search index was (re)filled."""
    for stmt in INDEXES:
        conn.execute(stmt)
    if _pg(conn):
        return search_pg.ensure(conn)       # pg_trgm over alert_text (alerts/search_pg.py)
    names = _names(conn)
    try:
        for stmt in TABLES:
            conn.execute(stmt)
    except sqlite3.OperationalError:        # no FTS5 (or no trigram: SQLite < 3.34): LIKE it is
        conn.execute("DROP TABLE IF EXISTS alert_text")
        return False
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    fresh = row is not None and row[0] == VERSION and set(OBJECTS) <= names
    if not fresh:
        for name in TRIGGERS:               # refilled as a whole: the row triggers would only slow it down
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        conn.execute("DELETE FROM alert_text")
        conn.execute("INSERT INTO alert_text (alert_id, title, quotes) SELECT a.id, a.title, q.quotes FROM alerts a"
                     " LEFT JOIN (SELECT alert_id, group_concat(quote, '\n') AS quotes FROM (SELECT alert_id, quote"
                     " FROM alert_quotes ORDER BY alert_id, n) GROUP BY alert_id) q ON q.alert_id = a.id")
        conn.execute("INSERT INTO alert_search (alert_search) VALUES ('rebuild')")
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (META_KEY, VERSION))
    for name, body in TRIGGERS.items():
        conn.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}')
    return not fresh


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_query(words: str) -> str:
    """The FTS5 query for a substring of 3 characters or more: all its trigrams."""
    grams = dict.fromkeys(words[i:i + 3] for i in range(len(words) - 2))
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


# The search as it was specified: LIKE over the title and over each quote of the view.
_BY_VIEW = ("SELECT a.id FROM alerts a WHERE a.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM alert_quotes q"
            " WHERE q.alert_id = a.id AND q.quote LIKE ? ESCAPE '\\')")
_LIKE = "(title LIKE ? ESCAPE '\\' OR quotes LIKE ? ESCAPE '\\')"


def matching_ids(conn: sqlite3.Connection, words: str, use_index: bool = True) -> list[int]:
    """Ids of the alerts whose title or one of whose quotes contains `words` (LIKE: ASCII case folded)."""
    like = like_pattern(words)
    # A newline could join two quotes in alert_text; control characters are no FTS5 query text.
    indexed = use_index and available(conn) and not any(ord(ch) < 32 for ch in words)
    if _pg(conn):
        return search_pg.matching_ids(conn, words, use_index=indexed)
    if not indexed:
        return [r[0] for r in conn.execute(_BY_VIEW, (like, like))]
    if len(words) < 3:
        if any(ch.isascii() and ch.isalpha() for ch in words):
            return [r[0] for r in conn.execute(f"SELECT alert_id FROM alert_text WHERE {_LIKE}", (like, like))]
        # Without ASCII letters LIKE folds no case: it is instr, which is quicker.
        return [r[0] for r in conn.execute("SELECT alert_id FROM alert_text WHERE instr(title, ?) > 0"
                                           " OR instr(quotes, ?) > 0", (words, words))]
    return [r[0] for r in conn.execute(f"SELECT rowid FROM alert_search WHERE alert_search MATCH ? AND {_LIKE}",
                                       (fts_query(words), like, like))]


def as_json(ids: list[int]) -> str:
    return json.dumps(ids)
