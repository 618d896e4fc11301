// Loopscope's service worker: after one visit the site works offline.
//
// This file is a template. The Trunk post-build hook `www/offline/precache.mjs`
// writes it into the build as `sw.js` with the two constants below filled in:
// every file of that build (hashed names included) and a version made from
// their contents, so a new deployment is a new service worker.
//
// - install: the new version downloads every asset into its own cache
//   (`loopscope <scope> <version>`) and takes over at once (skipWaiting);
// - activate: it deletes the caches of older versions at this scope (only
//   this scope's: several copies of the site can live on one origin) and
//   claims the open pages;
// - fetch: the page (a navigation to the scope, whatever its query) and the
//   assets come from the cache first, the network only for what is missing.
//
// A page opened before an update keeps what it has loaded; the next load
// shows the new version. Registered by index.html with a relative URL, so
// its scope is the directory the site is served from.

const VERSION = '__LOOPSCOPE_VERSION__';
const ASSETS = __LOOPSCOPE_ASSETS__;

const SCOPE = self.registration.scope;
const CACHE_PREFIX = `loopscope ${SCOPE} `;
const CACHE = CACHE_PREFIX + VERSION;
const PAGE = new URL('index.html', SCOPE).href;
const ASSET_URLS = new Set(ASSETS.map((asset) => new URL(asset, SCOPE).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // `no-cache`: revalidated with the server, never a stale HTTP cache entry.
      .then((cache) => cache.addAll([...ASSET_URLS].map((url) => new Request(url, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** The cached URL that answers `request`, or null to leave it to the network. */
function cachedUrlFor(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  url.hash = '';
  if (request.mode === 'navigate') {
    const page = url.origin + url.pathname;
    return page === SCOPE || page === PAGE ? PAGE : null;
  }
  url.search = '';
  return ASSET_URLS.has(url.href) ? url.href : null;
}

self.addEventListener('fetch', (event) => {
  const cached = cachedUrlFor(event.request);
  if (cached === null) return;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(cached))
      .then((response) => response ?? fetch(event.request)),
  );
});
