// The two tables of units: Form 06 (every unit below the chosen one with dossiers in the
// period, by level, sortable, with the API's CSV to download) and the ranking by a metric with
// the chosen unit's own rank ("5/34"). Unit names are links that open the unit's page.

import { url } from './api.js';
import { figure, el } from './figures.js';
import { t, named } from './i18n.js';
import { query, withChanges } from './state.js';

// Form 06's 14 counters, in the form's order (the summary's dossiers block).
export const COUNTERS = ['total', 'carried_over', 'received', 'received_online',
  'received_in_person', 'received_postal', 'resolved', 'resolved_early', 'resolved_on_time',
  'resolved_late', 'withdrawn', 'in_progress', 'in_progress_on_time', 'in_progress_overdue'];

// A link to the page of unit code, keeping the rest of the state.
export function unitLink(state, code, name) {
  const a = el('a', { href: query(withChanges(state, { unit: code, level: '', sort: state.sort })),
    'data-nav': '' }, name);
  return a;
}

function sortRows(rows, sort) {
  if (!sort) return rows.map((r, i) => [r, i]);
  const desc = sort.startsWith('-');
  const col = desc ? sort.slice(1) : sort;
  const keyed = rows.map((r, i) => [r, i]);
  keyed.sort(([a, i], [b, j]) => {
    let c;
    if (col === 'name') c = a.unit_name.localeCompare(b.unit_name, 'vi');
    else c = (a[col] ?? 0) - (b[col] ?? 0);
    if (desc) c = -c;
    return c || i - j;
  });
  return keyed;
}

// The header cell of a sortable column: a button that sorts by it (descending first for
// numbers), and aria-sort telling which way the table is sorted now.
function sortHeader(state, col, text, onSort) {
  const cur = state.sort.replace(/^-/, '');
  const desc = state.sort.startsWith('-');
  const th = el('th', { scope: 'col' });
  if (cur === col) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
  const next = cur === col ? (desc ? col : '-' + col) : (col === 'name' ? col : '-' + col);
  const b = el('button', { type: 'button', class: 'sort' }, text);
  b.setAttribute('aria-label', `${t('form06_sort')} ${text}, ${t(next.startsWith('-') ? 'sort_desc' : 'sort_asc')}`);
  b.addEventListener('click', () => onSort(next));
  th.append(b);
  return th;
}

// Fills box with the Form 06 table of answer f for state (sort: state.sort), and points the
// download link at the API's CSV of the same question.
export function renderForm06(box, link, f, state, onSort) {
  const head = el('tr', null, sortHeader(state, 'name', t('unit'), onSort));
  for (const c of COUNTERS) head.append(sortHeader(state, c, t('f06_' + c), onSort));
  const body = el('tbody');
  f.levels.forEach((lv, l) => {
    body.append(el('tr', { class: 'section' },
      el('th', { scope: 'rowgroup', colspan: String(COUNTERS.length + 1),
        text: t('level_' + lv.level) })));
    for (const [r, i] of sortRows(lv.rows, state.sort)) {
      const tr = el('tr', null, el('th', { scope: 'row' }, unitLink(state, r.unit_code, r.unit_name),
        el('span', { class: 'code', text: r.unit_code })));
      for (const c of COUNTERS)
        tr.append(figure('td', `form06.levels[${l}].rows[${i}].${c}`, r[c], 'int'));
      body.append(tr);
    }
    const tr = el('tr', { class: 'subtotal' }, el('th', { scope: 'row', text: `${t('sum')} ${t('lvl_' + lv.level)}` }));
    for (const c of COUNTERS)
      tr.append(figure('td', `form06.levels[${l}].total.${c}`, lv.total[c], 'int'));
    body.append(tr);
  });
  const foot = el('tr', { class: 'grand' }, el('th', { scope: 'row', text: t('grand_total') }));
  for (const c of COUNTERS) foot.append(figure('td', `form06.total.${c}`, f.total[c], 'int'));
  const table = el('table', { class: 'num form06' }, el('caption', { text: f.form }),
    el('thead', null, head), body, el('tfoot', null, foot));
  box.replaceChildren(el('div', { class: 'scroll', tabindex: '0', role: 'region',
    'aria-label': t('form06') }, table));
  const params = { from: state.from, to: state.to, unit: state.unit, format: 'csv' };
  link.href = url('/api/v1/reports/form06', params);
  link.setAttribute('download', `form06_${state.unit || 'all'}_${state.from}_${state.to}.csv`);
}

