// The webmail's service worker (MS-18): it makes the webmail installable and keeps
// the static assets (style, scripts, icons) for a quick start. It caches ONLY paths
// under /static/: never a mailbox page, never a message, never an API answer — those
// always go to the server, so nothing of a mailbox is left on the device.
'use strict';
const CACHE = 'caduceus-static-v1';
const CACHED_PREFIXES = ['/static/'];

const cacheable = (url) => url.origin === self.location.origin
  && CACHED_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || !cacheable(url)) return; // the network, untouched
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const kept = await cache.match(event.request);
    const fresh = fetch(event.request).then((reply) => {
      if (reply.ok) cache.put(event.request, reply.clone());
      return reply;
    });
    return kept || fresh;
  }));
});
