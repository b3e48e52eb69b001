// The dashboard: reads the state from the URL, asks the API, fills the panels, and turns every
// choice (unit, period, metric, level, sort, language) into a new URL. Each panel is filled as
// soon as its answer arrives; an answer for a state the user has already left is dropped.
//
// What it asks (docs/api.md, "GET /"): for unit U (or every unit) and period F..T,
//   summary, series (interval=month, or day for 62 days or fewer), Form 06, the index with
//   group_by=unit; the unit's record and its ancestors' (GET /api/v1/units/{code});
//   rankings of the level below U (or the chosen level) by the chosen metric, and of U's own
//   level under its parent, for U's own rank; the metric catalogue and freshness, once.

import * as api from './api.js';
import { renderSeries, interval } from './chart.js';
import { el, figure, renderHeadline } from './figures.js';
import { renderIndex } from './index766.js';
import * as fmt from './format.js';
import { getLang, setLang, t } from './i18n.js';
import { anchor, days, preset, today } from './periods.js';
import { initSearch, renderChildren, renderCrumbs } from './picker.js';
import * as st from './state.js';
import { metricOptions, renderForm06, renderRankings } from './tables.js';

const $ = (id) => document.getElementById(id);
const BELOW = { province: 'district', district: 'commune', commune: 'commune' };

const catalogue = api.get('/api/v1/metrics');
const freshness = api.get('/api/v1/freshness');
let anchorDay = null; // a promise, asked for once
let state = st.parse('');
let generation = 0;
let firstDone = false;

function getAnchor() {
  // No anchor (the API cannot answer): the presets count from today.
  if (!anchorDay) anchorDay = anchor().catch(() => null);
  return anchorDay;
}

// The unit's record and its ancestors', nearest first.
async function unitChain(code) {
  const chain = [];
  for (let c = code; c && chain.length < 16;) {
    const u = await api.get('/api/v1/units/' + encodeURIComponent(c));
    chain.push(u);
    c = u.parent_code;
  }
  return chain;
}

// Shows why a panel has no figures (the API's own words), once per reason.
function showError(e) {
  const box = $('error');
  const text = `${t('failed')}: ${e && e.message ? e.message : e}`;
  if (box.hidden) box.replaceChildren();
  if (![...box.children].some((p) => p.textContent === text)) box.append(el('p', { text }));
  box.hidden = false;
}

// Runs fill(answer) when promise resolves, if the state is still gen's; reports a failure.
// No panel is filled before gate: every request is on its way before the page starts drawing.
let gate = Promise.resolve();
function panel(gen, promise, fill) {
  return Promise.all([promise, gate]).then(
    ([x]) => {
      if (gen === generation) fill(x);
    },
    (e) => {
      if (gen === generation) showError(e);
    });
}

function periodText(s) {
  const lang = getLang();
  return `(${fmt.day(s.from, lang)} – ${fmt.day(s.to, lang)})`;
}

function showControls(s) {
  $('from').value = s.from;
  $('to').value = s.to;
  $('lang').lang = s.lang === 'en' ? 'vi' : 'en';
}

// Marks the preset that names the period shown (none for another period).
async function markPreset(s) {
  const a = (await getAnchor()) || today();
  for (const b of document.querySelectorAll('[data-preset]')) {
    const p = preset(b.dataset.preset, a);
    b.setAttribute('aria-pressed', p.from === s.from && p.to === s.to ? 'true' : 'false');
  }
}

function fillMetrics(cat, s) {
  const sel = $('metric');
  const opts = metricOptions(cat);
  sel.replaceChildren(...opts.map(([id, name]) => el('option', { value: id, text: name })));
  sel.value = s.metric || st.DEFAULT_METRIC;
}

function fillFreshness(fr, form, s) {
  const scope = new Set(s.unit ? [s.unit] : fr.units.map((u) => u.unit_code));
  if (form) for (const lv of form.levels) for (const r of lv.rows) scope.add(r.unit_code);
  let latest = -1;
  let stale = 0;
  fr.units.forEach((u, i) => {
    if (!scope.has(u.unit_code)) return;
    if (u.stale) stale++;
    if (u.last_loaded_at && (latest < 0 || u.last_loaded_at > fr.units[latest].last_loaded_at)) latest = i;
  });
  const when = latest >= 0
    ? figure('strong', `freshness.units[${latest}].last_loaded_at`, fr.units[latest].last_loaded_at, 'time')
    : el('strong', { text: t('fr_none') });
  $('freshness').replaceChildren(`${t('fr_last')}: `, when, ' · ',
    `${t('fr_stale', { h: fr.stale_after_hours })}: `, figure('strong', 'freshness.stale_in_scope', stale, 'int'));
}

