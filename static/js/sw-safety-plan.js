/* OpenIOP: keeps the participant's safety plan readable with no connection.
 *
 * Served at /safety/my-plan/sw.js so its scope is /safety/my-plan/ (it controls that page and
 * nothing else). Network first: each visit online stores the page (and the stylesheets and
 * scripts it loads) in one cache; with no connection the stored copy is shown. When the server
 * answers with a redirect (the person signed out or the session ended), the copy is deleted,
 * so the plan is not kept for someone who is no longer signed in. Signed-out pages delete the
 * cache as well (static/js/sw-safety-plan-clear.js).
 */
"use strict";

const CACHE = "openiop-safety-plan-v1";
const PAGE = new URL("./", self.registration.scope).pathname;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function fromNetworkThenCache(request, key, isPage) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const cached = await caches.match(key, { cacheName: CACHE, ignoreVary: true, ignoreSearch: true });
    if (cached) {
      return cached;
    }
    throw error;
  }
  if (response.type === "opaqueredirect" || response.redirected) {
    if (isPage) {
      await caches.delete(CACHE);
    }
  } else if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(key, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(fromNetworkThenCache(request, PAGE, true));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromNetworkThenCache(request, url.pathname, false));
  }
});

async function store(paths) {
  const cache = await caches.open(CACHE);
  for (const path of paths) {
    const url = new URL(path, self.location.origin);
    const isPage = url.pathname === PAGE;
    if (url.origin !== self.location.origin || !(isPage || url.pathname.startsWith("/static/"))) {
      continue;
    }
    try {
      const response = await fetch(url.pathname, { redirect: "manual", credentials: "same-origin" });
      if (response.ok && response.type === "basic") {
        await cache.put(url.pathname, response);
      } else if (isPage) {
        await caches.delete(CACHE);
        return;
      }
    } catch (error) {
      // Offline: keep what is stored.
    }
  }
}

// The page sends its own path and assets on each load: the first visit happens before this
// worker controls the page, so the fetch handler above has not stored it yet.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "store" && Array.isArray(data.paths)) {
    event.waitUntil(store(data.paths.slice(0, 20)));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(CACHE));
  }
});
