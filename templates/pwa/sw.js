// Jinmyaku's service worker (version {{ version }}): static files from its cache, pages from the
// network first (the last copy when offline), and the morning notice. Rendered by followups.pwa.
"use strict";

const VERSION = "{{ version }}";
const STATIC_CACHE = "jinmyaku-static-" + VERSION;
// Pages the user opened, for offline use; cleared when they log out (static/js/app.js).
const PAGES_CACHE = "jinmyaku-pages";
const PAGES_KEPT = 40;
const PRECACHE = {{ precache|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};
const OFFLINE_URL = {{ offline_url|safe }};
const WEEK_URL = {{ week_url|safe }};
const ICON = {{ icon|safe }};
const BADGE = {{ badge|safe }};

self.addEventListener("install", (event) => {
  // One file that cannot be fetched must not keep the worker from installing.
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => Promise.all(PRECACHE.map((url) => cache.add(url).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("jinmyaku-static-") && name !== STATIC_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function staticFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function keepPage(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(request, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - PAGES_KEPT))) {
    await cache.delete(old);
  }
}

async function networkFirst(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      event.waitUntil(keepPage(request, response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true });
    return cached || (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event));
  }
});

// The morning notice: counts only, never a name (the payload is built on the server).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = data.title || "Jinmyaku";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      icon: ICON,
      badge: BADGE,
      tag: data.tag || "jinmyaku-morning",
      data: { url: data.url || WEEK_URL },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || WEEK_URL, self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).pathname === target.pathname && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
