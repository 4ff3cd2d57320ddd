"""Sources polled in threads fork a child per document: every module a child
may import is imported before, so no child waits on an import lock held by a
thread it does not have (worker/preload.py)."""
import subprocess
import sys

CHECK = r"""
import pkgutil, importlib, sys
from worker.preload import preload_reader, _LIBRARIES, _PACKAGES
assert "pdfplumber" not in sys.modules and "worker.extract.pdf" not in sys.modules, "imported too early"
missing = preload_reader()
assert not missing, missing
for name in _PACKAGES:
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, prefix=name + "."):
        assert info.name in sys.modules, info.name
for name in _LIBRARIES:
    assert name in sys.modules, name
print("ok")
"""


def test_preload_imports_every_reader_module_and_library():
    # A fresh interpreter: the test session has imported most of these already.
    p = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
