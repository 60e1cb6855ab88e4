// Canned responses in the console (docs/AGENT_API.md "Canned responses"): the `/` picker of the
// reply box, and the supervisors' management section of the Supervisor view. The list comes from
// GET /canned (agents get the global responses and those of the queues they serve); placeholders
// are filled here, in the console, when a response is chosen (canned_fill.js).
import { confirmButton, el, fill } from './dom.js';
import { fillPlaceholders, searchCanned, slashQuery } from './canned_fill.js';
import { t } from './i18n.js';

const CACHE_MS = 30_000;
const lists = new WeakMap();  // app → its CannedList

// The console's one CannedList (made on first use from `app.api`).
export function cannedListOf(app) {
  if (!lists.has(app)) {
    lists.set(app, new CannedList(app.api));
  }
  return lists.get(app);
}

// The caller's canned responses, read at most every 30 s (and again after a change here).
export class CannedList {
  constructor(api) {
    this.api = api;
    this.items = [];
    this.loadedAt = 0;
    this.pending = null;
  }

  async get() {
    if (Date.now() - this.loadedAt < CACHE_MS) {
      return this.items;
    }
    this.pending ??= this.api.call('GET', '/canned').then((body) => {
      this.items = body.canned ?? [];
      this.loadedAt = Date.now();
      return this.items;
    }).finally(() => { this.pending = null; });
    return this.pending;
  }

  invalidate() {
    this.loadedAt = 0;
  }
}

