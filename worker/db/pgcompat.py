"""SQLite's functions, defined in a PostgreSQL database so the queries keep one SQL.

Each does what SQLite's does for the arguments the queries pass: json_extract
on a '$.a.b' path (text out, numbers as text; a JSON array or object as its
JSON; several paths: a JSON array of their values), json_each over an array or object (key, value), group_concat with an
optional separator, total (a float sum, 0.0 over no rows), instr, strftime for
'now' and a stored timestamp, two-argument max/min (GREATEST/LEAST), sum over
a comparison (true counts 1), and a `sqlite_master` view of the
tables, views and indexes. Created (or replaced) by every schema check.
"""
from __future__ import annotations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(j) WHEN 'string' THEN j #>> '{}' WHEN 'null' THEN NULL
                              WHEN 'boolean' THEN CASE WHEN j = 'true'::jsonb THEN '1' ELSE '0' END
                              ELSE j::text END
  FROM (SELECT CASE WHEN path = '$' THEN doc::jsonb
                    ELSE doc::jsonb #> string_to_array(regexp_replace(substr(path, 3), '\[(\d+)\]', '.\1', 'g'), '.')
               END AS j) x
$$;
CREATE OR REPLACE FUNCTION json_extract(doc text, VARIADIC paths text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(jsonb_agg(CASE WHEN p.path = '$' THEN doc::jsonb
                                 ELSE doc::jsonb #> string_to_array(regexp_replace(substr(p.path, 3),
                                                                    '\[(\d+)\]', '.\1', 'g'), '.') END
                            ORDER BY p.i), '[]'::jsonb)::text
    FROM unnest(paths) WITH ORDINALITY AS p(path, i)
$$;
CREATE OR REPLACE FUNCTION json_valid(doc text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM doc::jsonb;
  RETURN doc IS NOT NULL;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;
CREATE OR REPLACE FUNCTION _json_type(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(j) WHEN 'number' THEN CASE WHEN j::text ~ '^-?\d+$' THEN 'integer' ELSE 'real' END
                              WHEN 'boolean' THEN j::text ELSE jsonb_typeof(j) END
$$;
CREATE OR REPLACE FUNCTION json_each(doc text, path text DEFAULT '$')
RETURNS TABLE(key text, value text, type text)
LANGUAGE sql IMMUTABLE AS $$
  WITH d AS (SELECT CASE WHEN path = '$' THEN doc::jsonb
                         ELSE doc::jsonb #> string_to_array(substr(path, 3), '.') END AS j)
  SELECT (e.ord - 1)::text, CASE jsonb_typeof(e.v) WHEN 'string' THEN e.v #>> '{}' ELSE e.v::text END,
         _json_type(e.v)
    FROM d, jsonb_array_elements(CASE WHEN jsonb_typeof(d.j) = 'array' THEN d.j ELSE '[]'::jsonb END)
            WITH ORDINALITY AS e(v, ord)
  UNION ALL
  SELECT o.key, CASE jsonb_typeof(o.value) WHEN 'string' THEN o.value #>> '{}' ELSE o.value::text END,
         _json_type(o.value)
    FROM d, jsonb_each(CASE WHEN jsonb_typeof(d.j) = 'object' THEN d.j ELSE '{}'::jsonb END) AS o
  UNION ALL
  SELECT NULL, CASE jsonb_typeof(d.j) WHEN 'string' THEN d.j #>> '{}' ELSE d.j::text END, _json_type(d.j)
    FROM d WHERE jsonb_typeof(d.j) NOT IN ('array', 'object')
$$;
CREATE OR REPLACE FUNCTION round(x double precision, n integer) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, n)::double precision $$;
CREATE OR REPLACE FUNCTION substr(s text, start bigint, len bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT substr(s, start::integer, len::integer) $$;
CREATE OR REPLACE FUNCTION _gc_step(acc text, v text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || sep || v END
$$;
CREATE OR REPLACE FUNCTION _gc_step(acc text, v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT _gc_step(acc, v, ',') $$;
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = _gc_step, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = _gc_step, STYPE = text);
CREATE OR REPLACE FUNCTION _total_step(acc double precision, v double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT acc + COALESCE(v, 0) $$;
CREATE OR REPLACE AGGREGATE total(double precision) (SFUNC = _total_step, STYPE = double precision, INITCOND = '0');
CREATE OR REPLACE FUNCTION _bsum_step(acc bigint, v boolean) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v IS NULL THEN acc ELSE COALESCE(acc, 0) + v::int END $$;
CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = _bsum_step, STYPE = bigint);
CREATE OR REPLACE FUNCTION instr(hay text, needle text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(hay, needle) $$;
CREATE OR REPLACE FUNCTION max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE GREATEST(a, b) END $$;
CREATE OR REPLACE FUNCTION min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE LEAST(a, b) END $$;
CREATE OR REPLACE FUNCTION strftime(fmt text, at text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT to_char(CASE WHEN at = 'now' THEN now() ELSE at::timestamptz END AT TIME ZONE 'UTC',
                 replace(replace(replace(replace(replace(replace(replace(fmt,
                   '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS'), 'T', '"T"'))
$$;
CREATE OR REPLACE VIEW sqlite_master AS
  SELECT 'table'::text AS type, c.relname::text AS name, c.relname::text AS tbl_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> 'sqlite_master'
  UNION ALL
  SELECT 'view', c.relname::text, c.relname::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema() AND c.relkind = 'v' AND c.relname <> 'sqlite_master'
  UNION ALL
  SELECT 'index', i.indexname::text, i.tablename::text FROM pg_indexes i WHERE i.schemaname = current_schema();
"""


def install(conn) -> None:
    """Define the functions (a PgConnection, in the caller's transaction; the text is
    PostgreSQL's own, so it skips the translation)."""
    conn.raw.execute(FUNCTIONS)
