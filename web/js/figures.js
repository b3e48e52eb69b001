// Every figure the page shows is an element made by figure(): it carries its name
// (data-figure: where the number sits in an API answer) and the exact number the API gave
// (data-value, unformatted; empty for null), so a test can hold the page to the API. This file
// also lays out the headline figures: the summary's six blocks for the unit and period.

import * as fmt from './format.js';
import { getLang, t, named } from './i18n.js';

// An element tag showing value as kind, named name. A null value shows a dash.
export function figure(tag, name, value, kind) {
  const e = document.createElement(tag);
  e.dataset.figure = name;
  e.dataset.value = value === null || value === undefined ? '' : String(value);
  e.textContent = fmt.as(kind, value, getLang());
  return e;
}

// A new element with a class and children (strings become text).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// The eight figures shown large ([block, key, label key, kind]), then every figure of each
// block ([key, label key, kind, indent]). Rates take their label from the API's catalogue of
// metrics.
const CARDS = [
  ['dossiers', 'total', 'total', 'int'],
  ['dossiers', 'received', 'received', 'int'],
  ['dossiers', 'resolved', 'resolved', 'int'],
  ['dossiers', 'in_progress', 'in_progress', 'int'],
  ['rates', 'on_time_rate', null, 'rate'],
  ['rates', 'overdue_rate', null, 'rate'],
  ['rates', 'online_submission_rate', null, 'rate'],
  ['rates', 'online_payment_dossier_share', null, 'rate'],
];

const BLOCKS = [
  ['dossiers', [
    ['total', 'total', 'int', 0],
    ['carried_over', 'carried_over', 'int', 0],
    ['received', 'received', 'int', 0],
    ['received_online', 'received_online', 'int', 1],
    ['received_in_person', 'received_in_person', 'int', 1],
    ['received_postal', 'received_postal', 'int', 1],
    ['resolved', 'resolved', 'int', 0],
    ['resolved_early', 'resolved_early', 'int', 1],
    ['resolved_on_time', 'resolved_on_time', 'int', 1],
    ['resolved_late', 'resolved_late', 'int', 1],
    ['withdrawn', 'withdrawn', 'int', 0],
    ['in_progress', 'in_progress', 'int', 0],
    ['in_progress_on_time', 'in_progress_on_time', 'int', 1],
    ['in_progress_overdue', 'in_progress_overdue', 'int', 1],
  ]],
  ['rates', [
    ['on_time_rate', null, 'rate', 0],
    ['overdue_rate', null, 'rate', 0],
    ['late_share_of_total', null, 'rate', 0],
    ['in_progress_overdue_share', null, 'rate', 0],
    ['online_submission_rate', null, 'rate', 0],
    ['online_payment_dossier_share', null, 'rate', 0],
    ['online_payment_procedure_share', null, 'rate', 0],
  ]],
  ['feedback', [
    ['received', 'fb_received', 'int', 0],
    ['resolved', 'fb_resolved', 'int', 0],
    ['resolved_on_time', 'fb_resolved_on_time', 'int', 1],
    ['rejected', 'fb_rejected', 'int', 0],
    ['open', 'fb_open', 'int', 0],
    ['overdue', 'fb_overdue', 'int', 1],
    ['feedback_on_time_rate', null, 'rate', 0],
  ]],
  ['satisfaction', [
    ['ratings', 'sat_ratings', 'int', 0],
    ['very_satisfied', 'sat_very_satisfied', 'int', 1],
    ['satisfied', 'sat_satisfied', 'int', 1],
    ['dissatisfied', 'sat_dissatisfied', 'int', 1],
    ['satisfied_rate', null, 'rate', 0],
  ]],
  ['payments', [
    ['count', 'pay_count', 'int', 0],
    ['amount', 'pay_amount', 'vnd', 0],
    ['dvcqg_count', 'pay_dvcqg_count', 'int', 1],
    ['dvcqg_amount', 'pay_dvcqg_amount', 'vnd', 1],
    ['local_gateway_count', 'pay_local_gateway_count', 'int', 1],
    ['local_gateway_amount', 'pay_local_gateway_amount', 'vnd', 1],
  ]],
  ['announcements', [
    ['decisions', 'ann_decisions', 'int', 0],
    ['procedures', 'ann_procedures', 'int', 0],
    ['published', 'ann_published', 'int', 0],
    ['published_on_time', 'ann_published_on_time', 'int', 1],
    ['announcements_on_time_rate', null, 'rate', 0],
  ]],
];

// The label of a figure: the page's word, or the catalogue's name of a metric.
function label(key, labelKey, metrics) {
  if (labelKey) return t(labelKey);
  const m = metrics.find((x) => x.id === key);
  return m ? named(m) : key;
}

// Fills box with the summary's figures. sum: the summary answer; metrics: the catalogue's
// list. A block the API answers null (not for these filters) is left out.
export function renderHeadline(box, sum, metrics) {
  const cards = el('div', { class: 'cards' });
  for (const [block, key, labelKey, kind] of CARDS) {
    if (!sum[block]) continue;
    cards.append(el('div', { class: 'card' },
      el('span', { class: 'card-label', text: label(key, labelKey, metrics) }),
      figure('span', `${block}.${key}`, sum[block][key], kind)));
  }
  const blocks = el('div', { class: 'blocks' });
  for (const [block, rows] of BLOCKS) {
    if (!sum[block]) continue;
    const dl = el('dl');
    for (const [key, labelKey, kind, indent] of rows) {
      dl.append(el('div', { class: indent ? 'row sub' : 'row' },
        el('dt', { text: label(key, labelKey, metrics) }),
        figure('dd', `${block}.${key}`, sum[block][key], kind)));
    }
    blocks.append(el('section', { class: 'block', 'aria-label': t('b_' + block) },
      el('h3', { text: t('b_' + block) }), dl));
  }
  box.replaceChildren(cards, blocks);
}
