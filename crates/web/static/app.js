// Caduceus webmail: the little JavaScript it has. Everything works without it, except
// the directory suggestions, the rule check before sending, the upload progress and the
// keyboard shortcuts.
"use strict";

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// Directory suggestions for the recipient fields (ID-4): a <datalist> filled from
// /mail/patients?q=… (the patients one exchanged with, marked) and /mail/directory?q=…
for (const input of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(input.getAttribute("list"));
  input.addEventListener("input", debounce(async () => {
    const words = input.value.split(",");
    const q = words[words.length - 1].trim();
    if (q.length < 2) return;
    // The patients one already exchanged with first (issue 22), then the directory.
    const asked = ["/mail/patients?q=", "/mail/directory?q="].map(async (path) => {
      const response = await fetch(path + encodeURIComponent(q), { credentials: "same-origin" });
      return response.ok ? response.json() : [];
    });
    const found = (await Promise.all(asked)).flat();
    const prefix = words.slice(0, -1).map((w) => w.trim()).filter(Boolean);
    list.replaceChildren(...found.map((entry) => {
      const option = document.createElement("option");
      option.value = prefix.concat([entry.address]).join(", ");
      option.label = entry.label;
      return option;
    }));
  }, 200));
}

// Whom the letter goes to, by name, beside the fields as it is written (ID-4): as the
// template's `names` macro shows them (a patient marked, the address beside a name).
function named(recipients) {
  const line = document.getElementById("recipients");
  if (!line) return;
  const spans = recipients.map((r) => {
    const person = document.createElement("span");
    person.className = "person";
    person.append(r.name);
    if (r.patient) {
      const badge = document.createElement("span");
      badge.className = "badge patient";
      badge.textContent = line.dataset.patient;
      person.append(" ", badge);
    }
    for (const [shown, text] of [[r.detail, `(${r.detail})`], [!r.patient && r.name !== r.address, `<${r.address}>`]]) {
      if (!shown) continue;
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = text;
      person.append(" ", hint);
    }
    return person;
  });
  const names = document.getElementById("recipient-names");
  names.replaceChildren(...spans.flatMap((s, i) => (i ? [", ", s] : [s])));
  line.hidden = recipients.length === 0;
}

// The rules shown before sending (MS-11, MS-12, MS-9): asked of the server as the
// message is written, shown inline.
const compose = document.getElementById("compose");
if (compose) {
  const box = document.getElementById("rules");
  const check = debounce(async () => {
    const data = new URLSearchParams();
    for (const name of ["to", "cc", "subject", "csrf"]) data.set(name, compose.elements[name].value);
    const response = await fetch("/mail/check", { method: "POST", body: data, credentials: "same-origin" });
    if (!response.ok) return;
    const { warnings, recipients } = await response.json();
    named(recipients);
    box.replaceChildren(...warnings.map((w) => {
      const p = document.createElement("p");
      p.className = "notice warning";
      p.setAttribute("role", "alert");
      p.textContent = w.text;
      return p;
    }));
  }, 300);
  for (const name of ["to", "cc", "subject"]) compose.elements[name].addEventListener("input", check);

  // Upload progress on large attachments.
  compose.addEventListener("submit", (event) => {
    const files = compose.elements["attachment"].files;
    let size = 0;
    for (const f of files) size += f.size;
    if (size < 256 * 1024) return;
    event.preventDefault();
    const bar = document.getElementById("progress");
    bar.hidden = false;
    const request = new XMLHttpRequest();
    // The button pressed decides where: send, or save the draft (its formaction).
    request.open("POST", (event.submitter && event.submitter.formAction) || compose.action);
    request.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    request.onload = () => { document.open(); document.write(request.responseText); document.close(); history.replaceState(null, "", request.responseURL); };
    request.send(new FormData(compose));
  });
}

// Keyboard shortcuts (MS-6): off until turned on in the settings, a choice kept in this
// browser only; one key, never while typing in a field (WCAG 2.1.4).
const SHORTCUTS = "caduceus-shortcuts";
const shortcutsBox = document.getElementById("shortcuts");
if (shortcutsBox) {
  shortcutsBox.hidden = false;
  const on = document.getElementById("shortcuts-on");
  on.checked = localStorage.getItem(SHORTCUTS) === "on";
  on.addEventListener("change", () => localStorage.setItem(SHORTCUTS, on.checked ? "on" : "off"));
}
if (localStorage.getItem(SHORTCUTS) === "on") {
  const rows = [...document.querySelectorAll("#messages tbody tr")];
  let chosen = -1;
  const choose = (i) => {
    if (chosen >= 0) rows[chosen].classList.remove("chosen");
    chosen = i;
    rows[i].classList.add("chosen");
    rows[i].querySelector("a[href*='/message/']").focus();
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const go = (id) => {
      const target = document.getElementById(id);
      if (!target) return;
      event.preventDefault();
      target.click();
    };
    switch (event.key) {
      case "j": if (rows.length) { event.preventDefault(); choose(Math.min(chosen + 1, rows.length - 1)); } break;
      case "k": if (rows.length) { event.preventDefault(); choose(Math.max(chosen - 1, 0)); } break;
      case "o": if (chosen >= 0) { event.preventDefault(); rows[chosen].querySelector("a[href*='/message/']").click(); } break;
      case "u": go("back"); break;
      case "r": go("reply"); break;
      case "a": go("reply-all"); break;
      case "f": go("forward"); break;
      case "c": go("compose-link"); break;
      case "/": { const search = document.getElementById("q"); if (search) { event.preventDefault(); search.focus(); } break; }
    }
  });
}

// Drafts (issue 22): while the letter changes, it is saved in Drafts every twenty
// seconds, replacing its previous draft; the form's "save draft" button does the
// same without JavaScript. A session that ended leads to the login page, which says
// that the letter is in Drafts.
const draftForm = document.getElementById("compose");
if (draftForm && document.getElementById("save-draft")) {
  const status = document.getElementById("draft-status");
  const saveUrl = document.getElementById("save-draft").getAttribute("formaction");
  let changed = false;
  let saving = false;
  draftForm.addEventListener("input", () => { changed = true; });
  draftForm.addEventListener("change", () => { changed = true; });
  const autosave = async () => {
    if (!changed || saving) return;
    changed = false;
    saving = true;
    try {
      const response = await fetch(saveUrl, {
        method: "POST",
        body: new FormData(draftForm),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const json = (response.headers.get("content-type") || "").startsWith("application/json");
      if (response.redirected || !json) {
        if (draftForm.elements["draft"].value) window.location.assign("/login?kept=draft");
        return;
      }
      if (!response.ok) { changed = true; return; }
      const saved = await response.json();
      draftForm.elements["draft"].value = String(saved.draft);
      const time = new Date().toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      status.textContent = status.dataset.saved + " " + time;
    } catch (e) {
      changed = true;
    } finally {
      saving = false;
    }
  };
  setInterval(autosave, 20000);
}

// The installable webmail (MS-18): the service worker keeps static assets only.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