async function render(s) {
  const gen = ++generation;
  setLang(s.lang);
  $('error').hidden = true;
  $('status').textContent = t('loading');
  document.body.dataset.state = 'loading';
  if (!s.from) {
    const a = (await getAnchor()) || today();
    if (gen !== generation) return;
    s = st.withChanges(s, preset('9m', a));
    st.go(s, false); // the URL names the period shown
  }
  state = s;
  showControls(s);
  $('scope-period').textContent = periodText(s);
  const base = { from: s.from, to: s.to, unit: s.unit };
  const iv = interval(days(s.from, s.to));
  const metric = s.metric || st.DEFAULT_METRIC;
  // The unit's own record gives the rankings' levels and its parent: they are asked for as soon
  // as it arrives, while the path up to the top (for the page's path) is still being read.
  const self = s.unit ? api.get('/api/v1/units/' + encodeURIComponent(s.unit)) : Promise.resolve(null);
  const chain = s.unit ? unitChain(s.unit) : Promise.resolve([]);
  const form = api.get('/api/v1/reports/form06', base);
  const idx = api.get('/api/v1/index766', { ...base, group_by: 'unit' });
  const level = self.then((u) => s.level || (u ? BELOW[u.level] : 'province'));
  const ranks = level.then((l) => api.get('/api/v1/rankings', { metric, level: l, ...base }));
  // U's peers: the units of its level under its parent; for a unit without a parent, the other
  // units without one (the index's units below the top), taken from the ranking of its level.
  const peers = self.then(async (u) => {
    if (!u) return null;
    const period = { from: s.from, to: s.to };
    const rootsP = u.parent_code ? null : api.get('/api/v1/index766', { ...period, group_by: 'unit' });
    const answer = await api.get('/api/v1/rankings', { metric, level: u.level, ...period,
      unit: u.parent_code || '' });
    if (u.parent_code) return { answer, top: null };
    const roots = await rootsP;
    return { answer, top: new Set([u.code, ...roots.groups_by.map((x) => x.key)]) };
  });
  // Resolved after the callbacks above that send the rankings' requests.
  gate = Promise.all([self, level]).catch(() => null);
  const first = [
    panel(gen, chain, (c) => {
      renderCrumbs($('crumbs'), c, s);
      $('scope-name').textContent = c.length ? c[0].name : t('all_units');
      document.title = `${c.length ? c[0].name : t('all_units')} · tthc`;
    }),
    panel(gen, Promise.all([api.get('/api/v1/summary', base), catalogue]), ([sum, cat]) =>
      renderHeadline($('headline'), sum, cat.metrics)),
    panel(gen, api.get('/api/v1/series', { interval: iv, ...base }), (x) =>
      renderSeries($('series-h'), $('chart'), $('series-table'), x, iv)),
    panel(gen, idx, (x) => {
      renderIndex($('index766'), x, s);
      renderChildren($('children'), x, s);
    }),
    panel(gen, catalogue, (cat) => fillMetrics(cat, s)),
    panel(gen, level, (l) => {
      $('level').value = l;
    }),
    panel(gen, Promise.all([ranks, peers, chain]), ([r, p, c]) =>
      renderRankings($('rankings'), $('own-rank'), r, p, s, c[0], c[1] ? c[1].name : '')),
    panel(gen, Promise.all([freshness, form]), ([fr, f]) => fillFreshness(fr, f, s)),
  ];
  // Form 06 is the largest table (a row for every unit with dossiers): drawn once the panels
  // above it are, it starts below the first screen, where the browser lays it out only when
  // it is scrolled to (content-visibility in app.css).
  await Promise.all(first);
  await panel(gen, form, (f) => renderForm06($('form06'), $('form06-csv'), f, s, (sort) =>
    navigate(st.withChanges(state, { sort }))));
  if (gen !== generation) return;
  if (!firstDone) {
    firstDone = true;
    // How long the first page took, from navigation to the last panel filled (the test reads it).
    window.tthcFirstRender = performance.now();
  }
  // The presets' anchor costs two series: asked for after the figures, not before them.
  await markPreset(s);
  if (gen !== generation) return;
  $('status').textContent = $('error').hidden ? t('loaded') : '';
  document.body.dataset.state = $('error').hidden ? 'ready' : 'failed';
}

function navigate(s) {
  st.go(s, true);
  render(s);
}

function wire() {
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-nav]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(st.parse(new URL(a.href).search));
    $('main').focus({ preventScroll: true });
  });
  window.addEventListener('popstate', () => render(st.parse(location.search)));
  $('lang').addEventListener('click', () =>
    navigate(st.withChanges(state, { lang: state.lang === 'en' ? 'vi' : 'en' })));
  $('metric').addEventListener('change', (e) => navigate(st.withChanges(state, { metric: e.target.value })));
  $('level').addEventListener('change', (e) => navigate(st.withChanges(state, { level: e.target.value })));
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.addEventListener('click', async () => {
      const a = (await getAnchor()) || today();
      navigate(st.withChanges(state, preset(b.dataset.preset, a)));
    });
  }
  $('period-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = $('from').value, to = $('to').value;
    if (!st.isDay(from) || !st.isDay(to) || from > to) {
      showError(t('bad_period'));
      return;
    }
    navigate(st.withChanges(state, { from, to }));
  });
  initSearch($('unit-search'), $('unit-options'), freshness.then((f) => f.units),
    (code) => navigate(st.withChanges(state, { unit: code, level: '' })));
}

wire();
render(st.parse(location.search));
