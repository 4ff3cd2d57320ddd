"""`audit-worker serve`: the auditor's web view (worker/web)."""
from __future__ import annotations

import click

from worker.cli.base import Ctx, main


@main.command()
@click.option("--host", default=None, help="address to listen on (default: [web] host, 127.0.0.1)")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="port to listen on (default: [web] port, 8080)")
@click.pass_obj
def serve(obj: Ctx, host: str | None, port: int | None) -> None:
    """Serve the web view of the alerts and reports: open http://HOST:PORT/ in a browser.

    Reads an existing database (exit 2 when there is none); stop with Ctrl-C."""
    import uvicorn

    from worker.web.app import create_app

    app = obj.open_app("existing")
    web = app.cfg.section("web")
    host = host or web["host"]
    port = port or web["port"]
    site = create_app(app.store.path, app.cfg, obj.lang)
    users = app.store.conn.execute("SELECT count(*) FROM web_users WHERE active = 1").fetchone()[0]
    if not users and not web["public_read"]:
        click.echo("audit-worker: no user can log in yet: add one with `audit-worker users add NAME --role auditor` "
                   "(or set [web] public_read = true to let anyone read)", err=True)
    click.echo(f"audit-worker: serving {app.store.path} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(site, host=host, port=port, log_level="warning")