// The `/` picker on a reply box: typing `/` (at the start or after a space) opens a list searched
// by what follows; ↑/↓ move, Enter or Tab or a click insert the chosen response, filled with
// `values()` ({customerName, agentName, context}), in place of the `/query`; Escape closes.
export class CannedPicker {
  constructor(input, list, values) {
    this.input = input;
    this.list = list;
    this.values = values;
    this.matches = [];
    this.index = 0;
    this.range = null;
    this.root = el('ul', { class: 'canned-picker', testid: 'canned-picker', role: 'listbox',
                           'aria-label': t('canned.heading'), hidden: true });
    input.addEventListener('input', () => this.update());
    input.addEventListener('keydown', (e) => this.onKeyDown(e), true);
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  get open() {
    return !this.root.hidden;
  }

  async update() {
    const found = slashQuery(this.input.value, this.input.selectionStart ?? this.input.value.length);
    if (!found) {
      this.close();
      return;
    }
    let items;
    try {
      items = await this.list.get();
    } catch {
      this.close();
      return;
    }
    this.range = found;
    this.matches = searchCanned(items, found.query);
    this.index = 0;
    this.render();
  }

  render() {
    this.root.hidden = false;
    if (this.matches.length === 0) {
      fill(this.root, el('li', { class: 'muted', testid: 'canned-none' }, t('canned.noMatch')));
      return;
    }
    fill(this.root, this.matches.map((c, i) => el('li', {
      role: 'option', testid: 'canned-option', dataset: { code: c.code, queue: c.queue },
      'aria-selected': i === this.index ? 'true' : 'false',
      class: i === this.index ? 'canned-picker__item is-active' : 'canned-picker__item',
      onmousedown: (e) => { e.preventDefault(); this.choose(i); },
    }, el('code', {}, `/${c.code}`), ' ', el('strong', {}, c.title),
    c.queue ? el('span', { class: 'muted' }, ` · ${c.queue}`) : null,
    el('div', { class: 'canned-picker__text muted' }, c.text))));
  }

  onKeyDown(e) {
    if (!this.open || this.matches.length === 0) {
      if (this.open && e.key === 'Escape') {
        this.close();
      }
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.index = (this.index + step + this.matches.length) % this.matches.length;
      this.render();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      this.choose(this.index);
    } else if (e.key === 'Escape') {
      this.close();
    } else {
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  choose(i) {
    const c = this.matches[i];
    if (!c || !this.range) {
      return;
    }
    const text = fillPlaceholders(c.text, this.values());
    const value = this.input.value;
    const end = this.input.selectionStart ?? value.length;
    this.input.value = value.slice(0, this.range.start) + text + value.slice(end);
    const caret = this.range.start + text.length;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.focus();
  }

  close() {
    this.root.hidden = true;
    this.matches = [];
    this.range = null;
  }
}

// The supervisors' management of canned responses: the list with Edit and Delete, and a form to
// add or edit one (queue: global or one of `queues()`).
export class CannedAdmin {
  // `app` gives: api, notify(text, kind); `list` is the console's CannedList (invalidated on
  // change); `queues()` the known queue names.
  constructor(app, list, queues) {
    this.app = app;
    this.list = list;
    this.queues = queues;
    this.editing = null;  // the id being edited, null when adding
    this.body = el('tbody', { testid: 'canned-rows' });
    this.queue = el('select', { testid: 'canned-queue', 'aria-label': t('col.queue') });
    this.code = el('input', { testid: 'canned-code', 'aria-label': t('canned.code'), maxlength: 32,
                              placeholder: t('canned.codePlaceholder'), pattern: '[a-z0-9._\\-]{1,32}',
                              required: true });
    this.title = el('input', { testid: 'canned-title', 'aria-label': t('canned.title'), maxlength: 100,
                               placeholder: t('canned.titlePlaceholder'), required: true });
    this.text = el('textarea', { testid: 'canned-text', 'aria-label': t('canned.text'), rows: 3, maxlength: 4000,
                                 placeholder: t('canned.textPlaceholder'), required: true });
    this.submitButton = el('button', { type: 'submit', class: 'primary', testid: 'canned-save' }, t('canned.add'));
    this.form = el('form', { class: 'canned-form', testid: 'canned-form', onsubmit: (e) => {
      e.preventDefault();
      this.save();
    } },
    el('label', {}, t('col.queue'), ' ', this.queue), el('label', {}, t('canned.code'), ' ', this.code),
    el('label', {}, t('canned.title'), ' ', this.title),
    el('label', { class: 'canned-form__text' }, t('canned.text'), ' ', this.text),
    el('div', {}, this.submitButton,
       el('button', { type: 'button', testid: 'canned-cancel', onclick: () => this.reset() }, t('common.cancel'))));
    this.root = el('section', { class: 'canned-admin', testid: 'canned-admin', 'aria-label': t('canned.heading') },
      el('table', { class: 'grid' }, el('caption', {}, t('canned.heading')),
         el('thead', {}, el('tr', {}, [t('col.queue'), t('canned.code'), t('canned.title'), t('canned.text'), '']
           .map((h) => el('th', { scope: 'col' }, h)))),
         this.body),
      el('p', { class: 'muted' }, t('canned.help')),
      this.form);
    this.items = [];
  }

  async refresh() {
    this.fillQueues();
    try {
      const body = await this.app.api.call('GET', '/canned');
      this.items = body.canned ?? [];
      this.render();
    } catch (err) {
      this.app.notify(t('canned.unavailable', { error: err.message }), 'error');
    }
  }

  fillQueues() {
    const current = this.queue.value;
    fill(this.queue, el('option', { value: '' }, t('canned.global')),
         [...new Set(this.queues())].sort().map((q) => el('option', { value: q }, q)));
    this.queue.value = current;
  }

  render() {
    fill(this.body, this.items.map((c) => el('tr', { testid: 'canned-row', dataset: { id: c.id, code: c.code } },
      el('td', {}, c.queue || t('canned.global')), el('th', { scope: 'row' }, el('code', {}, c.code)),
      el('td', {}, c.title), el('td', { class: 'canned-admin__text' }, c.text),
      el('td', { class: 'row-actions' },
         el('button', { type: 'button', testid: 'canned-edit', onclick: () => this.edit(c) }, t('canned.edit')),
         confirmButton({ class: 'danger', testid: 'canned-delete', 'aria-label': t('canned.deleteAria', { code: c.code }) },
                       t('canned.delete'), () => this.remove(c))))));
    if (this.items.length === 0) {
      this.body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, t('canned.none'))));
    }
  }

  edit(c) {
    this.editing = c.id;
    this.fillQueues();
    this.queue.value = c.queue;
    this.code.value = c.code;
    this.title.value = c.title;
    this.text.value = c.text;
    this.submitButton.textContent = t('common.save');
    this.code.focus();
  }

  reset() {
    this.editing = null;
    this.form.reset();
    this.submitButton.textContent = t('canned.add');
  }

  async save() {
    const body = { queue: this.queue.value, code: this.code.value.trim(), title: this.title.value.trim(),
                   text: this.text.value };
    try {
      if (this.editing) {
        await this.app.api.call('PUT', `/canned/${encodeURIComponent(this.editing)}`, body);
      } else {
        await this.app.api.call('POST', '/canned', body);
      }
      this.app.notify(t('canned.saved', { code: body.code }), 'info');
      this.reset();
      this.list.invalidate();
      await this.refresh();
    } catch (err) {
      this.app.notify(t('canned.saveFailed', { error: err.message }), 'error');
    }
  }

  async remove(c) {
    try {
      await this.app.api.call('DELETE', `/canned/${encodeURIComponent(c.id)}`);
      this.list.invalidate();
      await this.refresh();
    } catch (err) {
      this.app.notify(t('canned.deleteFailed', { error: err.message }), 'error');
    }
  }
}
