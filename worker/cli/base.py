"""The command group, its context and the database-fault handler shared by every command."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from worker.app import App

EXIT_DATABASE = 4     # the database is corrupt, full or locked: one line on stderr, no traceback
EXIT_NO_DATABASE = 2  # a command that reads found no database file: one line on stderr

# Commands that only read the database: on a missing file they stop with one
# line instead of creating an empty database (and printing "0 alerts" from it).
# Every other command that opens the database creates it, as a first run must.
READS_DATABASE = {
    ("alerts", "list"), ("alerts", "show"), ("alerts", "export"),
    ("reports", "list"), ("reports", "show"), ("status",), ("silence", "list"), ("sources", "list"),
    ("serve",), ("users", "list"), ("coverage",),
}
# Commands that read only the configuration: they get an in-memory database,
# so no file is created next to a config someone is only checking.
NO_DATABASE = {("rules", "test"), ("taxonomy",), ("channels", "test")}
# Commands that read the database when its file exists (`rules list` adds the
# verdicts per rule) and otherwise run in memory: they never create one.
OPTIONAL_DATABASE = {("rules", "list")}


class Main(click.Group):
    """The command group: a database fault ends any command with one clear line."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        from worker.storage import DatabaseFault, describe_error

        try:
            return super().invoke(ctx)
        except (DatabaseFault, sqlite3.Error) as e:
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            store = obj._app.store if obj is not None and obj._app is not None else None
            line = str(e) if isinstance(e, DatabaseFault) else \
                describe_error(e, store.path if store else "(database)", store.timeout if store else None)
            if store is not None:
                store.fail_open_runs(line)      # the run is recorded as failed, not left "running"
            click.echo(f"audit-worker: {line}", err=True)
            ctx.exit(EXIT_DATABASE)


def _echo_text(text: str) -> None:
    """Print a summary that quotes file names and reasons: as text, never as terminal controls."""
    from worker.safe_text import clean

    click.echo(clean(text))


class Ctx:
    def __init__(self, config_path: str | None, db_path: str | None, log_level=None, log_format=None,
                 lang: str = "zh"):
        self.config_path = config_path
        self.lang = lang              # labels of the terminal views and the export headers (worker/labels.py)
        self.db_path = db_path
        self.log_level = log_level
        self.log_format = log_format
        self._app = None

    @property
    def app(self) -> "App":
        """The App for the running command, its database opened as the command needs."""
        return self.open_app(_database_use(_command_path()))

    def open_app(self, use: str = "create") -> "App":
        """`use`: "create" (a command that writes), "existing" (it only reads:
        a missing file ends it, exit 2), "optional" (the file if it exists, else
        in memory), "none" (configuration only)."""
        if self._app is None:
            # Imported here, not at the top: `--help` and the commands that never
            # open the database start without the library (issue 16: fast start).
            from worker import app as appmod
            from worker.config import ConfigError

            try:
                self._app = appmod.App.open(self.config_path, self.db_path, use=use)
            except ConfigError as e:
                click.echo("configuration error (nothing was run):\n" + str(e), err=True)
                sys.exit(2)
            except appmod.NoDatabase as e:
                click.echo(f"audit-worker: no database at {e.path} (run `audit-worker backfill …` first, "
                           f"or pass --db)", err=True)
                sys.exit(EXIT_NO_DATABASE)
            from worker import logs

            lg = self._app.cfg.section("logging")
            from worker.config_checks import secret_values

            logs.setup(self.log_format or lg["format"], self.log_level or lg["level"],
                       secrets=secret_values(self._app.cfg.data))
            logs.run_id_var.set(self._app.run_id)
        return self._app


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="config.toml to use (default: $AUDIT_WORKER_CONFIG, else ./config.toml if present)")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite file, or postgresql://user@host/db (default: [database] url or path of the config, "
                   "else audit.db)")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default=None,
              help="override [logging] level")
@click.option("--log-format", type=click.Choice(["keyvalue", "json"]), default=None,
              help="override [logging] format")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, envvar="AUDIT_WORKER_LANG",
              help="language of the labels in the views and export headers (env AUDIT_WORKER_LANG)")
@click.version_option(package_name="audit-worker")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_path: str | None, log_level, log_format, lang) -> None:
    """audit-worker: watch government portals for final accounts and performance
    self-evaluations, check them, and alert an audit bureau."""
    ctx.obj = Ctx(config_path, db_path, log_level, log_format, lang)

def _command_path() -> tuple[str, ...]:
    """The running subcommand's names below the group, e.g. ("alerts", "list")."""
    ctx = click.get_current_context(silent=True)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return tuple(names)


def _database_use(path: tuple[str, ...]) -> str:
    if path in READS_DATABASE:
        return "existing"
    if path in NO_DATABASE:
        return "none"
    if path in OPTIONAL_DATABASE:
        return "optional"
    return "create"


def _ids(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def _bound(text: str | None):
    """'2022' → 2022 (a fiscal year); '2022-06-01' → '2022-06-01' (a publication date)."""
    import re

    if text is None:
        return None
    t = str(text).strip()
    if re.fullmatch(r"\d{4}", t):
        return int(t)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return t
    raise click.BadParameter(f"expected a fiscal year (2022) or a date (2022-06-01), got {text!r}")


def lang_option(f):
    """`--lang` on a view subcommand too (`alerts list --lang en`): the same as the global option,
    which it overrides for this command."""
    def set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            obj = ctx.find_object(Ctx)
            if obj is not None:
                obj.lang = value

    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False,
                        is_eager=True, callback=set_lang,
                        help="language of the labels (as the global --lang)")(f)
