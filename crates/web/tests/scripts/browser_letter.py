"""A lab report written in HTML, read in headless Chromium (MS-1): the message page
frames the letter, sandboxed; the frame shows the report's table and its red
abnormal value, runs no script and loads nothing remote; the text version is one
click away. Every page is checked for accessibility and reflow by browsercase.
"""
from browsercase import A, By, audit, driver, follow, login, out, raw, shot, start_tracker

# A tracker the report's remote image points at: it must never be asked anything.
hits, tracker = start_tracker()

try:
    login(A["alice"], A["alice_totp"])
    follow("#messages tbody a")
    frame = driver.find_element(By.ID, "letter")
    out("frame", f"sandbox={frame.get_attribute('sandbox')!r} title={frame.get_attribute('title')}")
    shot("html-lab-report")
    # The letter as the reader sees it, in its frame: the cells and the red value.
    raw.switch_to.frame(raw.find_element(By.ID, "letter"))
    try:
        out("framed", raw.page_source)
        cells = raw.find_elements(By.TAG_NAME, "td")
        out("cells", " | ".join(c.text for c in cells))
        abnormal = [c for c in cells if "10,2" in c.text][0]
        out("abnormal-colour", abnormal.value_of_css_property("color"))
        sources = [img.get_attribute("src") or "none" for img in raw.find_elements(By.TAG_NAME, "img")]
        out("framed-images", " ".join(source[:15] for source in sources))
    finally:
        raw.switch_to.default_content()
    out("script-ran", driver.execute_script("return window.caduceusPwned === true"))
    out("tracker-hits", len(hits))
    driver.find_element(By.CSS_SELECTOR, "#text-version summary").click()
    audit.check()
    out("text-version", driver.find_element(By.CSS_SELECTOR, "#text-version .body").text)
    # The PDF's preview, opened inline: what Chromium made of it (its type, and
    # whether its viewer is embedded).
    preview = driver.find_element(By.CSS_SELECTOR, "a.preview-link").get_attribute("href")
    raw.get(preview)
    out("pdf-preview", raw.execute_script(
        "return document.contentType + ' embed=' + document.querySelectorAll('embed').length"))
finally:
    driver.quit()
    tracker.shutdown()
