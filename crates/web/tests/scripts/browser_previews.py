"""Previews in headless Chromium (MS-1, issue 22 journey 8), as a doctor then as a
patient: the letter's photo shown in the page (decoded: its natural width), and
each preview fetched by the page itself: status, type, disposition, the sandbox
policy and `nosniff`; then the PDF opened as its link opens it (a page of its own)
and drawn by Chromium's PDF viewer under that sandbox policy: its red page counted in
a screenshot. Prints `label 0 text`; every page is checked for accessibility and
reflow by browsercase."""
import struct
import time
import zlib

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


def red_pixels(png):
    """The pixels of an 8-bit RGB(A) PNG (a Chromium screenshot) that are pure red."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    chunks, at = [], 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            chunks.append(png[at + 8:at + 8 + length])
        at += 12 + length
    raw, size = zlib.decompress(b"".join(chunks)), 3 if colour == 2 else 4
    stride, previous, red = width * size, bytearray(width * size), 0
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        red += sum(1 for x in range(0, stride, size)
                   if line[x] > 200 and line[x + 1] < 60 and line[x + 2] < 60)
        previous = line
    return red


def drawn(pdf):
    """Opens the PDF as a page of its own, as its link does (`target=_blank`), and
    counts the red of its page once the viewer drew it (4 tries, a second apart)."""
    driver.get(pdf)
    red = 0
    for _ in range(4):
        time.sleep(1)
        red = red_pixels(driver.get_screenshot_as_png())
        if red > 1000:
            break
    return red


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
    out(f"{label}-pdf-drawn", f"red={drawn(pdf)}")


try:
    walk("alice", "doctor")
    walk("patient", "patient")
finally:
    driver.quit()
