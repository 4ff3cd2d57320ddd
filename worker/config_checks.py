"""Checks of config.toml that need more than a type: what a run would crash on.

A regular expression that does not compile, a host that is not a string, a
poll every 0 s, a webhook URL that is not http(s), an email channel with no
host or no recipients, a secret written where the name of its environment
variable belongs, a password in a source URL: each is one problem naming its
key, found before anything runs (on load and by `config check`).

Values that may be secrets are never repeated in a message: a `*_env` value
that is not a variable name, and URLs with credentials, are described, not
echoed.
"""
from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import urlsplit

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# A host as configured: a DNS name or an IP literal, no scheme, path or credentials.
HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


def check(data: dict, problems: list[str], *, env: bool = False) -> None:
    """Append every problem found; `env`: also require the named environment variables to be set."""
    _schedule(data, problems)
    _database(data, problems)
    sources = data.get("sources")
    if isinstance(sources, list):
        for i, src in enumerate(sources):
            if isinstance(src, dict):
                _source(f"sources[{i}]", src, problems)
    channels = data.get("channels")
    if isinstance(channels, dict):
        for name, ch in channels.items():
            if isinstance(ch, dict):
                _channel(f"channels.{name}", ch.get("type", name), ch, problems, env)


def _database(data: dict, problems: list[str]) -> None:
    """[database] url: a store this version knows, without a password in it."""
    from worker.db.urls import DatabaseURLError, target

    db = data.get("database")
    url = db.get("url") if isinstance(db, dict) else None
    if isinstance(url, str) and url.strip():
        try:
            target(url)
        except DatabaseURLError as e:
            problems.append(f"[database] url: {e}")


def _schedule(data: dict, problems: list[str]) -> None:
    from worker.config import parse_duration

    sched = data.get("schedule") if isinstance(data.get("schedule"), dict) else {}
    floor = sched.get("min_poll_seconds", 60.0)
    floor = floor if isinstance(floor, (int, float)) and not isinstance(floor, bool) and floor > 0 else 60.0
    poll = sched.get("poll")
    if isinstance(poll, str):
        try:
            seconds = parse_duration(poll)
        except ValueError:
            seconds = None             # a cron expression: checked by the caller
        if seconds is not None and seconds <= 0:
            problems.append(f"schedule.poll: must be a positive interval, got {poll!r}")
        elif seconds is not None and seconds < floor:
            problems.append(f"schedule.poll: {poll!r} is shorter than {floor:g} s; a portal polled that often "
                            f"treats us as an attack (lower [schedule] min_poll_seconds to allow it, e.g. in tests)")
    alerts = data.get("alerts") if isinstance(data.get("alerts"), dict) else {}
    realert = alerts.get("realert_after")
    if isinstance(realert, str) and realert.strip():
        try:
            seconds = parse_duration(realert)
        except ValueError:
            seconds = None             # reported by the type check
        if seconds is not None and seconds < 60:
            problems.append(f"alerts.realert_after: must be at least 60 s (or \"\" for never), got {realert!r}")


