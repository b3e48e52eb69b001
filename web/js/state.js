// The page's state is its URL: /?unit=CODE&from=DAY&to=DAY&metric=ID&level=LEVEL&sort=COL&lang=en.
// Reading it back gives the same page, so a link shows a colleague what you see, and the
// browser's back and forward buttons move between states. A value that cannot be read is
// dropped (its default applies) rather than sent to the API.

export const DEFAULT_METRIC = 'qd766';
export const LEVELS = ['province', 'district', 'commune'];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

// True for a real day YYYY-MM-DD.
export function isDay(s) {
  const m = DAY.exec(s || '');
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

// The state in a query string (location.search).
export function parse(search) {
  const q = new URLSearchParams(search);
  const get = (k) => (q.get(k) || '').trim();
  const s = {
    unit: get('unit'),
    from: get('from'),
    to: get('to'),
    metric: get('metric'),
    level: get('level'),
    sort: get('sort'),
    lang: get('lang') === 'en' ? 'en' : 'vi',
  };
  if (s.unit.length > 64) s.unit = '';
  if (!isDay(s.from) || !isDay(s.to) || s.from > s.to) s.from = s.to = '';
  if (!/^[a-z0-9_]+(\.[A-Z0-9]+)?$/.test(s.metric)) s.metric = '';
  if (!LEVELS.includes(s.level)) s.level = '';
  if (!/^-?[a-z_]+$/.test(s.sort)) s.sort = '';
  return s;
}

// The query string of state s ('?...'), with what is set, in a fixed order.
export function query(s) {
  const q = new URLSearchParams();
  for (const k of ['unit', 'from', 'to', 'metric', 'level', 'sort']) if (s[k]) q.set(k, s[k]);
  if (s.lang === 'en') q.set('lang', 'en');
  const text = q.toString();
  return text ? '?' + text : '?';
}

// s with the changes in c.
export function withChanges(s, c) {
  return Object.assign({}, s, c);
}

// Goes to state s: a new history entry (push) or the current one replaced.
export function go(s, push) {
  const url = location.pathname + query(s);
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}