// The kind of a metric's values: the index's points or a rate.
export function metricKind(metric) {
  return metric.startsWith('qd766') ? 'points' : 'rate';
}

// The options of the metric picker: every rate of the catalogue, then the index and its groups.
export function metricOptions(catalogue) {
  const opts = catalogue.metrics.map((m) => [m.id, named(m)]);
  const idx = catalogue.index766;
  if (idx) {
    opts.push([idx.metric || 'qd766', t('qd766_total')]);
    for (const g of idx.groups) opts.push([g.metric, t('qd766_group', { name: named(g) })]);
  }
  return opts;
}

// Fills box with the ranking r (the rankings answer) of the units below, and ownBox with the
// chosen unit's rank among its peers: peers.answer is the ranking of its own level under its
// parent, and its rank is the API's (peers.ranks[j].rank / peers.total); for a unit without a
// parent, peers.top holds the codes of the units without one, and its rank counts only
// those: 1 + how many of them the API ranks before it (peers.top_rank / peers.top_total).
export function renderRankings(box, ownBox, r, peers, state, unitInfo, parentName) {
  const kind = metricKind(r.metric);
  const body = el('tbody');
  r.ranks.forEach((x, i) => {
    const at = `rankings.ranks[${i}]`;
    const tr = el('tr', x.unit_code === state.unit ? { class: 'self' } : null,
      figure('td', `${at}.rank`, x.rank, 'int'),
      el('th', { scope: 'row' }, unitLink(state, x.unit_code, x.unit_name)),
      figure('td', `${at}.value`, x.value, kind),
      el('td', null, figure('span', `${at}.numerator`, x.numerator, kind === 'points' ? 'points' : 'int'),
        ' / ', figure('span', `${at}.denominator`, x.denominator, 'int')));
    body.append(tr);
  });
  const head = el('tr', null, el('th', { scope: 'col', text: t('rank') }),
    el('th', { scope: 'col', text: t('unit') }), el('th', { scope: 'col', text: t('value') }),
    el('th', { scope: 'col', text: t('num_den') }));
  box.replaceChildren(el('div', { class: 'scroll' }, el('table', { class: 'num rank' },
    el('caption', { text: `${t('rankings')}: ${t('level_' + r.level)}` }, ' (', figure('span', 'rankings.total', r.total, 'int'), ')'),
    el('thead', null, head), body)));
  ownBox.replaceChildren();
  if (!peers || !unitInfo) return;
  const p = peers.answer;
  const j = p.ranks.findIndex((x) => x.unit_code === unitInfo.code);
  if (j < 0) return;
  let rank, total, scope;
  if (peers.top) {
    const kept = p.ranks.filter((x) => peers.top.has(x.unit_code) && x.rank !== null);
    const own = p.ranks[j].rank;
    rank = figure('span', 'peers.top_rank', own === null ? null : 1 + kept.filter((x) => x.rank < own).length, 'int');
    total = figure('span', 'peers.top_total', kept.length, 'int');
    scope = t('own_rank_top');
  } else {
    rank = figure('span', `peers.ranks[${j}].rank`, p.ranks[j].rank, 'int');
    total = figure('span', 'peers.total', p.total, 'int');
    scope = t('own_rank_scope', { level: t('lvl_' + unitInfo.level), parent: parentName });
  }
  ownBox.append(el('span', { class: 'own-label', text: t('own_rank', { unit: unitInfo.name }) + ': ' }),
    el('strong', { class: 'own-rank' }, rank, '/', total), ' ', el('span', { class: 'own-scope', text: scope }));
}
