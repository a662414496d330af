// Caduceus webmail: the little JavaScript it has. Everything works without it, except
// the directory suggestions, the rule check before sending and the upload progress.
"use strict";

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// Directory suggestions for the recipient fields (ID-4): a <datalist> filled from
// /mail/directory?q=…
for (const input of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(input.getAttribute("list"));
  input.addEventListener("input", debounce(async () => {
    const words = input.value.split(",");
    const q = words[words.length - 1].trim();
    if (q.length < 2) return;
    const response = await fetch("/mail/directory?q=" + encodeURIComponent(q), { credentials: "same-origin" });
    if (!response.ok) return;
    const found = await response.json();
    const prefix = words.slice(0, -1).map((w) => w.trim()).filter(Boolean);
    list.replaceChildren(...found.map((entry) => {
      const option = document.createElement("option");
      option.value = prefix.concat([entry.address]).join(", ");
      option.label = entry.label;
      return option;
    }));
  }, 200));
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
    const warnings = await response.json();
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
    request.open("POST", compose.action);
    request.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    request.onload = () => { document.open(); document.write(request.responseText); document.close(); history.replaceState(null, "", request.responseURL); };
    request.send(new FormData(compose));
  });
}

// The installable webmail (MS-18): the service worker keeps static assets only.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
