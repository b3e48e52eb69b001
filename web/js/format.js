// Numbers, days and times as people read them: Vietnamese (395.987; 98,78%; 31/08/2024) or
// English (395,987; 98.78%; 2024-08-31). Written by hand rather than with Intl, so that every
// browser shows the same text and the browser test can check it.
// Knows nothing of the page or the API: values in, text out.

const SEP = {
  vi: { group: '.', decimal: ',' },
  en: { group: ',', decimal: '.' },
};

// A missing figure (null: nothing to divide) is shown as a dash.
export const NONE = '—';

function grouped(digits, group) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, group);
}

// fixed(1234.5, 2, 'vi') = '1.234,50'.
function fixed(x, decimals, lang) {
  const s = SEP[lang] || SEP.vi;
  const [whole, frac] = Math.abs(x).toFixed(decimals).split('.');
  const sign = x < 0 && Number(whole + (frac || '')) !== 0 ? '-' : '';
  return sign + grouped(whole, s.group) + (frac ? s.decimal + frac : '');
}

export function int(n, lang) {
  return n === null || n === undefined ? NONE : fixed(n, 0, lang);
}

// A fraction from 0 to 1 as a percentage with two decimals: 0.987837 -> 98,78%.
export function rate(x, lang) {
  return x === null || x === undefined ? NONE : fixed(x * 100, 2, lang) + '%';
}

// Index points, two decimals as the index rounds them: 61.89 -> 61,89.
export function points(x, lang) {
  return x === null || x === undefined ? NONE : fixed(x, 2, lang);
}

// An amount of money: 39219800000 -> 39.219.800.000 ₫.
export function vnd(n, lang) {
  return n === null || n === undefined ? NONE : fixed(n, 0, lang) + ' ₫';
}

// Formats value as kind: 'int', 'rate', 'points', 'vnd' or 'day'.
export function as(kind, value, lang) {
  switch (kind) {
    case 'rate': return rate(value, lang);
    case 'points': return points(value, lang);
    case 'vnd': return vnd(value, lang);
    case 'day': return day(value, lang);
    case 'time': return time(value, lang);
    default: return int(value, lang);
  }
}

// A day YYYY-MM-DD: 31/08/2024 in Vietnamese, as it is in English.
export function day(iso, lang) {
  if (!iso) return NONE;
  if (lang === 'en') return iso;
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

// A UTC time YYYY-MM-DDTHH:MM:SSZ in Vietnam's time (+07:00, no daylight saving):
// 04/12/2026 17:53 or 2026-12-04 17:53.
export function time(utc, lang) {
  if (!utc) return NONE;
  const t = new Date(Date.parse(utc) + 7 * 3600 * 1000).toISOString();
  return `${day(t.slice(0, 10), lang)} ${t.slice(11, 16)}`;
}

// The month of a day: T8/2024 or 2024-08.
export function month(iso, lang) {
  return lang === 'en' ? iso.slice(0, 7) : `T${Number(iso.slice(5, 7))}/${iso.slice(0, 4)}`;
}
