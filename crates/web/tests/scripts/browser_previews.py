"""Previews in headless Chromium (MS-1, issue 22 journey 8), as a doctor then as a
patient: the letter's photo shown in the page (decoded: its natural width), and
each preview fetched by the page itself: status, type, disposition, the sandbox
policy and `nosniff`. Prints `label 0 text`; every page is checked for accessibility
and reflow by browsercase."""
from browsercase import By, A, driver, follow, login, out

# The page fetches a preview with the session, as a click on it would.
HEADERS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(r => done([r.status,
  'type=' + r.headers.get('content-type'), 'disposition=' + r.headers.get('content-disposition'),
  'csp=' + r.headers.get('content-security-policy'),
  'options=' + r.headers.get('x-content-type-options')].join(' | ')))
  .catch(e => done('failed: ' + e));
"""


def walk(who, label):
    driver.delete_all_cookies()
    login(A[who], A[f"{who}_totp"])
    follow("#messages tbody a")
    image = driver.find_element(By.CSS_SELECTOR, "img.preview")
    out(f"{label}-image", image.get_attribute("alt") + " | loaded=" + str(driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image)).lower()
        + f" | width={driver.execute_script('return arguments[0].naturalWidth', image)}")
    pdf = driver.find_element(By.CSS_SELECTOR, "a.preview-link").get_attribute("href")
    out(f"{label}-pdf", driver.execute_async_script(HEADERS, pdf))
    out(f"{label}-png", driver.execute_async_script(HEADERS, image.get_attribute("src")))


try:
    walk("alice", "doctor")
    walk("patient", "patient")
finally:
    driver.quit()
