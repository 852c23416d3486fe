// The badge page's service worker (badges/phone.py): network first, the last good copy offline.
const CACHE = "{{ cache_name|escapejs }}";
const PAGE = "{{ page|escapejs }}";
// What the page needs besides itself, kept at install so that the first visit is enough.
const ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all([PAGE, ...ASSETS].map((url) =>
        fetch(url, { credentials: "same-origin" })
          .then((response) => (response.ok ? cache.put(url, response) : null))
          .catch(() => null))))
      .then(() => self.skipWaiting())
  );
});
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("bayline-badge-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function isPage(url) {
  return url.pathname === PAGE;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const key = isPage(url) ? PAGE : request.url;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.ok && response.type === "basic") {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
      } else if (isPage(url)) {
        // No badge any more (404), or nobody logged in (a redirect to the login page):
        // the copy kept for offline use goes too.
        event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(PAGE)));
      }
      return response;
    }).catch(() =>
      caches.open(CACHE)
        .then((cache) => cache.match(key))
        .then((kept) => kept || Response.error())
    )
  );
});
