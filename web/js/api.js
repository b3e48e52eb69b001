// Reads the public API (GET /api/v1/...), the only source of the page's figures. Answers are
// kept for the page's lifetime by URL, so that going back shows the same answer at once; the
// server's ETag revalidates them when the page is loaded again.

const cache = new Map(); // url -> Promise of the parsed answer
const CACHE_MAX = 200;

// The URL of path with params (those with an empty value left out), in the given order.
export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== '' && v !== undefined) q.set(k, v);
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

// An answer that is not 2xx: the problem's detail (RFC 9457), which says what to do.
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function fetchJSON(u) {
  const r = await fetch(u, { headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok) throw new ApiError(r.status, (body && body.detail) || `HTTP ${r.status}`);
  return body;
}

// The parsed answer of GET path?params (a promise); rejects with an ApiError.
export function get(path, params) {
  const u = url(path, params);
  let p = cache.get(u);
  if (!p) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value);
    p = fetchJSON(u);
    cache.set(u, p);
    p.catch(() => cache.delete(u)); // a failure is not kept: the next try asks again
  }
  return p;
}
