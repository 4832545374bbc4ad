"""The web chat page through API Gateway, in headless Chromium (Debian's, driven by Selenium): enter the
key once, ask, see a cited answer; the screenshot is kept under .state/test-artifacts/."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ARTIFACTS = Path(__file__).resolve().parents[2] / ".state" / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from devstack.browser import ensure_browser

    chromium, driver = ensure_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900", "--lang=en-US"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    yield browser
    browser.quit()


def test_the_page_needs_no_key_and_calls_nothing_else(full_stack):
    with urllib.request.urlopen(full_stack["api_url"] + "/", timeout=30) as resp:
        assert resp.status == 200 and resp.headers["content-type"].startswith("text/html")
        page = resp.read().decode()
    assert "<title>teamlens</title>" in page and "connect-src 'self'" in resp.headers["content-security-policy"]


def test_ask_in_the_browser_shows_a_cited_answer(browser, demo_indexed, full_stack):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    assert demo_indexed["status"] == "SUCCEEDED"
    browser.get(full_stack["api_url"] + "/")
    wait = WebDriverWait(browser, 120)
    key = wait.until(ec.visibility_of_element_located((By.ID, "key")))  # asked once, kept in the browser
    key.send_keys(full_stack["api_key"])
    browser.find_element(By.ID, "save-key").click()
    browser.find_element(By.ID, "question").send_keys("Which date library did the frontend team choose?")
    browser.find_element(By.ID, "send").click()
    link = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".turn.assistant ol.citations a")))
    assert link.get_attribute("href").startswith("http")
    answer = browser.find_element(By.CSS_SELECTOR, ".turn.assistant")
    assert answer.get_attribute("data-status") in ("answered", "sources_only") and "[1]" in answer.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "web_chat.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # the key stays in the browser: a reload does not ask again, and the next question continues the chat
    browser.refresh()
    assert not browser.find_element(By.ID, "key-dialog").get_attribute("open")
