"""Helpers shared by the browser scripts: arguments, headless Chromium (Debian's
chromium + chromedriver, driven by Selenium), one output line per step (`label 0
text`), screenshots, the webmail's login, switching sessions.
"""
import os
import tempfile

from apicase import A, totp
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = f"https://127.0.0.1:{A['port']}"
SHOTS = A.get("shots")


def out(label, text):
    print(f"{label} 0 {' '.join(str(text).split())}", flush=True)


options = webdriver.ChromeOptions()
options.binary_location = A.get("chromium", "/usr/bin/chromium")
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1280,900",
            "--lang=fr-FR"]:
    options.add_argument(arg)
options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
# The server presents the development PKI's certificate.
options.accept_insecure_certs = True
driver = webdriver.Chrome(service=Service(A.get("chromedriver", "/usr/bin/chromedriver")), options=options)
wait = WebDriverWait(driver, 15)


def shot(name, width=None):
    if not SHOTS:
        return
    if width:
        driver.set_window_size(width, 844)
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))
    if width:
        driver.set_window_size(1280, 900)


def login(address, secret, label):
    driver.get(BASE + "/login")
    driver.find_element(By.ID, "address").send_keys(address)
    driver.find_element(By.ID, "password").send_keys(A["password"])
    driver.find_element(By.ID, "code").send_keys(totp(secret))
    driver.find_element(By.CSS_SELECTOR, "button[value=totp]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "nav.folders")))
    out(label, driver.current_url + " " + driver.find_element(By.TAG_NAME, "header").text)


def session_cookie():
    return driver.get_cookie("__Host-caduceus")


def become(cookie):
    driver.get(BASE + "/static/app.css")
    driver.delete_all_cookies()
    driver.add_cookie({k: cookie[k] for k in ["name", "value", "path", "secure", "httpOnly"]})
