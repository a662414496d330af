"""Passkeys and a paired phone in headless Chromium with its virtual authenticators
(AU-1, MS-18): a professional registers a passkey in the settings, logs out, logs in
with it alone; pairs a phone from the QR code's address (another authenticator: the
phone) which registers its own passkey and logs in with it; the used link is refused;
the desktop revokes the phone, whose next login is refused. The installable webmail:
the manifest is linked and the service worker's Cache Storage holds static assets,
never a mail page. Every page is checked for accessibility by browsercase.
"""
from selenium.common.exceptions import WebDriverException

from browsercase import (A, BASE, By, EC, WebDriverWait, become, driver, follow, gone, login,
                         out, raw, session_cookie, shot, wait)

# Passkeys' own waits: a ceremony goes to the server twice and to the authenticator,
# then the page may change under the check.
slow = WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,))


def authenticator():
    """A new virtual authenticator (CTAP2, internal, resident keys, user verified)."""
    return raw.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})["authenticatorId"]


def credentials(device):
    return raw.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": device})["credentials"]


def status_says():
    """The status line's words once the script has written them."""
    slow.until(lambda d: d.find_element(By.ID, "passkey-status").get_attribute("data-outcome"))
    return driver.find_element(By.ID, "passkey-status").text


def passkey_login(label):
    """Clicks "Se connecter avec une clé d'accès"; prints where it led, or what it said."""
    driver.delete_all_cookies()
    driver.get(BASE + "/login")
    driver.find_element(By.ID, "login-passkey").click()
    slow.until(lambda d: "/mail/" in d.current_url
               or d.find_element(By.ID, "passkey-status").get_attribute("data-outcome"))
    if "/mail/" in driver.current_url:
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "nav.folders")))
        out(label, driver.current_url + " | " + driver.find_element(By.TAG_NAME, "header").text)
    else:
        out(label, driver.current_url + " | " + status_says())


try:
    raw.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
    desktop = authenticator()
    login(A["doctor"], A["doctor_totp"])
    out("manifest", driver.find_element(By.CSS_SELECTOR, "link[rel=manifest]").get_attribute("href"))

    # Register a passkey from the settings (AU-1).
    driver.get(BASE + "/mail/settings")
    follow("#passkeys-link")
    driver.find_element(By.ID, "passkey-name").send_keys("Ordinateur du cabinet")
    driver.find_element(By.CSS_SELECTOR, "#passkey-add button").click()
    slow.until(lambda d: "added" in d.current_url
               or d.find_element(By.ID, "passkey-status").get_attribute("data-outcome"))
    out("registered", driver.current_url + " | " + driver.find_element(By.ID, "passkeys").text)
    out("desktop-keys", f"{len(credentials(desktop))} resident "
        f"{all(c['isResidentCredential'] for c in credentials(desktop))}")

    # The service worker keeps static assets only, never a mail page (MS-18).
    driver.get(BASE + "/mail/folder/INBOX")
    driver.execute_async_script(
        "navigator.serviceWorker.ready.then(() => arguments[arguments.length - 1](true))")
    driver.get(BASE + "/mail/folder/INBOX")
    cached = """
    const done = arguments[arguments.length - 1];
    (async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      done(urls.map(u => new URL(u).pathname).sort().join(' '));
    })();
    """
    slow.until(lambda d: "/static/app.css" in d.execute_async_script(cached))
    out("cache-storage", driver.execute_async_script(cached))

    # Log out, log in with the passkey alone.
    follow("header form button")
    passkey_login("passkey-login")
    out("passkey-session", driver.get_cookie("__Host-caduceus") is not None)

    # Pair a phone: the QR code, its address as text beside it.
    driver.get(BASE + "/mail/settings/passkeys")
    follow("#pair-phone")
    url = driver.find_element(By.ID, "pair-url").text.strip()
    svg = driver.find_element(By.CSS_SELECTOR, "#pair-qr svg")
    out("pair-page", f"{url} | svg {svg.size['width']}x{svg.size['height']} | "
        + driver.find_element(By.TAG_NAME, "main").text)
    shot("pair-a-phone")
    desk = session_cookie()

    # The phone: its own authenticator, no session, the link opened.
    raw.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": desktop})
    phone = authenticator()
    driver.delete_all_cookies()
    driver.get(url)
    out("phone-page", driver.find_element(By.TAG_NAME, "main").text)
    driver.find_element(By.ID, "phone-name").send_keys("Téléphone")
    driver.find_element(By.CSS_SELECTOR, "#passkey-pair button").click()
    out("paired", status_says())
    out("phone-keys", len(credentials(phone)))
    shot("pair-a-phone-done", 390)
    passkey_login("phone-login")

    # The passkey as the second factor after the password (AU-1).
    driver.delete_all_cookies()
    driver.get(BASE + "/login")
    driver.find_element(By.ID, "address").send_keys(A["doctor"])
    driver.find_element(By.ID, "password").send_keys(A["password"])
    driver.find_element(By.ID, "login-password-passkey").click()
    slow.until(lambda d: "/mail/" in d.current_url)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "nav.folders")))
    out("password-passkey", driver.current_url + " | " + driver.find_element(By.TAG_NAME, "header").text)

    # The link again: used, refused in plain words.
    driver.delete_all_cookies()
    driver.get(url)
    out("reused", driver.find_element(By.TAG_NAME, "main").text)

    # The desktop lists the phone and revokes it; the phone's next login is refused.
    become(desk)
    driver.get(BASE + "/mail/settings/passkeys")
    out("listed", driver.find_element(By.ID, "passkeys").text)
    rows = driver.find_elements(By.CSS_SELECTOR, "#passkeys tbody tr")
    phone_row = [r for r in rows if "Téléphone associé" in r.text][0]
    old = driver.find_element(By.TAG_NAME, "html")
    phone_row.find_element(By.CSS_SELECTOR, "button").click()
    wait.until(gone(old))
    out("revoked", driver.find_element(By.ID, "passkeys").text)
    passkey_login("revoked-login")
finally:
    driver.quit()
