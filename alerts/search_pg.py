"""Full-text search over alerts on a PostgreSQL store: pg_trgm over `alert_text`.

The same design as SQLite's (alerts/search.py) in PostgreSQL's own terms:
`alert_text` holds, per alert, its title and its quotes (the alert_quotes
view's `quote`, in order, joined by newlines), kept in step with every writer
by a plpgsql trigger on `alerts` (insert; update of id, title or evidence;
delete). GIN trigram indexes (pg_trgm's gin_trgm_ops) on its title and
quotes serve `ILIKE '%words%'` for 3 characters or more; for fewer the
planner reads the narrow table.

ILIKE folds case beyond ASCII (under a UTF-8 locale), SQLite's LIKE only
ASCII: each candidate is checked again with ASCII folding alone
(`translate` of A-Z), so the ids are exactly SQLite's.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create
it. Where it cannot be created the log says so once and search stays the
LIKE over the alert_quotes view. Under the C locale pg_trgm takes Chinese
characters for separators: the index then finds no trigrams in Chinese words
and the search reads every row (still right; create the database with a
UTF-8 LC_CTYPE, e.g. C.UTF-8, for the index to serve it).

SQL here is PostgreSQL's own, sent on the psycopg connection underneath
(`conn.raw`), past the SQLite-to-PostgreSQL translation.
"""
from __future__ import annotations

import logging

log = logging.getLogger("audit_worker.search")

VERSION = "pg1"     # bump when what these objects hold changes: every database refills alert_text on open
META_KEY = "alert_search_version"

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_FOLD = str.maketrans(_UPPER, _LOWER)

TRIGGERS = ("alert_text_insert", "alert_text_update", "alert_text_delete")
INDEXES = ("alert_text_title_trgm", "alert_text_quotes_trgm")

_QUOTES = "(SELECT string_agg(q.quote, E'\\n' ORDER BY q.n) FROM alert_quotes q WHERE q.alert_id = {id})"
TABLE = "CREATE TABLE IF NOT EXISTS alert_text (alert_id BIGINT PRIMARY KEY, title TEXT, quotes TEXT)"
FUNCTION = f"""
CREATE OR REPLACE FUNCTION alert_text_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    DELETE FROM alert_text WHERE alert_id = OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO alert_text (alert_id, title, quotes) VALUES (NEW.id, NEW.title, {_QUOTES.format(id='NEW.id')});
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$"""
TRIGGER_DDL = {
    "alert_text_insert": "AFTER INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION alert_text_sync()",
    "alert_text_update": "AFTER UPDATE OF id, title, evidence ON alerts FOR EACH ROW"
    " WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.title IS DISTINCT FROM NEW.title"
    " OR OLD.evidence IS DISTINCT FROM NEW.evidence) EXECUTE FUNCTION alert_text_sync()",
    "alert_text_delete": "AFTER DELETE ON alerts FOR EACH ROW EXECUTE FUNCTION alert_text_sync()",
}
INDEX_DDL = {
    "alert_text_title_trgm": "CREATE INDEX IF NOT EXISTS alert_text_title_trgm ON alert_text"
    " USING gin (title gin_trgm_ops)",
    "alert_text_quotes_trgm": "CREATE INDEX IF NOT EXISTS alert_text_quotes_trgm ON alert_text"
    " USING gin (quotes gin_trgm_ops)",
}
REFILL = ("INSERT INTO alert_text (alert_id, title, quotes) SELECT a.id, a.title, q.quotes FROM alerts a"
          " LEFT JOIN (SELECT alert_id, string_agg(quote, E'\\n' ORDER BY n) AS quotes FROM alert_quotes"
          " GROUP BY alert_id) q ON q.alert_id = a.id")

# One look at the catalogue: the extension, the table, its indexes, the triggers on alerts.
_PRESENT = """
SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'),
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname = ANY(%(objects)s)),
       (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname = 'alerts' AND t.tgname = ANY(%(triggers)s))"""
_OBJECTS = ["alert_text", *INDEXES]

_said_no_trgm = False       # the log says once per process that pg_trgm is missing


