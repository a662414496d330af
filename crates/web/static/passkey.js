// Passkeys (AU-1, MS-18): the WebAuthn ceremonies of the login page, the settings'
// passkeys page and a phone's pairing page. The server holds each ceremony's state;
// this script only carries its options to the browser and the answer back
// (binary fields as base64url).
'use strict';
(() => {
  const pad = (s) => s + '='.repeat((4 - (s.length % 4)) % 4);
  const bytes = (s) => Uint8Array.from(atob(pad(s.replace(/-/g, '+').replace(/_/g, '/'))), (c) => c.charCodeAt(0));
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  async function post(url, body, csrf) {
    const headers = { 'Content-Type': 'application/json' };
    if (csrf) headers['X-CSRF'] = csrf;
    const reply = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
    const answer = await reply.json().catch(() => ({}));
    if (!reply.ok) throw new Error(answer.error || String(reply.status));
    return answer;
  }

  async function register(form, name) {
    const csrf = form.dataset.csrf;
    const { ceremony, options } = await post(form.dataset.begin, { name }, csrf);
    const key = options.publicKey;
    key.challenge = bytes(key.challenge);
    key.user.id = bytes(key.user.id);
    (key.excludeCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    const made = await navigator.credentials.create({ publicKey: key });
    const credential = {
      id: made.id, rawId: text(made.rawId), type: made.type,
      response: {
        attestationObject: text(made.response.attestationObject),
        clientDataJSON: text(made.response.clientDataJSON),
      },
      extensions: made.getClientExtensionResults(),
    };
    return post(form.dataset.finish, { ceremony, credential }, csrf);
  }

  // A login: with `first` (address and password), the passkey is the second factor.
  async function login(first) {
    const begin = first ? '/login/passkey/password' : '/login/passkey/begin';
    const { ceremony, options } = await post(begin, first || {});
    const key = options.publicKey;
    key.challenge = bytes(key.challenge);
    (key.allowCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    const got = await navigator.credentials.get({ publicKey: key });
    const r = got.response;
    const credential = {
      id: got.id, rawId: text(got.rawId), type: got.type,
      response: {
        authenticatorData: text(r.authenticatorData), clientDataJSON: text(r.clientDataJSON),
        signature: text(r.signature), userHandle: r.userHandle ? text(r.userHandle) : null,
      },
      extensions: got.getClientExtensionResults(),
    };
    const finish = first ? '/login/passkey/password/finish' : '/login/passkey/finish';
    return post(finish, { ceremony, credential });
  }

  // What went wrong, said in the status line: the server's words, else the page's.
  function say(status, element, error) {
    const cancelled = !window.PublicKeyCredential || (error && error.name === 'NotAllowedError');
    status.textContent = cancelled ? element.dataset.unsupported
      : (error && error.message && !/^\d+$/.test(error.message) ? error.message : element.dataset.failed);
    status.dataset.outcome = 'error';
  }

  for (const id of ['passkey-add', 'passkey-pair']) {
    const form = document.getElementById(id);
    if (!form) continue;
    const status = form.querySelector('[role=status]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const done = await register(form, form.querySelector('input[name=name]').value);
        if (form.dataset.done) {
          status.textContent = form.dataset.done;
          status.dataset.outcome = 'done';
        } else {
          window.location.assign(done.next);
        }
      } catch (error) {
        say(status, form, error);
      }
    });
  }

  const status = document.getElementById('passkey-status');
  const field = (id) => document.getElementById(id).value;
  for (const [id, first] of [['login-passkey', () => null],
    ['login-password-passkey', () => ({ address: field('address'), password: field('password') })]]) {
    const button = document.getElementById(id);
    if (!button) continue;
    button.addEventListener('click', async () => {
      try {
        const done = await login(first());
        window.location.assign(done.next);
      } catch (error) {
        say(status, button, error);
      }
    });
  }
})();
