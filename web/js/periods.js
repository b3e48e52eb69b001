// Periods: the presets and the day they count from.
//
// The presets count from an anchor day: today, or, when the data ends before today (the demo's
// year, an archive), the last day of the latest month that received dossiers in the ten years
// before today (two small series: by year, then by month of the latest year with dossiers). So
// "this month" on the demo is its last month, not an empty one.
//
//   month  the anchor's calendar month;
//   lastq  the latest calendar quarter that has ended by the anchor (the anchor's own quarter
//          when the anchor is its last day);
//   9m     the reporting year's nine months as the seed report counts them: 15 December of the
//          year before to 31 August (a report on nine months is written in September);
//   year   the reporting year: 15 December of the year before to 14 December (Nghị định
//          09/2019/NĐ-CP, art. 12: figures close on the 14th of the period's last month).
// The reporting year of a day on or after 15 December is the next calendar year.

import { get } from './api.js';

const pad = (n) => String(n).padStart(2, '0');
const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m: 1..12

export function today() {
  // Vietnam's day (+07:00), whatever the browser's zone.
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

// Days from a to b, both YYYY-MM-DD, counting both.
export function days(a, b) {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86400000) + 1;
}

// The period {from, to} of preset name counted from anchor day a.
export function preset(name, a) {
  const y = +a.slice(0, 4), m = +a.slice(5, 7), d = +a.slice(8, 10);
  const ry = m === 12 && d >= 15 ? y + 1 : y; // the reporting year
  switch (name) {
    case 'month':
      return { from: iso(y, m, 1), to: iso(y, m, lastDay(y, m)) };
    case 'lastq': {
      let q = Math.floor((m - 1) / 3); // 0..3, the anchor's quarter
      let qy = y;
      if (!(m % 3 === 0 && d === lastDay(y, m))) q -= 1; // not its last day: the one before
      if (q < 0) {
        q = 3;
        qy -= 1;
      }
      return { from: iso(qy, 3 * q + 1, 1), to: iso(qy, 3 * q + 3, lastDay(qy, 3 * q + 3)) };
    }
    case '9m':
      return { from: iso(ry - 1, 12, 15), to: iso(ry, 8, 31) };
    default:
      return { from: iso(ry - 1, 12, 15), to: iso(ry, 12, 14) };
  }
}

// The anchor day (a promise): see the top of this file.
export async function anchor() {
  const t = today();
  const latest = async (interval, from, to) => {
    const s = await get('/api/v1/series', { interval, from, to });
    for (let i = s.points.length - 1; i >= 0; i--)
      if (s.points[i].dossiers.received > 0) return s.points[i];
    return null;
  };
  const year = await latest('year', iso(+t.slice(0, 4) - 9, 1, 1), t);
  if (!year) return t;
  const month = await latest('month', year.from, year.to);
  return month ? month.to : t;
}
