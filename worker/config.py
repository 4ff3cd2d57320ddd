"""Configuration: config.toml read, checked against a schema, with defaults.

Every key is declared once in `SCHEMA` with its type, default and meaning, so
that a wrong key, type or threshold is reported with the file, the key and
what is expected before anything runs (`audit-worker config check`).
Secrets never live in the file: the file names environment variables.
"""
from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A problem in config.toml, phrased for the operator who must fix it."""

    def __init__(self, problems: list[str], path: str | None = None):
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__("\n".join(where + p for p in problems))


# (type, default, help). Types: str, int, float, bool, list[str], dict (free
# form), "duration" (e.g. "30m", "6h"), "severity".
def _k(typ, default, help_, **extra):
    d = {"type": typ, "default": default, "help": help_}
    d.update(extra)
    return d


SEVERITIES = ("info", "low", "medium", "high")

SCHEMA: dict[str, Any] = {
    "database": {
        "path": _k("str", "audit.db", "SQLite file holding documents, facts and alerts"),
    },
    "storage": {
        "busy_timeout_s": _k("float", 30.0, "seconds to wait for another process's write lock before the "
                                            "command ends with 'database is locked'", min=0.1),
        "max_size_mb": _k("float", 0.0, "the database may not grow beyond this many MB (0: no cap); "
                                        "past it a command ends with 'database is full'", min=0.0),
    },
    "limits": {
        "max_document_bytes": _k("int", 50 * 1024 * 1024, "documents larger than this are refused", min=1),
        "max_uncompressed_bytes": _k("int", 200 * 1024 * 1024, "XLSX/DOCX expanding beyond this are refused (zip bombs)", min=1),
        "max_pdf_pages": _k("int", 500, "PDF pages read at most", min=1),
        "max_attempts": _k("int", 5, "a failed document is retried on later runs up to this many times", min=1),
        # Fetch deadlines and link caps (issue 13): wall-clock bounds a slow
        # or hostile server cannot stretch; see README "Fetching under attack".
        "fetch_connect_seconds": _k("float", 10.0, "TCP connect and TLS handshake of one request", min=0.1),
        "fetch_header_seconds": _k("float", 30.0, "from sending a request to the end of the response headers",
                                   min=0.1),
        "fetch_response_seconds": _k("float", 300.0, "from sending a request to the last byte of the body",
                                     min=0.1),
        "links_per_page": _k("int", 200, "matching links followed from one index page, feed or sitemap", min=1),
        "links_per_poll": _k("int", 1000, "links followed by one source in one poll (new links first)", min=1),
        "poll_source_seconds": _k("float", 1800.0, "time one source may spend in one poll; the rest waits "
                                                   "for the next poll", min=1.0),
        "document_seconds": _k("float", 180.0, "wall-clock limit to extract and parse one report (0 = none)", min=0),
        "document_memory_mb": _k("int", 2048, "memory one report may take while extracted and parsed (0 = none)", min=0),
        "max_inflated_mb": _k("int", 64, "XLSX/DOCX whose XML inflates beyond this are refused (measured)", min=1),
        "max_pdf_stream_mb": _k("int", 64, "PDFs with a stream inflating beyond this are refused", min=1),
        "max_sheet_cells": _k("int", 50_000_000, "worksheets declaring or spanning more cells are refused", min=1),
    },
    "fetch": {
        "user_agent": _k("str", "audit-worker/0.1 (+https://example.invalid/audit-worker; audit bureau monitoring)", "User-Agent header"),
        "timeout_seconds": _k("float", 20.0, "connect and read timeout per request", min=0.1),
        "max_bytes": _k("int", 50 * 1024 * 1024, "largest download accepted", min=1),
        "retries": _k("int", 3, "retries on connection errors, 5xx and 429", min=0),
        "backoff_seconds": _k("float", 1.0, "first retry delay; doubles each time", min=0.0),
        "per_host_interval_seconds": _k("float", 1.0, "minimum gap between two requests to one host", min=0.0),
        "per_host_concurrency": _k("int", 2, "requests in flight to one host at most", min=1),
        "respect_robots_txt": _k("bool", True, "obey robots.txt"),
    },
    "schedule": {
        "poll": _k("str", "30m", "how often the daemon polls: a duration (30m, 6h) or a cron expression"),
        "daily_digest": _k("str", "", "time of an optional daily digest, HH:MM ('' for none)"),
        "misfire_grace_seconds": _k("int", 300, "a job late by more than this is skipped", min=1),
        "heartbeat_file": _k("str", "", "file the daemon touches on every loop ('' = beside the database)"),
        "min_poll_seconds": _k("float", 60.0, "a poll interval shorter than this is refused (lower it "
                                              "explicitly for tests)", min=0.001),
    },
    "logging": {
        "format": _k("str", "keyvalue", "keyvalue or json", choices=("keyvalue", "json")),
        "level": _k("str", "INFO", "DEBUG, INFO, WARNING or ERROR", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    "alerts": {
        "realert_after": _k("duration", "", "re-send a delivered alert after this long ('' = never)"),
        "max_attempts": _k("int", 8, "delivery attempts per channel before an alert is marked failed", min=1),
        "backoff_seconds": _k("float", 30.0, "first retry delay of a failed delivery; doubles each time", min=0.0),
        "backoff_max_seconds": _k("float", 3600.0, "longest delay between delivery attempts", min=0.0),
        "source_failure_threshold": _k("int", 3, "polls in a row a source may fail before an operator alert", min=1),
        "min_severity": _k("severity", "low", "alerts below this severity are stored but never sent"),
    },
    "taxonomy": {
        "extra": _k("list", [], "folders of taxonomy files that add a region's tables, titles and terms "
                                "(merged with the built-in ones; see docs/taxonomy.md)"),
    },
    "rules": {"__free__": True},   # checked against the rule registry
    "models": {"__free__": True},
    "channels": {"__free__": True},  # checked per channel type
    "sources": {"__list__": True},   # checked per source kind
}

CHANNEL_SCHEMA: dict[str, dict[str, Any]] = {
    "console": {"min_severity": _k("severity", "low", ""),
                "cadence": _k("str", "each", "each: with every poll; daily: in the daily digest", choices=("each", "daily"))},
    "file": {"path": _k("str", "alerts.jsonl", ""), "min_severity": _k("severity", "info", ""),
             "cadence": _k("str", "each", "", choices=("each", "daily"))},
    "email": {
        "host": _k("str", "localhost", ""), "port": _k("int", 587, "", min=1),
        "security": _k("str", "starttls", "", choices=("starttls", "ssl", "none")),
        "username_env": _k("str", "", "environment variable holding the SMTP user"),
        "password_env": _k("str", "", "environment variable holding the SMTP password"),
        "sender": _k("str", "audit-worker@localhost", ""),
        "timeout_seconds": _k("float", 30.0, "", min=0.1),
        "groups": _k("list", [], "recipient groups: {name, to=[...], min_severity}"),
        "min_severity": _k("severity", "low", ""),
        "cadence": _k("str", "each", "", choices=("each", "daily")),
    },
    "webhook": {
        "url": _k("str", "", ""),
        "secret_env": _k("str", "", "environment variable holding the HMAC secret"),
        "key_id": _k("str", "default", "sent as X-Audit-Key-Id so a receiver can rotate keys"),
        "batch": _k("bool", False, "one request per run instead of one per alert"),
        "batch_max": _k("int", 500, "at most this many alerts in one request (batches and digests)", min=1),
        "timeout_seconds": _k("float", 10.0, "", min=0.1),
        "min_severity": _k("severity", "low", ""),
        "allow_private": _k("bool", False, "allow a receiver on a private or loopback address"),
        "cadence": _k("str", "each", "", choices=("each", "daily")),
    },
}

SOURCE_SCHEMA: dict[str, Any] = {
    "name": _k("str", "", "a short unique name", required=True),
    "kind": _k("str", "", "html_index, rss, atom, sitemap or local_dir", required=True,
               choices=("html_index", "rss", "atom", "sitemap", "local_dir")),
    "url": _k("str", "", "list page, feed or sitemap URL"),
    "path": _k("str", "", "folder for local_dir"),
    "link_selector": _k("str", "a", "CSS selector of candidate links on a list page"),
    "link_pattern": _k("str", "决算|绩效", "regular expression a link's text or URL must match"),
    "next_selector": _k("str", "", "CSS selector of the next-page link"),
    "page_pattern": _k("str", "", "URL pattern of further pages with {n}, e.g. index_{n}.html"),
    "max_pages": _k("int", 5, "list pages followed at most", min=1),
    "allowed_hosts": _k("list", [], "extra hosts a report may be fetched from"),
    "allow_private": _k("bool", False, "allow private and loopback addresses (tests)"),
    "follow_attachments": _k("bool", True, "download pdf/xls/xlsx/doc/docx linked from detail pages"),
    "enabled": _k("bool", True, ""),
}


@dataclass
class Config:
    path: str | None
    data: dict = field(default_factory=dict)

    def get(self, section: str, key: str, default: Any = None) -> Any:
        sec = self.data.get(section, {})
        if key in sec:
            return sec[key]
        spec = SCHEMA.get(section, {}).get(key)
        if spec is not None:
            return spec["default"]
        return default

    def section(self, name: str) -> dict:
        out = {k: v["default"] for k, v in SCHEMA.get(name, {}).items() if isinstance(v, dict) and "type" in v}
        out.update(self.data.get(name, {}))
        return out

    @property
    def rules(self) -> dict:
        return self.data.get("rules", {})

    @property
    def models(self) -> dict:
        return self.data.get("models", {})

    @property
    def channels(self) -> dict:
        out = {}
        for name, spec in self.data.get("channels", {}).items():
            typ = spec.get("type", name)
            merged = {k: v["default"] for k, v in CHANNEL_SCHEMA.get(typ, {}).items()}
            merged.update(spec)
            merged["type"] = typ
            out[name] = merged
        return out

    @property
    def sources(self) -> list[dict]:
        out = []
        for spec in self.data.get("sources", []):
            merged = {k: v["default"] for k, v in SOURCE_SCHEMA.items()}
            merged.update(spec)
            out.append(merged)
        return out

    @property
    def base_dir(self) -> Path:
        return Path(self.path).resolve().parent if self.path else Path.cwd()

    def resolve(self, p: str) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else self.base_dir / q


FETCH_LIMIT_KEYS = ("fetch_connect_seconds", "fetch_header_seconds", "fetch_response_seconds",
                    "links_per_page", "links_per_poll", "poll_source_seconds")


def fetch_settings(cfg: "Config") -> dict:
    """[fetch] with the fetch deadlines and link caps of [limits]: what a
    Fetcher and a SourcePoller read."""
    limits = cfg.section("limits")
    return {**cfg.section("fetch"), **{k: limits[k] for k in FETCH_LIMIT_KEYS}}


def parse_duration(text: str) -> float | None:
    """'30m' → 1800.0; '' → None; '45' → 45 seconds."""
    import re

    t = (text or "").strip()
    if not t:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?", t)
    if not m:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 90s, 30m, 6h, 1d)")
    value = float(m.group(1))
    unit = m.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def _check_value(where: str, spec: dict, value: Any, problems: list[str]) -> None:
    typ = spec["type"]
    ok = True
    if typ == "str":
        ok = isinstance(value, str)
    elif typ == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif typ == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif typ == "bool":
        ok = isinstance(value, bool)
    elif typ == "list":
        ok = isinstance(value, list)
    elif typ == "severity":
        ok = value in SEVERITIES
        if not ok:
            problems.append(f"{where}: expected one of {', '.join(SEVERITIES)}, got {value!r}")
            return
    elif typ == "duration":
        try:
            parse_duration(value if isinstance(value, str) else "x")
        except ValueError:
            ok = False
            problems.append(f"{where}: expected a duration such as \"30m\" or \"6h\", got {value!r}")
            return
    if not ok:
        problems.append(f"{where}: expected {_typename(typ)}, got {type(value).__name__} {value!r}")
        return
    if "choices" in spec and value not in spec["choices"]:
        problems.append(f"{where}: expected one of {', '.join(map(str, spec['choices']))}, got {value!r}")
    if "min" in spec and isinstance(value, (int, float)) and value < spec["min"]:
        problems.append(f"{where}: must be at least {spec['min']}, got {value!r}")


def _typename(t: str) -> str:
    return {"str": "a string", "int": "a whole number", "float": "a number", "bool": "true or false",
            "list": "a list"}.get(t, t)


def validate(data: dict, rule_specs: dict | None = None, model_specs: dict | None = None, *,
             env: bool = False) -> list[str]:
    """All problems in a parsed config, each naming its key; `env`: also require the
    environment variables that channels name to be set (`config check`)."""
    problems: list[str] = []
    for section, value in data.items():
        if section not in SCHEMA:
            problems.append(f"[{section}]: unknown section (known: {', '.join(sorted(SCHEMA))})")
            continue
        spec = SCHEMA[section]
        if spec.get("__list__"):
            if not isinstance(value, list):
                problems.append(f"[[{section}]]: expected an array of tables ([[{section}]] blocks)")
                continue
            names = set()
            for i, item in enumerate(value):
                _check_table(f"sources[{i}]", SOURCE_SCHEMA, item, problems)
                if isinstance(item, dict):
                    for req in ("name", "kind"):
                        if not item.get(req):
                            problems.append(f"sources[{i}].{req}: required")
                    if item.get("name") in names:
                        problems.append(f"sources[{i}].name: duplicate name {item.get('name')!r}")
                    names.add(item.get("name"))
                    kind = item.get("kind")
                    if kind in ("html_index", "rss", "atom", "sitemap") and not item.get("url"):
                        problems.append(f"sources[{i}].url: required for kind {kind!r}")
                    if kind == "local_dir" and not item.get("path"):
                        problems.append(f"sources[{i}].path: required for kind 'local_dir'")
            continue
        if not isinstance(value, dict):
            problems.append(f"[{section}]: expected a table")
            continue
        if section == "channels":
            for name, ch in value.items():
                if not isinstance(ch, dict):
                    problems.append(f"channels.{name}: expected a table")
                    continue
                typ = ch.get("type", name)
                if typ not in CHANNEL_SCHEMA:
                    problems.append(f"channels.{name}.type: expected one of {', '.join(CHANNEL_SCHEMA)}, got {typ!r}")
                    continue
                _check_table(f"channels.{name}", {**CHANNEL_SCHEMA[typ], "type": _k("str", typ, "")}, ch, problems)
                if typ == "webhook" and not ch.get("url"):
                    problems.append(f"channels.{name}.url: required for a webhook channel")
            continue
        if section == "rules" and rule_specs is not None:
            _check_free(section, value, rule_specs, problems)
            continue
        if section == "models" and model_specs is not None:
            _check_free(section, value, model_specs, problems)
            continue
        if spec.get("__free__"):
            continue
        _check_table(section, spec, value, problems)
    _check_semantics(data, problems)
    from worker import config_checks

    config_checks.check(data, problems, env=env)
    return problems


def _check_semantics(data: dict, problems: list[str]) -> None:
    """Checks that need more than a type: schedules, times, email groups."""
    import re

    sched = data.get("schedule", {}) if isinstance(data.get("schedule"), dict) else {}
    poll = sched.get("poll")
    if isinstance(poll, str):
        try:
            parse_duration(poll)
        except ValueError:
            try:
                from apscheduler.triggers.cron import CronTrigger

                CronTrigger.from_crontab(poll)
            except ValueError as e:
                problems.append(f"schedule.poll: expected a duration (30m, 6h) or a cron expression "
                                f"(\"0 */2 * * *\"), got {poll!r} ({e})")
    digest = sched.get("daily_digest")
    if isinstance(digest, str) and digest and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", digest):
        problems.append(f"schedule.daily_digest: expected a time HH:MM such as \"08:30\", got {digest!r}")
    rules = data.get("rules", {})
    er = rules.get("execution_rate", {}) if isinstance(rules, dict) else {}
    if isinstance(er, dict) and isinstance(er.get("high_below"), (int, float)) and \
            isinstance(er.get("warn_below"), (int, float)) and er["high_below"] > er["warn_below"]:
        problems.append(f"rules.execution_rate.high_below: must not exceed warn_below "
                        f"({er['high_below']} > {er['warn_below']})")
    for name, ch in (data.get("channels", {}) or {}).items():
        if not isinstance(ch, dict) or ch.get("type", name) != "email":
            continue
        for i, g in enumerate(ch.get("groups", []) or []):
            if not isinstance(g, dict) or not g.get("to") or not isinstance(g.get("to"), list):
                problems.append(f"channels.{name}.groups[{i}].to: expected a list of addresses")
            elif isinstance(g, dict) and g.get("min_severity", "low") not in SEVERITIES:
                problems.append(f"channels.{name}.groups[{i}].min_severity: expected one of {', '.join(SEVERITIES)}")


def _check_table(prefix: str, spec: dict, value: Any, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{prefix}: expected a table")
        return
    for key, v in value.items():
        if key not in spec:
            problems.append(f"{prefix}.{key}: unknown key (known: {', '.join(sorted(spec))})")
            continue
        _check_value(f"{prefix}.{key}", spec[key], v, problems)


def _check_free(section: str, value: dict, specs: dict, problems: list[str]) -> None:
    """[rules.<family>] tables: keys must be options some detector declares."""
    for family, opts in value.items():
        if family not in specs:
            problems.append(f"{section}.{family}: unknown {section[:-1]} family (known: {', '.join(sorted(specs))})")
            continue
        if not isinstance(opts, dict):
            problems.append(f"{section}.{family}: expected a table")
            continue
        known = specs[family]
        for key, v in opts.items():
            if key not in known:
                problems.append(f"{section}.{family}.{key}: unknown option (known: {', '.join(sorted(known))})")
                continue
            default = known[key]
            if isinstance(default, bool):
                if not isinstance(v, bool):
                    problems.append(f"{section}.{family}.{key}: expected true or false, got {v!r}")
            elif isinstance(default, (int, float)):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    problems.append(f"{section}.{family}.{key}: expected a number, got {v!r}")
                elif v < 0:
                    problems.append(f"{section}.{family}.{key}: must not be negative, got {v!r}")
            elif isinstance(default, list) and not isinstance(v, list):
                problems.append(f"{section}.{family}.{key}: expected a list, got {v!r}")
            elif isinstance(default, str) and not isinstance(v, str):
                problems.append(f"{section}.{family}.{key}: expected a string, got {v!r}")


def load(path: str | None, *, check: bool = True, env: bool = False) -> Config:
    """Read a config file (or defaults when there is none) and validate it
    (`env`: also that the secrets' environment variables are set)."""
    if path is None:
        # Not named `env`: that is whether to require the secrets' variables (it was shadowed here,
        # so `config check` without --config skipped that check and every other command required it).
        from_env = os.environ.get("AUDIT_WORKER_CONFIG")
        if from_env:
            path = from_env
        elif Path("config.toml").exists():
            path = "config.toml"
    if path is None:
        return Config(path=None, data={})
    p = Path(path)
    if not p.exists():
        raise ConfigError([f"file not found"], str(p))
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"not valid TOML: {e}"], str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError(["not UTF-8 text"], str(p)) from None
    cfg = Config(path=str(p), data=copy.deepcopy(data))
    if check:
        from rules.registry import option_specs as rule_options
        from models.registry import option_specs as model_options

        problems = validate(data, rule_options(), model_options(), env=env)
        if not problems:
            problems = check_taxonomy(cfg)
        if problems:
            raise ConfigError(problems, str(p))
    return cfg


def check_taxonomy(cfg: Config) -> list[str]:
    """Load the configured taxonomy (built-in plus [taxonomy] extra) and make it the default."""
    from rules.taxonomy import TaxonomyError, configure

    extra = [str(cfg.resolve(e)) for e in cfg.get("taxonomy", "extra") or []]
    try:
        configure(extra)
    except TaxonomyError as e:
        return [f"taxonomy.extra: {e}"]
    return []
