"""Every configuration key, declared once: its type, default and meaning.

worker/config.py reads config.toml and checks it against these; `config
check` and the README's configuration tables are built from the same data."""
from __future__ import annotations

from typing import Any


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
        "url": _k("str", "", "the store as a URL, instead of path: sqlite:///file.db, or postgresql://user@host/db "
                             "(several workers share it; the password comes from AUDIT_WORKER_DB_PASSWORD)"),
    },
    "storage": {
        "busy_timeout_s": _k("float", 30.0, "seconds to wait for another process's write lock before the "
                                            "command ends with 'database is locked'", min=0.1),
        "max_size_mb": _k("float", 0.0, "the database may not grow beyond this many MB (0: no cap); "
                                        "past it a command ends with 'database is full'", min=0.0),
        "keep_originals": _k("bool", True, "keep each PDF read by backfill as originals/<sha256>.pdf beside the "
                                           "database (on PostgreSQL: in its blobs table), so the web view can "
                                           "show its pages (fetched documents are kept in the database already)"),
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
    "leases": {
        "source_seconds": _k("float", 600.0, "PostgreSQL store, several workers: a source's lease lasts this long "
                                            "unless its worker renews it (every third of it, while the poll "
                                            "runs); a dead worker's sources are taken over after it", min=1.0),
        "report_seconds": _k("float", 600.0, "the same for a report being parsed (renewed while it is read)",
                                            min=1.0),
        "log_days": _k("float", 7.0, "days the lease log (claims, releases, take-overs, parses) is kept",
                                     min=0.01),
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
        "unhealthy_after_attempts": _k("int", 3, "`status` turns unhealthy once a delivery still being retried has "
                                       "failed this many attempts (a dead channel is seen before it gives up)", min=1),
        "source_failure_threshold": _k("int", 3, "polls in a row a source may fail before an operator alert", min=1),
        "min_severity": _k("severity", "low", "alerts below this severity are stored but never sent"),
    },
    "taxonomy": {
        "extra": _k("list", [], "folders of taxonomy files that add a region's tables, titles and terms "
                                "(merged with the built-in ones; see docs/taxonomy.md)"),
    },
    "web": {
        "host": _k("str", "127.0.0.1", "address `audit-worker serve` listens on (127.0.0.1: this machine only)"),
        "port": _k("int", 8080, "port `audit-worker serve` listens on", min=1),
        "page_size": _k("int", 50, "alerts per page of the web inbox", min=1),
        "public_read": _k("bool", False, "serve the pages to anyone without login (actions still need one)"),
        "secret_env": _k("str", "AUDIT_WORKER_WEB_SECRET", "environment variable holding the key that signs "
                                                            "session cookies (unset: a new key per start)"),
        "session_hours": _k("float", 12.0, "a login lasts this long", min=0.01),
        "secure_cookies": _k("bool", False, "send the session cookie over HTTPS only (behind a TLS proxy)"),
        "proxy_user_header": _k("str", "", "trust this header (e.g. X-Remote-User) to name the user, "
                                           "from the addresses in trusted_proxies only"),
        "trusted_proxies": _k("list", [], "addresses of the reverse proxy whose user header is trusted"),
        "max_login_failures": _k("int", 5, "failed logins of one user within 15 minutes before the "
                                           "next are refused for 15 minutes", min=1),
        "export_max_rows": _k("int", 100000, "alerts in one CSV or XLSX export from the inbox at most "
                                             "(a file that was cut says so in its last row)", min=1),
        "export_xlsx_max_rows": _k("int", 20000, "alerts in one XLSX export at most (a workbook is slow to "
                                                 "write: about 1 s per 1 000 alerts; CSV for more)", min=1),
    },
    # Disclosure duties (issue 18): when an expected report is due; [[expected]] names who owes it.
    "disclosure": {
        "publish_within_days": _k("int", 20, "a 部门决算 is due this many days after the 批复 date printed "
                                             "in it", min=0),
        "deadline": _k("str", "", "a fixed due date (\"MM-DD\" of the year after the fiscal year, e.g. "
                                  "\"09-30\") for every expected report whose 批复 date is unknown ('' = none)"),
        "grace_days": _k("int", 0, "days after the due date before a report is judged late or missing", min=0),
        "deadlines": _k("dict", {}, "a fixed due date (\"MM-DD\") per region (北京市通州区) or source name; "
                                    "before the global deadline"),
        "expected_csv": _k("str", "", "a CSV of expected publishers (name, aliases, source, year, types, "
                                      "deadline), relative to config.toml ('' = none)"),
    },
    "expected": {"__duties__": True},   # [[expected]]: checked by worker/duties/settings.py
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
