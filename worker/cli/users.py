"""`audit-worker users`: the people who may log in to the web view (`serve`), and their roles."""
from __future__ import annotations

import getpass
import os
import sys

import click

from worker.cli.base import Ctx, main


def _password(from_stdin: bool, name: str) -> str:
    """The new password: the first line of stdin with --password-stdin, else asked twice on the terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask the password on: pass it on stdin with --password-stdin "
                               "(e.g. `printf '%s\\n' \"$PW\" | audit-worker users add NAME --password-stdin`)")
    first = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != first:
        raise click.ClickException("the two passwords differ; nothing changed")
    return first


def _record(conn, action: str, name: str, detail: str) -> None:
    from worker.web import audit_log

    # The command line's user: who ran the command, as the system names them.
    audit_log.record(conn, f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or '?'}", "admin",
                     action, f"user:{name}", detail, "")


@main.group()
def users():
    """Users of the web view: add, list, passwd, role, disable, enable.

    Roles: viewer (reads), auditor (also acknowledges, silences, gives
    verdicts), admin (also reads the audit log at /audit)."""


def _change(obj: Ctx, fn, action: str, name: str, detail: str = "") -> None:
    from worker.web.users import UserError

    store = obj.app.store
    try:
        with store.tx() as c:
            fn(c)
            _record(c, action, name, detail)
    except UserError as e:
        raise click.UsageError(str(e)) from None


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "auditor", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.pass_obj
def users_add(obj: Ctx, name: str, role: str, password_stdin: bool) -> None:
    """Add a user who logs in with NAME and a password (at least 10 characters)."""
    from worker.storage import now_iso
    from worker.web import users as U

    password = _password(password_stdin, name)
    _change(obj, lambda c: U.add(c, name, role, password, now_iso()), "user_added", name, role)
    click.echo(f"user {name} added ({role})")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.pass_obj
def users_passwd(obj: Ctx, name: str, password_stdin: bool) -> None:
    """Set a user's password; the user's open sessions end."""
    from worker.web import users as U

    password = _password(password_stdin, name)
    _change(obj, lambda c: U.set_password(c, name, password), "password_changed", name)
    click.echo(f"password of {name} changed; their sessions have ended")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "auditor", "admin"]))
@click.pass_obj
def users_role(obj: Ctx, name: str, role: str) -> None:
    """Give a user another role."""
    from worker.web import users as U

    _change(obj, lambda c: U.set_role(c, name, role), "role_changed", name, role)
    click.echo(f"{name} is now {role}")


@users.command("disable")
@click.argument("name")
@click.pass_obj
def users_disable(obj: Ctx, name: str) -> None:
    """Stop a user from logging in; their open sessions end at once."""
    from worker.web import users as U

    _change(obj, lambda c: U.set_active(c, name, False), "user_disabled", name)
    click.echo(f"{name} disabled")


@users.command("enable")
@click.argument("name")
@click.pass_obj
def users_enable(obj: Ctx, name: str) -> None:
    """Let a disabled user log in again."""
    from worker.web import users as U

    _change(obj, lambda c: U.set_active(c, name, True), "user_enabled", name)
    click.echo(f"{name} enabled")


@users.command("list")
@click.pass_obj
def users_list(obj: Ctx) -> None:
    """The users, their roles, and when each last logged in."""
    from worker.safe_text import clean
    from worker.web import users as U

    rows = U.listing(obj.app.store.conn)
    if not rows:
        click.echo("no users yet: add one with `audit-worker users add NAME --role auditor`")
        return
    for r in rows:
        state = "" if r["active"] else "  (disabled)"
        click.echo(f"{clean(r['name'])}\t{r['role']}\tlast login {r['last_login_at'] or 'never'}{state}")
