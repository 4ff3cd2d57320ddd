"""The database itself: its schema version, upgrading it, copying it to another store."""
from __future__ import annotations

import sys

import click

from worker.cli.base import EXIT_NO_DATABASE, Ctx, _echo_text, main

EXIT_REFUSED = 1      # `db copy` would have merged into a database holding data: nothing written


@main.group("db")
def db():
    """The database: schema version, upgrade, copy to another store (SQLite ⇄ PostgreSQL)."""


_DB_HELP = "database: a path, sqlite:///…, or postgresql://user@host/dbname (default: --db, else [database] url)"


def _settings(obj: Ctx) -> tuple[str, float]:
    """The configured database and [storage] busy_timeout_s."""
    from worker import config as cfgmod

    try:
        cfg = cfgmod.load(obj.config_path)
    except cfgmod.ConfigError as e:
        click.echo("configuration error (nothing was run):\n" + str(e), err=True)
        sys.exit(2)
    return (obj.db_path or cfg.database_url), float(cfg.section("storage")["busy_timeout_s"])


def _target(value: str):
    from worker.db import target
    from worker.db.errors import DatabaseFault

    try:
        return target(value)
    except ValueError as e:
        raise DatabaseFault(str(e)) from None


def _version(where, timeout: float) -> int | None:
    from worker.db.version import Missing, stored_version

    try:
        return stored_version(where, timeout)
    except Missing as e:
        click.echo(f"audit-worker: no database at {e} (nothing was created)", err=True)
        sys.exit(EXIT_NO_DATABASE)


def _shown(v: int | None) -> str:
    return "none (no schema yet)" if v is None else str(v)


@db.command("version")
@click.option("--db", "db_opt", default=None, help=_DB_HELP)
@click.pass_obj
def db_version(obj: Ctx, db_opt):
    """The schema version the database holds, and this audit-worker's; nothing is changed.

    Exits 0 when they match, 1 when the database needs `db upgrade` (or was
    made by a newer audit-worker), 2 when an SQLite file does not exist."""
    from worker.storage import SCHEMA_VERSION

    url, timeout = _settings(obj)
    where = _target(db_opt or url)
    v = _version(where, timeout)
    state = ("up to date" if v == SCHEMA_VERSION else
             "made by a newer audit-worker: upgrade audit-worker" if v is not None and v > SCHEMA_VERSION else
             "run `audit-worker db upgrade`")
    _echo_text(f"{where}: schema {_shown(v)} (this audit-worker: {SCHEMA_VERSION}): {state}")
    sys.exit(0 if v == SCHEMA_VERSION else 1)


@db.command("upgrade")
@click.option("--db", "db_opt", default=None, help=_DB_HELP)
@click.pass_obj
def db_upgrade(obj: Ctx, db_opt):
    """Make or upgrade the schema (tables, columns, views, indexes) to this version's.

    What every command does on opening the database, run on its own (before
    starting the workers of a new version, or to make a new PostgreSQL
    database's tables). Prints the version before and after; an SQLite file
    that does not exist is created."""
    from worker.db.version import Missing, stored_version
    from worker.storage import Store

    url, timeout = _settings(obj)
    where = _target(db_opt or url)
    try:
        before = stored_version(where, timeout)
    except Missing:
        before = None
    Store(where.location, timeout=timeout).close()
    after = _version(where, timeout)
    change = "unchanged" if before == after else "upgraded"
    _echo_text(f"{where}: schema {_shown(before)} → {_shown(after)} ({change})")


@db.command("copy")
@click.option("--from", "source", default=None, help="the database to copy (default: --db, else [database] url)")
@click.option("--to", "dest", required=True, help="the database to fill: a new, empty one (its schema is made)")
@click.option("--force", is_flag=True, help="REPLACE everything a target that already holds data has")
@click.pass_obj
def db_copy(obj: Ctx, source, dest, force):
    """Copy every stored row to another database, e.g. an SQLite install to PostgreSQL.

    --from and --to take a path, sqlite:///… or postgresql://user@host/dbname
    (the password from AUDIT_WORKER_DB_PASSWORD). One transaction: ids kept,
    parents first, PostgreSQL's id sequences set past the copied ids, every
    table's row count compared before commit. A target that already holds
    data is refused (exit 1, nothing written) unless --force. Stop the
    workers writing to the source first: rows they add later are not copied."""
    from worker.db.copy import CopyRefused, copy
    from worker.storage import Store

    url, timeout = _settings(obj)
    src = _target(source or url)
    dst = _target(dest)
    if not src.is_postgres and (src.location == ":memory:" or not _is_file(src.location)):
        click.echo(f"audit-worker: no database at {src.location} to copy from (nothing was created)", err=True)
        sys.exit(EXIT_NO_DATABASE)
    from_store = Store(src.location, timeout=timeout)
    try:
        to_store = Store(dst.location, timeout=timeout)
        try:
            res = copy(from_store, to_store, force=force,
                       progress=lambda t: click.echo(f"  {t.table}: {t.target} rows", err=True))
        except CopyRefused as e:
            click.echo(f"audit-worker: {e}", err=True)
            sys.exit(EXIT_REFUSED)
        finally:
            to_store.close()
    finally:
        from_store.close()
    _echo_text(res.text())


def _is_file(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()
