"""The command line: a thin layer over the library, one command per job.

Each module holds one group of commands and registers them on `main`."""
from worker.cli.base import EXIT_DATABASE, Ctx, main
from worker.cli import alerts, db, duties, ingest, ops, reports, rules, users, web  # noqa: F401  (registers the commands)

__all__ = ["EXIT_DATABASE", "Ctx", "main"]
