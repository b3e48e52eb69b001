// Choosing the unit: the path from the top to the chosen unit (each step a link), the units
// directly below it (those the index counts something for in the period), and a search by name
// or code over every unit (GET /api/v1/freshness lists them all), as an ARIA combobox: arrows
// move, Enter opens, Escape closes. Accents are ignored: "binh son" finds "Bình Sơn".

import { el } from './figures.js';
import { t } from './i18n.js';
import { unitLink } from './tables.js';

const MAX_OPTIONS = 20;

// Lower case without accents: "Đức Phổ" -> "duc pho".
export function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

// Fills the path from the top ("all units") down to the chosen unit. chain: the unit's record
// and its ancestors', nearest first (GET /api/v1/units/{code}).
export function renderCrumbs(ol, chain, state) {
  const items = [el('li', null, state.unit ? unitLink(state, '', t('all_units')) : el('span', { text: t('all_units') }))];
  for (let i = chain.length - 1; i >= 0; i--) {
    const u = chain[i];
    const here = i === 0;
    const item = here
      ? el('span', { 'aria-current': 'page', text: u.name })
      : unitLink(state, u.code, u.name);
    items.push(el('li', null, item));
  }
  ol.replaceChildren(...items);
}

// Fills the list of units directly below (the keys of the index's groups_by).
export function renderChildren(box, idx, state) {
  const list = (idx && idx.groups_by) || [];
  if (list.length === 0) {
    box.replaceChildren(el('p', { class: 'empty', text: t('children_none') }));
    return;
  }
  box.replaceChildren(el('ul', { class: 'children' },
    ...list.map((u) => el('li', null, unitLink(state, u.key, u.name)))));
}

// Wires the search box to the list of units (a promise of [{unit_code, unit_name}]); pick(code)
// opens a unit.
export function initSearch(input, listbox, unitsPromise, pick) {
  let units = [];
  let shown = [];
  let active = -1;
  unitsPromise.then((u) => {
    units = u.map((x) => ({ code: x.unit_code, name: x.unit_name, key: fold(`${x.unit_name} ${x.unit_code}`) }));
  }, () => {});

  function close() {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function mark(i) {
    active = i;
    [...listbox.children].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0 && shown[i]) {
      input.setAttribute('aria-activedescendant', `unit-opt-${i}`);
      listbox.children[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(i) {
    const u = shown[i];
    if (!u) return;
    close();
    input.value = '';
    pick(u.code);
  }

  function update() {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      close();
      return;
    }
    // Units whose name or code holds the words as typed come first, then those holding them
    // in another order; otherwise in the order units were stored.
    const phrase = words.join(' ');
    const hits = units.filter((u) => words.every((w) => u.key.includes(w)));
    shown = hits.filter((u) => u.key.includes(phrase))
      .concat(hits.filter((u) => !u.key.includes(phrase))).slice(0, MAX_OPTIONS);
    const items = shown.map((u, i) => {
      const li = el('li', { id: `unit-opt-${i}`, role: 'option', 'aria-selected': 'false', 'data-code': u.code },
        el('span', { text: u.name }), ' ', el('span', { class: 'code', text: u.code }));
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep the focus in the box
      li.addEventListener('click', () => choose(i));
      return li;
    });
    if (items.length === 0) items.push(el('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', text: t('no_match') }));
    listbox.replaceChildren(...items);
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    mark(shown.length ? 0 : -1);
  }

  input.addEventListener('input', update);
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (listbox.hidden) update();
      else if (shown.length) mark((active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length);
      e.preventDefault();
    } else if (e.key === 'Enter') {
      if (!listbox.hidden && active >= 0) choose(active);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      close();
    }
  });
}
