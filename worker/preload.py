"""Import everything a document's child process may import, before threads fork.

Why: each document is read in a forked child (worker/sandbox.py). When sources
are polled in threads, one thread may fork while another is half-way through
a first import; the child inherits that module's import lock held by a thread
that does not exist in it, and waits on it until its deadline kills it. With
every reader module imported up front, the children import nothing."""
from __future__ import annotations

import importlib
import logging
import pkgutil

log = logging.getLogger(__name__)

# Third-party libraries the extractors import lazily (one place to add one).
_LIBRARIES = ("lxml.etree", "lxml.html", "charset_normalizer", "opencc", "pdfplumber", "pypdfium2",
              "pdfminer.pdfdocument", "openpyxl", "openpyxl.utils.cell", "xlrd", "docx", "docx.table",
              "docx.text.paragraph")
_PACKAGES = ("worker.extract", "worker.parse", "worker.read", "rules.taxonomy")

_done = False


def preload_reader() -> list[str]:
    """Import the reader's packages and libraries once; returns what could not
    be imported (an optional format's library may be missing: its documents
    then fail with their own clear reason, as before)."""
    global _done
    missing: list[str] = []
    if _done:
        return missing
    for name in _PACKAGES:
        pkg = importlib.import_module(name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=name + "."):
            try:
                importlib.import_module(info.name)
            except ImportError as e:
                missing.append(f"{info.name}: {e}")
    for name in _LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError as e:
            missing.append(f"{name}: {e}")
    from rules.taxonomy import default
    from worker.textnorm import _converter

    default()       # the taxonomy is loaded and validated once, not in every child
    _converter()
    if missing:
        log.info("reader modules not importable: %s", "; ".join(missing))
    _done = True
    return missing
