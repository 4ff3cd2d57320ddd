"""Logging: key=value or JSON lines, with the run id on every line.

Secrets never reach the logs: credentials come from the environment and are
never formatted, and URLs are logged through `worker.net.redact`. As a last
guard every line is scrubbed: the values of the secrets' environment
variables (given to `setup`) and any user:password@ in a URL become "***".
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time

run_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("run_id", default="-")

_SECRETS: list[str] = []
_USERINFO = re.compile(r"(?<=://)[^/@\s:]*:[^/@\s]*@")


def scrub(line: str) -> str:
    """A log line without secrets: known secret values and URL passwords masked."""
    for secret in _SECRETS:
        if secret in line:
            line = line.replace(secret, "***")
    return _USERINFO.sub("***@", line)


class _RunId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = run_id_var.get()
        return True


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z"
        msg = record.getMessage().replace("\n", " | ")
        line = f"ts={ts} level={record.levelname} run_id={getattr(record, 'run_id', '-')} logger={record.name} msg={json.dumps(msg, ensure_ascii=False)}"
        if record.exc_info:
            line += " exc=" + json.dumps(self.formatException(record.exc_info), ensure_ascii=False)
        return scrub(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
               "level": record.levelname, "run_id": getattr(record, "run_id", "-"), "logger": record.name,
               "msg": record.getMessage()}
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(out, ensure_ascii=False))


def setup(fmt: str = "keyvalue", level: str = "INFO", stream=None, secrets: list[str] | None = None) -> None:
    """`secrets`: values that must never appear in a log line (masked as ***)."""
    # Longest first, so a secret containing another is masked whole.
    _SECRETS[:] = sorted({s for s in (secrets or []) if s}, key=len, reverse=True)
    root = logging.getLogger("audit_worker")
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(_RunId())
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    root.propagate = False
    for noisy in ("apscheduler", "pdfminer", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
