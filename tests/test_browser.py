"""A real browser opens the report: headless Chromium driven by Selenium.

Asserts that the verdict table of ``index.html`` is visible with one row per claim id, and
that the pages log no console error (a broken embedded figure or malformed markup shows up
there). Screenshots are kept in pytest's temporary folder (outside the source tree) and
their paths printed. Chromium is required: the README's test command ``./run-tests`` (which
CI runs through ``.ci/run``) installs it with apt-get when missing; when it is still missing
the test fails with the command that installs it, it does not skip.
"""

from __future__ import annotations

import json
import shutil

import pytest

from qgsym.claims import CLAIM_IDS
from qgsym.report import write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVERS = ("chromedriver", "chromium-driver")
INSTALL = ("run ./run-tests as root (it installs them), or: apt-get install chromium "
           "chromium-driver && pip install selenium")


def _driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed (needed for the browser test): {INSTALL}")
    browser = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    driver = next((shutil.which(d) for d in DRIVERS if shutil.which(d)), None)
    if browser is None or driver is None:
        pytest.fail("headless Chromium is required for the browser test and was not found "
                    f"(browser: {browser}, driver: {driver}); install it: {INSTALL}")
    options = Options()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report"
    # same arguments as tests/test_report.py: the cached results are reused when both run
    write_report(out, claims=["C6b"], derivations=["toy_model", "models"], fast=True)
    return out


@pytest.fixture(scope="module")
def browser():
    driver = _driver()
    yield driver
    driver.quit()


def _console_errors(driver) -> list:
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def test_verdict_table_is_visible_with_every_claim(report, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get((report / "index.html").as_uri())
    table = browser.find_element(By.ID, "verdict-table")
    assert table.is_displayed()
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert [row.get_attribute("data-claim") for row in rows] == [
        claim["id"] for claim in results["claims"]]
    assert set(CLAIM_IDS) <= {row.get_attribute("data-claim") for row in rows}
    assert all(row.is_displayed() for row in rows)
    badge = browser.find_element(By.CSS_SELECTOR, "#claim-C6b .verdict")
    colour = badge.value_of_css_property("background-color")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # verdicts are coloured
    screenshot = tmp_path / "index.png"
    browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 0
    assert _console_errors(browser) == []


@pytest.mark.parametrize("page", ["formulas.html", "models/tilted_dirac.html",
                                  "derivations/toy_model.html", "claims/C6b.html"])
def test_pages_render_without_console_errors(report, browser, tmp_path, page):
    from selenium.webdriver.common.by import By

    browser.get((report / page).as_uri())
    images = browser.find_elements(By.TAG_NAME, "img")
    for image in images:  # every embedded figure decoded to a non-empty picture
        assert browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", image), page
    browser.save_screenshot(str(tmp_path / (page.replace("/", "_") + ".png")))
    assert _console_errors(browser) == []
