"""A throwaway PostgreSQL server for the tests, from Debian's packages.

`PgServer().start()` makes a cluster in a temporary directory (initdb) and
starts it (pg_ctl) listening only on a Unix socket in that directory; `stop()`
kills it and removes the directory. Nothing of the system's own PostgreSQL
service is used or started. initdb refuses to run as root, so as root the
server runs as the `postgres` system user (runuser).

    srv = PgServer().start()          # raises Unavailable(reason) when it cannot
    url = srv.create_database("t1")   # postgresql://postgres@/t1?host=/tmp/pgtest-…
    srv.drop_database("t1")
    srv.stop()
"""
from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

INSTALL_HINT = "apt-get install postgresql"
# Where initdb and pg_ctl are, when not Debian's (e.g. /usr/local/pgsql/bin): replaces the search.
BINDIR_ENV = "AUDIT_WORKER_TEST_PG_BINDIR"
PSYCOPG_HINT = "pip install 'psycopg[binary]>=3.1'"

# Speed over durability: the cluster is thrown away after the run.
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "'32MB'",
    "max_wal_size": "'1GB'",
    "checkpoint_timeout": "'30min'",
    "log_min_messages": "warning",
}


class Unavailable(RuntimeError):
    """No server can be started here; str(exc) says why and what to install."""


def _version_key(path: str) -> tuple:
    """/usr/lib/postgresql/15/bin -> (15,), so 16 sorts before 9.6 (newest first)."""
    m = re.search(r"/postgresql/([\d.]+)/bin$", path)
    return tuple(int(p) for p in m.group(1).split(".")) if m else ()


def find_bindir(candidates: list[str] | None = None) -> Path | None:
    """The directory holding initdb and pg_ctl: `pg_config --bindir`, else the
    newest /usr/lib/postgresql/*/bin (Debian keeps them off PATH); $AUDIT_WORKER_TEST_PG_BINDIR
    or `candidates` replace that search."""
    if candidates is None and os.environ.get(BINDIR_ENV):
        candidates = [os.environ[BINDIR_ENV]]
    if candidates is None:
        candidates = []
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
        candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for c in candidates:
        d = Path(c)
        if all(os.access(d / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _reachable_parent() -> str:
    """A parent for the cluster's directory that the postgres user can enter:
    the usual temporary directory when every ancestor is world-searchable, else /tmp."""
    base = Path(tempfile.gettempdir()).resolve()
    for p in [base, *base.parents]:
        if not p.stat().st_mode & stat.S_IXOTH:
            return "/tmp"
    return str(base)


class PgServer:
    def __init__(self, bindir: str | Path | None = None, port: int = 5432,
                 settings: dict[str, str] | None = None):
        self.bindir = Path(bindir) if bindir is not None else None
        self.settings = {**SETTINGS, **(settings or {})}
        # Only names the socket file (.s.PGSQL.<port>): the directory is private, so no clash.
        self.port = port
        self.dir: Path | None = None
        self._admin = None
        self._as: list[str] = []  # command prefix: runuser when we are root

    # -- life cycle -------------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.dir is not None
        return self.dir / "data"

    @property
    def logfile(self) -> Path:
        assert self.dir is not None
        return self.dir / "server.log"

    def start(self) -> "PgServer":
        if importlib.util.find_spec("psycopg") is None:
            raise Unavailable(f"psycopg 3 is not installed ({PSYCOPG_HINT})")
        if self.bindir is not None:
            where = f" in {self.bindir}"
            self.bindir = find_bindir([str(self.bindir)])
        else:
            where = f" in ${BINDIR_ENV}={os.environ[BINDIR_ENV]}" if os.environ.get(BINDIR_ENV) else ""
            self.bindir = find_bindir()
        if self.bindir is None:
            raise Unavailable(f"PostgreSQL server binaries (initdb, pg_ctl) not found{where} ({INSTALL_HINT})")
        self._prepare_dir()
        try:
            self._initdb()
            self._pg_ctl_start()
            self._admin = self._connect("postgres")
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_dir(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pgtest-", dir=_reachable_parent()))
        if os.geteuid() == 0:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise Unavailable("running as root and there is no `postgres` user to run initdb as "
                                  f"({INSTALL_HINT} creates it)") from None
            if shutil.which("runuser") is None:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise Unavailable("running as root and `runuser` (util-linux) is missing: initdb refuses root")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, args: list[str], what: str, timeout: float = 120) -> subprocess.CompletedProcess:
        # cwd: the postgres user cannot enter root's home, and initdb/pg_ctl complain about an unreadable cwd.
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        env.pop("PGDATA", None)
        try:
            res = subprocess.run(self._as + args, capture_output=True, text=True, timeout=timeout,
                                 cwd=self.dir, env=env)
        except subprocess.TimeoutExpired as e:
            raise Unavailable(f"{what} did not finish within {timeout:.0f} s") from e
        if res.returncode != 0:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            raise Unavailable(f"{what} failed (exit {res.returncode}):\n"
                              + _tail(res.stdout + res.stderr + "\n" + log))
        return res

    def _initdb(self) -> None:
        assert self.bindir is not None
        self._run([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], "initdb")
        # Settings in the file rather than `-o`: no shell quoting of the socket path.
        lines = [f"{k} = {v}" for k, v in self.settings.items()]
        lines += [f"unix_socket_directories = '{self.dir}'", f"port = {self.port}"]
        conf = self.datadir / "postgresql.conf"
        with open(conf, "a", encoding="utf-8") as f:
            f.write("\n# tests/pgserver.py\n" + "\n".join(lines) + "\n")

    def _pg_ctl_start(self) -> None:
        assert self.bindir is not None
        self._run([str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.datadir),
                   "-l", str(self.logfile)], "pg_ctl start", timeout=90)

    def stop(self) -> None:
        """Kill the server (immediate: nothing to keep) and remove its directory. Idempotent."""
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:
                pass
            self._admin = None
        if self.dir is None:
            return
        if self.bindir is not None and (self.datadir / "postmaster.pid").exists():
            try:
                subprocess.run(self._as + [str(self.bindir / "pg_ctl"), "stop", "-m", "immediate", "-w",
                                           "-D", str(self.datadir)],
                               capture_output=True, timeout=60, cwd=self.dir)
            except (OSError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> "PgServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- databases ------------------------------------------------------

    def url(self, name: str) -> str:
        """A libpq URL of database `name` over the Unix socket (psycopg.connect accepts it)."""
        if self.dir is None:
            raise Unavailable("the PostgreSQL test server is not running")
        return f"postgresql://postgres@/{quote(name, safe='')}?host={quote(str(self.dir), safe='/')}&port={self.port}"

    def _connect(self, name: str):
        import psycopg

        return psycopg.connect(self.url(name), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            q = q + sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._admin.execute(q)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        # A test that leaves a connection open must not block DROP DATABASE.
        self._admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    def databases(self) -> list[str]:
        rows = self._admin.execute("SELECT datname FROM pg_database WHERE NOT datistemplate").fetchall()
        return sorted(r[0] for r in rows)
