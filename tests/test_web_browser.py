"""The web view in a real browser: headless Chromium (Debian's package) driven by Selenium through
chromedriver, against `audit-worker serve` running as a real process on 127.0.0.1.

An auditor logs in, filters the inbox, opens an alert of the demo data, sees
its quote highlighted in the report's text, acknowledges it; screenshots are
saved under out/ (out/web-alert.png, out/web-acked.png). `make test` installs
chromium and chromium-driver with apt-get; where they cannot be installed the
test is skipped and says why."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, WEB_USERS, db_rows

OUT = ROOT / "out"


def _driver_paths() -> tuple[str, str]:
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not Path(driver).exists() or not Path(browser).exists():
        pytest.skip(f"no headless Chromium here (looked for {browser} and {driver}): install Debian's "
                    f"chromium and chromium-driver (`make test` does, with apt-get)")
    try:
        import selenium
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    assert selenium.__version__
    return driver, browser


def wait_until(b, condition, timeout: float = 30.0) -> None:
    """Wait for a navigation's result (a click returns before the next page may have loaded)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(b, timeout).until(condition)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(web_db_copy, tmp_path):
    port = _free_port()
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "AUDIT_WORKER_WEB_SECRET": "a-test-key-long-enough", "AUDIT_WORKER_LANG": "zh"}
    proc = subprocess.Popen([sys.executable, "-m", "worker.cli", "--db", web_db_copy, "serve", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("serve did not start: " + proc.stderr.read().decode(errors="replace"))
            time.sleep(0.2)
    try:
        yield base, web_db_copy
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    driver_path, browser_path = _driver_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = browser_path
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--window-size=1280,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}", "--lang=zh-CN"):
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    d.set_page_load_timeout(60)
    try:
        yield d
    finally:
        d.quit()


def test_an_auditor_logs_in_filters_opens_an_alert_and_acknowledges_it(server, browser):
    from selenium.webdriver.common.by import By

    base, db = server
    b = browser
    b.get(base + "/")
    assert "/login" in b.current_url                          # nothing without a login
    b.find_element(By.NAME, "name").send_keys("audrey")
    b.find_element(By.NAME, "password").send_keys(WEB_USERS["audrey"][1])
    b.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait_until(b, lambda d: "/login" not in d.current_url)
    assert b.current_url.rstrip("/") == base
    assert "预警收件箱" in b.title

    # filter: high severity only (the facet's link), and check the count against the database
    high = db_rows(db, "SELECT id FROM alerts WHERE status = 'open' AND kind != 'source_failure'"
                       " AND severity = 'high' ORDER BY id DESC")
    assert high
    b.find_element(By.CSS_SELECTOR, 'section[data-facet="severity"] a[href*="severity=high"]').click()
    wait_until(b, lambda d: "severity=high" in d.current_url)
    assert "severity=high" in b.current_url
    total = int(b.find_element(By.CSS_SELECTOR, "p.total").get_attribute("data-total"))
    assert total == len(high)
    listed = [int(a.text.lstrip("#")) for a in b.find_elements(By.CSS_SELECTOR, "table.alerts td:first-child a")]
    assert listed and set(listed) <= {r["id"] for r in high}

    # open the first alert that has a quote located in the report's text
    with_quote = {r["alert_id"] for r in db_rows(db, "SELECT alert_id FROM alert_quotes WHERE quote_start IS NOT NULL")}
    alert_id = next(i for i in listed if i in with_quote)
    b.find_element(By.CSS_SELECTOR, f'table.alerts a[href="/alerts/{alert_id}"]').click()
    wait_until(b, lambda d: d.current_url.endswith(f"/alerts/{alert_id}"))
    assert b.current_url.endswith(f"/alerts/{alert_id}")
    mark = b.find_element(By.CSS_SELECTOR, "figure.quote pre.context mark")
    assert mark.is_displayed() and mark.text.strip()
    quote = db_rows(db, "SELECT quote FROM alert_quotes WHERE alert_id = ? AND quote_start IS NOT NULL ORDER BY n",
                    alert_id)[0]["quote"]
    assert mark.text.strip() == quote.strip()
    # the highlight is painted: its background is not the page's
    assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    OUT.mkdir(exist_ok=True)
    b.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    assert b.save_screenshot(str(OUT / "web-alert.png"))

    # acknowledge it
    b.find_element(By.CSS_SELECTOR, "form.ack input[name=comment]").send_keys("已核对原文,转入现场核查")
    b.find_element(By.CSS_SELECTOR, "form.ack button[type=submit]").click()
    wait_until(b, lambda d: not d.find_elements(By.CSS_SELECTOR, "form.ack"))
    assert b.current_url.endswith(f"/alerts/{alert_id}")
    assert not b.find_elements(By.CSS_SELECTOR, "form.ack")
    assert "已阅" in b.find_element(By.CSS_SELECTOR, "dl.meta").text
    row = db_rows(db, "SELECT status, acked_by, ack_comment FROM alerts WHERE id = ?", alert_id)[0]
    assert tuple(row) == ("acked", "audrey", "已核对原文,转入现场核查")
    assert b.save_screenshot(str(OUT / "web-acked.png"))
    assert (OUT / "web-acked.png").stat().st_size > 10_000
