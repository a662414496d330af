"""The admin console in headless Chromium: a registration authority verifies a pending
account with its evidence (ID-2); every admin page is read for the Rust test to check
that no message content appears (AC-2); the staff member's session, used on the API,
opens no one else's mail.
"""
import http.client
import ssl

from browsercase import A, BASE, EC, By, driver, gone, login, out, wait
from selenium.webdriver.support.ui import Select


try:
    login(A["staff"], A["staff_totp"])
    driver.find_element(By.LINK_TEXT, "Administration").click()
    wait.until(EC.url_contains("/admin/accounts"))
    out("queue", driver.find_element(By.TAG_NAME, "main").text)
    if A.get("shots"):
        driver.save_screenshot(A["shots"] + "/admin-queue.png")
    Select(driver.find_element(By.CSS_SELECTOR, "select[name=evidence]")).select_by_value("identity_document")
    # ID-2 (004 §7.1): the holder's ordinary address, without which no activation.
    driver.find_element(By.CSS_SELECTOR, "input[name=contact]").send_keys("nouveau@contact.example")
    before = driver.find_element(By.TAG_NAME, "main")
    driver.find_element(By.XPATH, "//button[normalize-space()='Verify identity']").click()
    # The page comes back at the same address: wait for the old one to go.
    wait.until(gone(before))
    out("queue-after", driver.find_element(By.TAG_NAME, "main").text)
    # Suspending asks first, naming the account; cancelled, nothing changes.
    driver.get(BASE + "/admin/accounts")
    suspend = f"//tr[td[contains(., '{A['other']}')]]//form[contains(@action, '/suspend')]//button"
    driver.find_element(By.XPATH, suspend).click()
    wait.until(EC.presence_of_element_located((By.ID, "confirm")))
    out("suspend-asked", driver.title + " | " + driver.find_element(By.TAG_NAME, "main").text)
    driver.find_element(By.ID, "cancel").click()
    wait.until(EC.url_contains("/admin/accounts"))
    driver.find_element(By.XPATH, suspend).click()
    wait.until(EC.presence_of_element_located((By.ID, "confirm")))
    driver.find_element(By.CSS_SELECTOR, "#confirm button").click()
    wait.until(EC.url_contains("/admin/accounts"))
    out("suspended", driver.find_element(By.XPATH, f"//tr[td[contains(., '{A['other']}')]]").text)
    # MS-15: a health alert to the physicians of Paris.
    driver.get(BASE + "/admin/broadcast")
    driver.find_element(By.ID, "alert-subject").send_keys("Alerte Zorglub")
    driver.find_element(By.ID, "alert-text").send_keys("Rappel de lot Zorglub")
    # Without an audience the alert is refused, in plain words, keeping what was typed.
    driver.find_element(By.CSS_SELECTOR, "#broadcast button[type=submit]").click()
    refusal = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]"))).text
    kept = [driver.find_element(By.ID, i).get_attribute("value") for i in ("alert-subject", "alert-text")]
    out("broadcast-refused", f"{refusal} | kept={kept}")
    Select(driver.find_element(By.ID, "profession")).select_by_value("10")
    driver.find_element(By.ID, "department").send_keys("75")
    driver.find_element(By.CSS_SELECTOR, "#broadcast button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
    out("broadcast", driver.find_element(By.TAG_NAME, "main").text)
    # TR-6: a breach recorded in the register, its 72-hour deadline shown.
    driver.get(BASE + "/admin/breaches")
    Select(driver.find_element(By.ID, "breach-nature")).select_by_value("confidentiality")
    before = driver.find_element(By.TAG_NAME, "main")
    driver.find_element(By.CSS_SELECTOR, "#breach-record button[type=submit]").click()
    wait.until(gone(before))
    out("breach", driver.find_element(By.ID, "breaches").text)
    for path in ["/admin/accounts", "/admin/status", "/admin/alerts", "/admin/traces",
                 "/admin/broadcast", "/admin/breaches", "/admin/announcements"]:
        driver.get(BASE + path)
        out("page:" + path, driver.page_source)
        if A.get("shots") and path in ("/admin/traces", "/admin/broadcast"):
            driver.save_screenshot(A["shots"] + path.replace("/admin/", "/admin-") + ".png")
    token = driver.get_cookie("__Host-caduceus")["value"]
    # The auditor's export (CSV), with the same session cookie.
    ctx = ssl.create_default_context(cafile=A["ca"])
    conn = http.client.HTTPSConnection("127.0.0.1", int(A["port"]), context=ctx)
    conn.request("GET", "/admin/traces.csv?days=30", headers={"Cookie": f"__Host-caduceus={token}"})
    response = conn.getresponse()
    out("traces-csv", f"{response.status} {response.getheader('Content-Type')} {response.read().decode()}")
    # The same person on the API: another's message and mailbox stay closed (AC-1).
    ctx = ssl.create_default_context(cafile=A["ca"])
    for label, path in [("api-other-message", f"/api/v1/messages/{A['other_message']}"),
                        ("api-other-mailbox", f"/api/v1/folders?mailbox={A['other']}")]:
        conn = http.client.HTTPSConnection("127.0.0.1", int(A["port"]), context=ctx)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        out(label, f"{response.status} {response.read().decode()}")
finally:
    driver.quit()
