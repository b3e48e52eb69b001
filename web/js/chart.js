// The series panel: dossiers received and resolved, and the on-time rate, for each month (each
// day when the period is two months or shorter), as a chart (uPlot, web/vendor/uplot/) and as
// a table with the same figures, for screen readers and for the test.

import * as fmt from './format.js';
import { figure, el } from './figures.js';
import { getLang, t } from './i18n.js';

// The interval of the series for a period of n days.
export function interval(n) {
  return n <= 62 ? 'day' : 'month';
}

let plot = null;
let observer = null;

function pointLabel(p, iv, lang) {
  return iv === 'day' ? fmt.day(p.from, lang) : fmt.month(p.from, lang);
}

function drawChart(box, series, iv) {
  if (plot) {
    plot.destroy();
    plot = null;
  }
  if (observer) observer.disconnect();
  box.replaceChildren();
  if (typeof window.uPlot !== 'function' || series.points.length === 0) return;
  const lang = getLang();
  const pts = series.points;
  const xs = pts.map((_, i) => i);
  const received = pts.map((p) => p.dossiers.received);
  const resolved = pts.map((p) => p.dossiers.resolved);
  const onTime = pts.map((p) => p.rates.on_time_rate);
  const xLabel = (i) => (pts[i] ? pointLabel(pts[i], iv, lang) : '');
  const width = () => Math.max(280, box.clientWidth || 600);
  const opts = {
    width: width(),
    height: 260,
    scales: { x: { time: false }, n: { auto: true }, r: { range: [0, 1] } },
    series: [
      { label: t('s_point'), value: (u, i) => (i === null ? '' : xLabel(i)) },
      { label: t('s_received'), scale: 'n', stroke: '#1f5fa8', width: 2,
        value: (u, v) => fmt.int(v, lang) },
      { label: t('s_resolved'), scale: 'n', stroke: '#2e8540', width: 2,
        value: (u, v) => fmt.int(v, lang) },
      { label: t('s_on_time'), scale: 'r', stroke: '#c0392b', width: 2, dash: [6, 4],
        value: (u, v) => fmt.rate(v, lang) },
    ],
    axes: [
      { values: (u, vals) => vals.map((i) => (Number.isInteger(i) ? xLabel(i) : '')) },
      { scale: 'n', size: 70, values: (u, vals) => vals.map((v) => fmt.int(v, lang)) },
      { scale: 'r', side: 1, size: 60, grid: { show: false },
        values: (u, vals) => vals.map((v) => fmt.rate(v, lang).replace(/[.,]00%$/, '%')) },
    ],
  };
  plot = new window.uPlot(opts, [xs, received, resolved, onTime], box);
  observer = new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: 260 });
  });
  observer.observe(box);
}

function table(series, iv) {
  const lang = getLang();
  const head = el('tr', null,
    el('th', { scope: 'col', text: t('s_point') }),
    el('th', { scope: 'col', text: t('s_received') }),
    el('th', { scope: 'col', text: t('s_resolved') }),
    el('th', { scope: 'col', text: t('s_on_time') }));
  const body = el('tbody');
  series.points.forEach((p, i) => {
    const at = `series.points[${i}]`;
    body.append(el('tr', null,
      el('th', { scope: 'row', text: pointLabel(p, iv, lang) }),
      figure('td', `${at}.dossiers.received`, p.dossiers.received, 'int'),
      figure('td', `${at}.dossiers.resolved`, p.dossiers.resolved, 'int'),
      figure('td', `${at}.rates.on_time_rate`, p.rates.on_time_rate, 'rate')));
  });
  return el('div', { class: 'scroll' },
    el('table', { class: 'num' }, el('caption', { text: t('series_table') }), el('thead', null, head),
      body));
}

// Fills the panel: heading h, chart box, table box. series: the API's series answer.
export function renderSeries(h, chartBox, tableBox, series, iv) {
  h.textContent = t(iv === 'day' ? 'series_day' : 'series');
  chartBox.setAttribute('aria-label', t('series_chart'));
  tableBox.replaceChildren(table(series, iv));
  drawChart(chartBox, series, iv);
}
