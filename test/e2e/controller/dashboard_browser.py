"""Headless Chromium drives the controller dashboard.

Loads the page, waits for the three servers, checks that a utilization chart
redraws with new telemetry, clicks "Drain" on one server and checks that the
JSON API reports it draining, clicks "Restart" on another and sees it
restarting, then up, and sets a tenant's weight, class and memory
quota from the page's form. Saves a screenshot as a test artifact.
Usage: dashboard_browser.py HTTP_PORT SCREENSHOT_PATH
"""
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

port, screenshot = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"


def api(path):
    with urllib.request.urlopen(base + path, timeout=5) as r:
        return json.load(r)


options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.set_page_load_timeout(20)
    driver.get(base + "/")
    # The page updates every second; an element read between two updates
    # may be replaced under the test (a card leaves and comes back when a
    # server misses heartbeats on a loaded machine): look again.
    wait = WebDriverWait(driver, 15,
                         ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == 3)
    names = wait.until(lambda d: sorted(
        e.text for e in d.find_elements(By.CSS_SELECTOR, ".card .name")))
    assert names == ["alpha", "beta", "gamma"], names
    print("dashboard shows", names)

    # A chart updates: new telemetry samples are drawn.
    def samples(d):
        return int(d.find_element(By.ID, "chart-alpha").get_attribute("data-samples") or 0)

    def image(d):
        return d.execute_script("return arguments[0].toDataURL()",
                                d.find_element(By.ID, "chart-alpha"))

    wait.until(lambda d: samples(d) >= 2)
    before_samples, before_image = wait.until(lambda d: (samples(d), image(d)))
    wait.until(lambda d: samples(d) > before_samples)
    wait.until(lambda d: image(d) != before_image)
    print("chart redrew:", before_samples, "->", samples(driver), "samples")

    # Drain beta from the page; the API must say so.
    def click_drain(d):
        d.find_element(By.CSS_SELECTOR, '#server-beta button.drain').click()
        return True

    wait.until(click_drain)
    deadline = time.time() + 10
    while time.time() < deadline:
        state = {s["name"]: s["state"] for s in api("/api/v1/servers")}["beta"]
        if state == "draining":
            break
        time.sleep(0.1)
    assert state == "draining", state
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#server-beta .badge").text
               == "draining")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#server-beta button.drain").text
               == "Undrain")
    print("clicking Drain put beta into draining (API and page agree)")

    # Restart gamma from the page: it reports restarting (the simulator for
    # up to 2 s), then up again.
    driver.find_element(By.CSS_SELECTOR, '#server-gamma button.restart').click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#server-gamma .badge").text
               == "restarting")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#server-gamma .badge").text
               == "up")
    print("clicking Restart showed gamma restarting, then up again")

    # A tenant's settings from the form; the API and the page's table agree.
    from selenium.webdriver.support.ui import Select
    driver.find_element(By.ID, "tenant-name").send_keys("alice")
    weight = driver.find_element(By.ID, "tenant-weight")
    weight.clear()
    weight.send_keys("3")
    Select(driver.find_element(By.ID, "tenant-priority")).select_by_visible_text(
        "latency-sensitive")
    driver.find_element(By.ID, "tenant-quota").send_keys("1.5GiB")
    driver.find_element(By.CSS_SELECTOR, "#tenant-form button").click()
    deadline = time.time() + 10
    while time.time() < deadline:
        alice = api("/api/v1/weights")["fleet"].get("alice")
        if alice:
            break
        time.sleep(0.1)
    assert alice == {"weight": 3, "priority": "latency-sensitive",
                     "memoryQuota": 3 << 29}, alice
    wait.until(lambda d: "alice 3 latency-sensitive 1.5 GiB" in
               d.find_element(By.ID, "tenants").text)
    # A size the page cannot read is said, and nothing is sent.
    driver.find_element(By.ID, "tenant-name").clear()
    driver.find_element(By.ID, "tenant-name").send_keys("bob")
    driver.find_element(By.ID, "tenant-quota").clear()
    driver.find_element(By.ID, "tenant-quota").send_keys("lots")
    driver.find_element(By.CSS_SELECTOR, "#tenant-form button").click()
    wait.until(lambda d: "memory quota" in d.find_element(By.ID, "tenant-error").text)
    assert "bob" not in api("/api/v1/weights")["fleet"]
    time.sleep(1.2)  # a refresh later the message is still there
    assert "memory quota" in driver.find_element(By.ID, "tenant-error").text
    print("the tenant form set alice's weight, class and quota")

    # Clear alice from her row: gone from the API and the table.
    def click_clear(d):
        d.find_element(By.CSS_SELECTOR, '#tenants button.clear[data-tenant="alice"]').click()
        return True

    wait.until(click_clear)
    deadline = time.time() + 10
    while time.time() < deadline and "alice" in api("/api/v1/weights")["fleet"]:
        time.sleep(0.1)
    assert "alice" not in api("/api/v1/weights")["fleet"]
    wait.until(lambda d: "alice" not in d.find_element(By.ID, "tenants").text)
    print("Clear on alice's row cleared her settings")
    time.sleep(1.2)  # one more refresh so the screenshot shows live charts
    driver.save_screenshot(screenshot)
    print("screenshot:", screenshot)
finally:
    driver.quit()