def _source(where: str, src: dict, problems: list[str]) -> None:
    pattern = src.get("link_pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as e:
            problems.append(f"{where}.link_pattern: not a valid regular expression ({e}): {pattern!r}")
    for key in ("link_selector", "next_selector"):
        sel = src.get(key)
        if isinstance(sel, str) and sel.strip():
            problem = _css_problem(sel)
            if problem:
                problems.append(f"{where}.{key}: not a valid CSS selector ({problem}): {sel!r}")
    hosts = src.get("allowed_hosts")
    if isinstance(hosts, list):
        for j, h in enumerate(hosts):
            if not isinstance(h, str):
                problems.append(f"{where}.allowed_hosts[{j}]: expected a host name as a string, "
                                f"got {type(h).__name__} {h!r}")
            elif not HOST.fullmatch(h):
                problems.append(f"{where}.allowed_hosts[{j}]: expected a bare host name such as "
                                f"\"www.example.gov.cn\" (no scheme, port, path or user), got {_shown(h)!r}")
    url = src.get("url")
    if isinstance(url, str) and url and src.get("kind") != "local_dir":
        _url(f"{where}.url", url, problems, "a source")


def _css_problem(selector: str) -> str | None:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as e:
        return str(e) or type(e).__name__
    return None


def _url(where: str, url: str, problems: list[str], what: str) -> None:
    try:
        p = urlsplit(url)
        p.port                          # noqa: B018  (raises on a port that is not a number)
    except ValueError as e:
        problems.append(f"{where}: not a valid URL ({e})")
        return
    if p.username is not None or p.password is not None:
        # Never echoed: the URL holds a credential.
        problems.append(f"{where}: contains a user name or password; credentials come from the environment, "
                        f"never from a URL in the config (the URL is not shown)")
        return
    if p.scheme not in ("http", "https") or not p.hostname:
        problems.append(f"{where}: expected an http:// or https:// URL for {what}, got {_shown(url)!r}")


def _channel(where: str, typ: Any, ch: dict, problems: list[str], env: bool) -> None:
    for key, value in ch.items():
        if key.endswith("_env") and isinstance(value, str) and value:
            _env_name(f"{where}.{key}", value, problems, env)
    if typ == "webhook":
        url = ch.get("url")
        if isinstance(url, str) and url:
            # Refused here as at send time (worker/urls.py): parsers read userinfo differently,
            # and a credential in a URL leaks into logs and proxies. Receivers authenticate by the signature.
            _url(f"{where}.url", url, problems, "a webhook receiver")
            if not ch.get("allow_private"):
                problem = private_receiver(url)
                if problem:
                    problems.append(f"{where}.url: {problem}: every delivery would be refused; set "
                                    f"allow_private = true in [{where}] to send to it")
        if not ch.get("secret_env"):
            problems.append(f"{where}.secret_env: required: webhooks are signed with the secret held in this "
                            f"environment variable")
    elif typ == "email":
        host = ch.get("host")
        if not isinstance(host, str) or not host.strip():
            problems.append(f"{where}.host: required for an email channel (the SMTP server)")
        groups = ch.get("groups")
        if not isinstance(groups, list) or not groups:
            problems.append(f"{where}.groups: required for an email channel: at least one "
                            f"{{name, to = [...]}} group of recipients")
        if bool(ch.get("username_env")) != bool(ch.get("password_env")):
            problems.append(f"{where}: username_env and password_env go together (give both or neither)")
    elif typ == "file":
        path = ch.get("path")
        if isinstance(path, str) and not path.strip():
            problems.append(f"{where}.path: must not be empty")


def private_receiver(url: str) -> str | None:
    """Why a receiver URL's host is not public when that is known without DNS
    (an IP literal, `localhost`), else None."""
    import ipaddress

    from worker.urls import UnsafeURL, address_kind, is_public, parse

    try:
        host = parse(url).host
    except UnsafeURL:
        return None                     # refused at send time with its own reason
    if host == "localhost" or host.endswith(".localhost"):
        return f"the receiver {host} is a loopback address"
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return None                     # a DNS name: resolved by `config check` and at send time
    return None if is_public(addr) else f"the receiver {addr} is {address_kind(addr)}"


def resolved_warnings(data: dict, timeout: float = 3.0) -> tuple[list[str], list[str]]:
    """`config check`'s look at webhook receivers named by a DNS name, without
    `allow_private`: (warnings, notes). A name that resolves here to an address
    that is not public is a warning (deliveries would be refused, unless DNS
    answers differently where the daemon runs); a name that does not resolve
    within `timeout` seconds is a note (checked at send time)."""
    import ipaddress
    import threading

    from worker.urls import PrivateAddress, UnsafeURL, parse, resolve

    hosts: dict[str, object] = {}
    channels = data.get("channels") if isinstance(data.get("channels"), dict) else {}
    for name, ch in channels.items():
        url = ch.get("url") if isinstance(ch, dict) else None
        if not isinstance(url, str) or ch.get("type", name) != "webhook" or ch.get("allow_private") \
                or private_receiver(url):
            continue
        try:
            p = parse(url)
            ipaddress.ip_address(p.host)
            continue                    # an IP literal: judged without DNS
        except UnsafeURL:
            continue
        except ValueError:
            hosts[f"channels.{name}"] = p
    answers: dict[str, Exception | None] = {}

    def lookup(where: str, p) -> None:
        try:                            # the very check a send makes (worker/urls.py)
            resolve(p)
            answers[where] = None
        except UnsafeURL as e:
            answers[where] = e

    # getaddrinfo has no timeout of its own: threads, joined against one deadline.
    threads = [threading.Thread(target=lookup, args=(w, p), daemon=True) for w, p in hosts.items()]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    warnings, notes = [], []
    for where, p in hosts.items():
        if where in answers and answers[where] is None:
            continue
        got = answers.get(where)
        if isinstance(got, PrivateAddress):
            warnings.append(f"{where}.url: {p.host} resolves here to {got.address}, {got.kind}: "
                            f"deliveries will be refused unless allow_private = true in [{where}] "
                            f"(checked again at each send)")
        else:
            why = str(got) if got is not None else f"no answer within {timeout:g} s"
            notes.append(f"{where}.url: {why}; whether it is a private address is checked at send time")
    return warnings, notes


def _env_name(where: str, value: str, problems: list[str], env: bool) -> None:
    if not ENV_NAME.fullmatch(value):
        # Not echoed: what was written here may well be the secret itself.
        problems.append(f"{where}: expected the NAME of an environment variable (A-Z, 0-9 and _, such as "
                        f"AUDIT_WEBHOOK_SECRET), not a value; the value is not shown in case it is a secret. "
                        f"Put the secret in the environment and its name here")
    elif env and not os.environ.get(value):
        problems.append(f"{where}: environment variable {value} is not set (or empty)")


def _shown(text: str, limit: int = 80) -> str:
    from worker.net import redact

    return (redact(text) if "://" in text else text)[:limit]


def secret_values(data: dict) -> list[str]:
    """The values of the environment variables that channels name for secrets (to keep out of logs)."""
    out = []
    channels = data.get("channels") if isinstance(data.get("channels"), dict) else {}
    for ch in channels.values():
        if not isinstance(ch, dict):
            continue
        for key, value in ch.items():
            if key.endswith("_env") and isinstance(value, str) and ENV_NAME.fullmatch(value or "-"):
                secret = os.environ.get(value)
                if secret and len(secret) >= 4:     # a 1-3 character "secret" would blank out ordinary words
                    out.append(secret)
    return out
