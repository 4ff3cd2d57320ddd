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


from worker.config_schema import CHANNEL_SCHEMA, SCHEMA, SEVERITIES, SOURCE_SCHEMA, _k  # noqa: F401  (re-exported)

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

    @property
    def database(self) -> Path:
        """The SQLite file of [database] path (relative to the config file): the
        CLI's default and the one `make demo` fills."""
        return self.resolve(self.get("database", "path"))

    @property
    def database_url(self) -> str:
        """[database] url when set (an sqlite:/// path relative to the config file),
        else the file of [database] path: what Store opens."""
        url = (self.get("database", "url") or "").strip()
        if not url:
            return str(self.database)
        if url.startswith("sqlite:///"):
            return str(self.resolve(url[len("sqlite:///"):]))
        return url


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
        if spec.get("__duties__"):
            continue             # [[expected]]: worker/duties/settings.check_config, below
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
    from worker.duties import settings as duties

    duties.check_config(data, problems)
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
        raise ConfigError(["file not found"], str(p))
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
            from worker.duties.settings import check_csv

            problems = check_taxonomy(cfg) + check_csv(cfg)
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