def _present(raw) -> bool:
    ext, objs, trigs = raw.execute(_PRESENT, {"objects": _OBJECTS, "triggers": list(TRIGGERS)}).fetchone()
    return bool(ext) and objs == len(_OBJECTS) and trigs == len(TRIGGERS)


def available(conn) -> bool:
    """The trigram-indexed alert_text is there, with its triggers."""
    return _present(conn.raw)


def _trgm(raw) -> bool:
    """pg_trgm in this database: created when missing (a savepoint: a refusal leaves the
    opening transaction usable); False, said once in the log, when it cannot be."""
    global _said_no_trgm
    if raw.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
        return True
    raw.execute("SAVEPOINT aw_trgm")
    try:
        raw.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as e:          # psycopg's error: not installed, or no privilege
        raw.execute("ROLLBACK TO SAVEPOINT aw_trgm")
        if not _said_no_trgm:
            _said_no_trgm = True
            log.warning("search: the pg_trgm extension cannot be created (%s); full-text search reads the "
                        "alert_quotes view instead (slower): a superuser can run CREATE EXTENSION pg_trgm",
                        str(e).strip().splitlines()[0])
        return False
    raw.execute("RELEASE SAVEPOINT aw_trgm")
    return True


def ensure(conn) -> bool:
    """pg_trgm, alert_text, its indexes, the trigger function and triggers; alert_text refilled when
    new, stale or left without its triggers. Inside the caller's transaction, after the views.
    True when alert_text was (re)filled."""
    raw = conn.raw
    if not _trgm(raw):
        return False
    row = raw.execute("SELECT value FROM meta WHERE key = %s", (META_KEY,)).fetchone()
    if row is not None and row[0] == VERSION and _present(raw):
        return False
    raw.execute(TABLE)
    raw.execute(FUNCTION)
    for name in TRIGGERS:           # refilled as a whole: the row trigger would only slow it down
        raw.execute(f'DROP TRIGGER IF EXISTS "{name}" ON alerts')
    raw.execute("TRUNCATE alert_text")
    raw.execute(REFILL)
    raw.execute("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
                " SET value = excluded.value", (META_KEY, VERSION))
    for stmt in INDEX_DDL.values():
        raw.execute(stmt)
    for name, body in TRIGGER_DDL.items():
        raw.execute(f'CREATE TRIGGER "{name}" {body}')
    return True


def _ilike(text: str) -> str:
    """`%text%` with ILIKE's wildcards in `text` taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_MATCH = (f"SELECT alert_id FROM alert_text"
          f" WHERE (title ILIKE %(like)s ESCAPE '\\' OR quotes ILIKE %(like)s ESCAPE '\\')"
          f" AND (strpos(translate(title, '{_UPPER}', '{_LOWER}'), %(folded)s) > 0"
          f" OR strpos(translate(quotes, '{_UPPER}', '{_LOWER}'), %(folded)s) > 0)"
          f" ORDER BY alert_id")


# Without alert_text (no pg_trgm, or the caller asks): the title and each quote of the view.
_BY_VIEW = (f"SELECT a.id FROM alerts a WHERE (a.title ILIKE %(like)s ESCAPE '\\'"
            f" AND strpos(translate(a.title, '{_UPPER}', '{_LOWER}'), %(folded)s) > 0)"
            f" OR EXISTS (SELECT 1 FROM alert_quotes q WHERE q.alert_id = a.id AND q.quote ILIKE %(like)s ESCAPE '\\'"
            f" AND strpos(translate(q.quote, '{_UPPER}', '{_LOWER}'), %(folded)s) > 0) ORDER BY a.id")


def matching_ids(conn, words: str, use_index: bool = True) -> list[int]:
    """Ids of the alerts whose title or one of whose quotes contains `words`, ASCII case folded:
    through alert_text (the caller has checked `available`, and that `words` holds no control
    character, which could match across two quotes there), or else the view."""
    args = {"like": _ilike(words), "folded": words.translate(_FOLD)}
    return [r[0] for r in conn.raw.execute(_MATCH if use_index else _BY_VIEW, args)]
