"""Untrusted text made safe to show: report text, receivers' answers, file names.

Text from a portal, a file name or a webhook receiver's error body is data,
never instructions to the terminal or to a spreadsheet:

* `clean` drops terminal control sequences (ANSI CSI/OSC escapes, a bare
  ESC, CR, the other C0 and C1 controls, DEL) and the bidirectional-override
  characters that make text read differently from what it is; newline and
  tab are kept.
* `markup` is `clean` plus Rich markup escaping, for anything printed through
  a Rich console or table (`[/bold]` in a report is text, not a style).
* `csv_cell` neutralises a spreadsheet formula (OWASP "CSV injection").
* `strip_userinfo` drops a password written into a URL before it is shown.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from rich.markup import escape as _rich_escape

# ESC [ … final byte (CSI), ESC ] … BEL/ST (OSC), ESC P/X/^/_ … ST (DCS and
# friends), ESC + one character; and the 8-bit forms of CSI (0x9b) and OSC (0x9d).
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?")
# Every C0 control but \t and \n, DEL, every C1 control, and the Unicode
# bidi embeddings/overrides/isolates ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# OWASP: a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def clean(value: object) -> str:
    """`value` as plain text: no terminal control sequences, \n and \t kept."""
    text = "" if value is None else str(value)
    if not text.isprintable():           # fast path: most text has nothing to strip
        text = text.replace("\r\n", "\n")
        text = _SEQUENCES.sub("", text)
        text = _CONTROLS.sub("", text)
    return text


def markup(value: object) -> str:
    """`value` for a Rich console or table: cleaned, and its markup escaped."""
    text = clean(value)
    # rich's escape leaves a trailing backslash, which would escape our own closing tag.
    if text.endswith("\\"):
        text += " "
    return _rich_escape(text)


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: a leading ', as OWASP recommends."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def strip_userinfo(url: object) -> str:
    """A URL as shown to a person: any user:password@ removed."""
    text = clean(url)
    if "@" not in text:
        return text
    try:
        p = urlsplit(text)
        if p.username is None and p.password is None:
            return text
        netloc = p.netloc.rsplit("@", 1)[1]
        return urlunsplit((p.scheme, netloc, p.path, p.query, p.fragment))
    except ValueError:
        return "<invalid url>"
