// The national index panel (QĐ 766, GET /api/v1/index766 with group_by=unit): the total and
// each group against its maximum, each group's indicators with numerator and denominator,
// and the units directly below ranked by their total points.
//
// Figure names are paths in that answer (index766.total, index766.groups[3].indicators[0]
// .numerator, index766.groups_by[2].total), except a group's points, which are named by the
// group's id as the issue fixes it: index766.TTTT.

import { figure, el } from './figures.js';
import { t, named } from './i18n.js';
import { unitLink } from './tables.js';

function meter(value, max, label) {
  const m = el('meter', { min: '0', max: String(max), value: String(value ?? 0) });
  m.setAttribute('aria-label', label);
  return m;
}

function indicatorTable(g, gi) {
  const head = el('tr', null, ...['idx_id', 'idx_name', 'idx_numerator', 'idx_denominator',
    'idx_rate', 'idx_target', 'idx_points', 'idx_max'].map((k) => el('th', { scope: 'col', text: t(k) })));
  const body = el('tbody');
  g.indicators.forEach((x, k) => {
    const at = `index766.groups[${gi}].indicators[${k}]`;
    body.append(el('tr', x.applicable ? null : { class: 'na' },
      el('td', { text: x.id }),
      el('th', { scope: 'row', text: named(x) }),
      figure('td', `${at}.numerator`, x.numerator, 'int'),
      figure('td', `${at}.denominator`, x.denominator, 'int'),
      figure('td', `${at}.rate`, x.rate, 'rate'),
      figure('td', `${at}.target`, x.target, 'rate'),
      figure('td', `${at}.points`, x.points, 'points'),
      figure('td', `${at}.max`, x.max, 'points')));
  });
  return el('div', { class: 'scroll' }, el('table', { class: 'num' },
    el('caption', { text: `${t('idx_indicators')}: ${named(g)}` }), el('thead', null, head), body));
}

// Ranks by points, higher first; equal totals share a rank (1, 2, 2, 4) and are listed by code.
function ranked(list) {
  const order = list.map((u, i) => [u, i]).sort(([a], [b]) =>
    b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let rank = 0;
  return order.map(([u, i], n) => {
    if (n === 0 || u.total !== order[n - 1][0].total) rank = n + 1;
    return [u, i, rank];
  });
}

function unitsTable(x, state) {
  const list = x.groups_by || [];
  if (list.length === 0) return el('p', { class: 'empty', text: t('idx_units_none') });
  const head = el('tr', null, el('th', { scope: 'col', text: t('rank') }),
    el('th', { scope: 'col', text: t('unit') }), el('th', { scope: 'col', text: t('idx_total') }));
  for (const g of x.groups) head.append(el('th', { scope: 'col', title: named(g), text: g.id }));
  const body = el('tbody');
  for (const [u, i, rank] of ranked(list)) {
    const at = `index766.groups_by[${i}]`;
    const tr = el('tr', null, el('td', { text: String(rank) }),
      el('th', { scope: 'row' }, unitLink(state, u.key, u.name)),
      figure('td', `${at}.total`, u.total, 'points'));
    u.groups.forEach((g, gi) => tr.append(figure('td', `${at}.groups[${gi}].points`, g.points, 'points')));
    body.append(tr);
  }
  return el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('idx_units') },
    el('table', { class: 'num' }, el('caption', { text: t('idx_units') }), el('thead', null, head), body));
}

// Fills box with the index answer x (index766 with group_by=unit) for state.
export function renderIndex(box, x, state) {
  const total = el('p', { class: 'idx-total' }, el('span', { text: t('idx_total') + ': ' }),
    figure('strong', 'index766.total', x.total, 'points'), ' / ', figure('span', 'index766.max', x.max, 'points'),
    meter(x.total, x.max, t('idx_total')));
  const groups = el('div', { class: 'idx-groups' });
  x.groups.forEach((g, gi) => {
    groups.append(el('details', { class: 'idx-group' },
      el('summary', null, el('span', { class: 'g-name', text: `${g.id} · ${named(g)}` }),
        el('span', { class: 'g-points' }, figure('strong', `index766.${g.id}`, g.points, 'points'), ' / ',
          figure('span', `index766.groups[${gi}].max`, g.max, 'points')),
        meter(g.points, g.max, named(g))),
      indicatorTable(g, gi)));
  });
  const notes = el('details', { class: 'idx-notes' }, el('summary', { text: t('idx_notes') }),
    el('ul', null, ...(x.notes || []).map((n) => el('li', { text: n }))));
  box.replaceChildren(total, groups, el('h3', { text: t('idx_units') }), unitsTable(x, state), notes);
}
