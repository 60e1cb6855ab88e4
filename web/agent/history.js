// A customer's history and the search over ended conversations (docs/AGENT_API.md "History and
// search"): the History section of a conversation's context panel (the customer's previous
// conversations), the read-only viewer one of them opens in (audited by the server), and the
// Search view (supervisors and admins: every conversation; agents: the ones they handled).
import { el, fill } from './dom.js';
import { renderTranscript } from './transcript.js';

// Every string this file shows, in one place (for the translation catalogue).
export const TEXTS = {
  history: 'History',
  historyLoading: 'Loading…',
  historyNone: 'No previous conversation.',
  historyTruncated: 'Older conversations are not listed.',
  historyFailed: 'History unavailable',
  openAria: (id) => `Open the previous conversation ${id} (read-only)`,
  noHandoff: 'bot only',
  viewerTitle: 'Previous conversation ',
  viewerClose: 'Close',
  viewerReadOnly: 'Read-only record',
  viewerFailed: 'Cannot open it',
  customer: 'Customer',
  when: 'Asked for an agent',
  queue: 'Queue',
  agent: 'Agent',
  outcome: 'Outcome',
  disposition: 'Disposition',
  wrapUpNote: 'Wrap-up note',
  search: 'Search',
  searchHeading: 'Search ended conversations',
  searchScopeAll: 'All conversations.',
  searchScopeOwn: 'The conversations you handled.',
  text: 'Text',
  textPlaceholder: 'words in a message',
  from: 'From',
  to: 'To',
  anyOutcome: 'any outcome',
  submit: 'Search',
  more: 'More',
  noResults: 'Nothing found.',
  searching: 'Searching…',
  searchFailed: 'Search failed',
  open: 'Open',
};

const OUTCOMES = ['completed', 'cancelled', 'abandoned', 'timed_out', 'unavailable', 'unsupported'];

// "2026-12-07 14:03" in the browser's zone.
function when(iso) {
  if (!iso) {
    return '–';
  }
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// One line of facts about a handoff: queue · agent · outcome · disposition.
function handoffFacts(h) {
  if (!h) {
    return TEXTS.noHandoff;
  }
  return [h.queue || '–', h.agent || '–', h.outcome, h.disposition].filter(Boolean).join(' · ');
}

// The read-only viewer: a dialog with the conversation's summary and transcript. One per console.
export class HistoryViewer {
  constructor(app) {
    this.app = app;
    this.title = el('code', {});
    this.facts = el('dl', { class: 'kv', testid: 'history-facts' });
    this.transcript = el('ol', { class: 'transcript', testid: 'history-transcript', 'aria-label': 'Transcript' });
    this.root = el('dialog', { class: 'history-viewer', testid: 'history-viewer', 'aria-label': TEXTS.viewerReadOnly },
                   el('header', { class: 'conv__header' },
                      el('h2', { class: 'conv__title' }, TEXTS.viewerTitle, this.title),
                      el('span', { class: 'badge' }, TEXTS.viewerReadOnly),
                      el('button', { type: 'button', testid: 'history-close', onclick: () => this.root.close() },
                         TEXTS.viewerClose)),
                   this.facts, this.transcript);
    document.body.appendChild(this.root);
  }

  // Opens conversation `id`, through `via` (the conversation whose History lists it) when given.
  async open(id, via = null) {
    fill(this.title, id);
    this.root.dataset.conversationId = id;
    fill(this.facts);
    fill(this.transcript, el('li', { class: 'muted' }, TEXTS.historyLoading));
    if (!this.root.open) {
      this.root.showModal();
    }
    try {
      const query = via ? `?via=${encodeURIComponent(via)}` : '';
      const d = await this.app.api.call('GET', `/history/${encodeURIComponent(id)}${query}`);
      const last = (d.handoffs ?? []).at(-1);
      const row = (label, value, testid) => [el('dt', {}, label), el('dd', { testid }, value || '–')];
      fill(this.facts,
           row(TEXTS.customer, d.userId, 'history-user'),
           row(TEXTS.when, when(last?.requested ?? d.created), 'history-when'),
           row(TEXTS.queue, last?.queue, 'history-queue'),
           row(TEXTS.agent, last?.agent, 'history-agent'),
           row(TEXTS.outcome, last?.outcome ?? TEXTS.noHandoff, 'history-outcome'),
           row(TEXTS.disposition, last?.disposition, 'history-disposition'),
           last?.wrapUpNote ? row(TEXTS.wrapUpNote, last.wrapUpNote, 'history-wrapup-note') : null);
      renderTranscript(this.transcript, [...(d.transcript ?? [])].sort((x, y) => Number(x.seq) - Number(y.seq)));
    } catch (err) {
      fill(this.transcript, el('li', { class: 'notice--error', testid: 'history-error' },
                               `${TEXTS.viewerFailed}: ${err.message}`));
    }
  }
}

// The History section of one conversation's context panel. Loaded once per conversation view.
export class HistoryPanel {
  constructor(app, conversationId) {
    this.app = app;
    this.id = conversationId;
    this.list = el('ul', { class: 'history', testid: 'history-list' });
    this.root = el('section', { class: 'history-panel', testid: 'history-panel' },
                   el('h3', {}, TEXTS.history), this.list);
    this.loaded = false;
    fill(this.list, el('li', { class: 'muted' }, TEXTS.historyLoading));
  }

  async load() {
    if (this.loaded) {
      return;
    }
    this.loaded = true;
    try {
      const h = await this.app.api.call('GET', `/conversations/${encodeURIComponent(this.id)}/history`);
      const items = (h.conversations ?? []).map((c) => el('li', {},
        el('button', {
          type: 'button', class: 'history__item', testid: 'history-item',
          dataset: { conversationId: c.conversationId }, 'aria-label': TEXTS.openAria(c.conversationId),
          onclick: () => this.app.historyViewer.open(c.conversationId, this.id),
        },
        el('span', { class: 'history__when' }, when(c.lastHandoff?.requested ?? c.created)),
        el('span', { class: 'history__facts' }, handoffFacts(c.lastHandoff)))));
      fill(this.list, items.length ? items : el('li', { class: 'muted', testid: 'history-none' }, TEXTS.historyNone),
           h.truncated ? el('li', { class: 'muted' }, TEXTS.historyTruncated) : null);
    } catch (err) {
      this.loaded = false;  // try again with the next detail
      fill(this.list, el('li', { class: 'muted' }, `${TEXTS.historyFailed}: ${err.message}`));
    }
  }
}

// The Search view: filters, results (newest first), More while the server gives `next`.
export class SearchView {
  constructor(app) {
    this.app = app;
    this.next = null;
    const input = (name, attrs = {}) => el('input', { name, testid: `search-${name}`, ...attrs });
    this.fields = {
      q: input('q', { type: 'search', maxlength: 200, placeholder: TEXTS.textPlaceholder }),
      customer: input('customer', { maxlength: 256 }),
      from: input('from', { type: 'date' }),
      to: input('to', { type: 'date' }),
      queue: input('queue', { maxlength: 256 }),
      agent: input('agent', { maxlength: 64 }),
      outcome: el('select', { name: 'outcome', testid: 'search-outcome' },
                  el('option', { value: '' }, TEXTS.anyOutcome), OUTCOMES.map((o) => el('option', { value: o }, o))),
    };
    const label = (text, field) => el('label', {}, text, ' ', field);
    this.agentLabel = label(TEXTS.agent, this.fields.agent);
    this.scope = el('p', { class: 'muted', testid: 'search-scope' });
    this.status = el('p', { class: 'muted', testid: 'search-status', role: 'status' });
    this.results = el('tbody', { testid: 'search-results' });
    this.moreButton = el('button', { type: 'button', testid: 'search-more', hidden: true,
                                     onclick: () => this.run(false) }, TEXTS.more);
    this.form = el('form', { class: 'search__form', testid: 'search-form', onsubmit: (e) => {
      e.preventDefault();
      this.run(true);
    } },
    label(TEXTS.text, this.fields.q), label(TEXTS.customer, this.fields.customer),
    label(TEXTS.from, this.fields.from), label(TEXTS.to, this.fields.to),
    label(TEXTS.queue, this.fields.queue), this.agentLabel, label(TEXTS.outcome, this.fields.outcome),
    el('button', { type: 'submit', class: 'primary', testid: 'search-submit' }, TEXTS.submit));
    this.root = el('section', { class: 'search', testid: 'search-view', hidden: true, 'aria-label': TEXTS.searchHeading },
                   el('h2', {}, TEXTS.searchHeading), this.scope, this.form, this.status,
                   el('table', { class: 'search__table' },
                      el('thead', {}, el('tr', {},
                         [TEXTS.when, TEXTS.customer, TEXTS.queue, TEXTS.agent, TEXTS.outcome, TEXTS.disposition, '']
                           .map((t) => el('th', {}, t)))),
                      this.results),
                   this.moreButton);
  }

  show(supervisor) {
    this.agentLabel.hidden = !supervisor;
    fill(this.scope, supervisor ? TEXTS.searchScopeAll : TEXTS.searchScopeOwn);
  }

  query() {
    const params = new URLSearchParams();
    for (const [name, field] of Object.entries(this.fields)) {
      const value = field.value.trim();
      if (value && !(name === 'agent' && this.agentLabel.hidden)) {
        params.set(name, value);
      }
    }
    return params;
  }

  async run(fresh) {
    const params = this.query();
    if (!fresh && this.next) {
      params.set('cursor', this.next);
    }
    if (fresh) {
      fill(this.results);
      this.next = null;
    }
    fill(this.status, TEXTS.searching);
    this.moreButton.hidden = true;
    try {
      const page = await this.app.api.call('GET', `/search?${params}`);
      for (const hit of page.results ?? []) {
        this.results.appendChild(el('tr', { testid: 'search-result', dataset: { conversationId: hit.conversationId } },
          el('td', {}, when(hit.requested)), el('td', {}, hit.userId), el('td', {}, hit.queue || '–'),
          el('td', {}, hit.agent || '–'), el('td', {}, hit.outcome), el('td', {}, hit.disposition || '–'),
          el('td', {}, el('button', { type: 'button', testid: 'search-open',
                                      onclick: () => this.app.historyViewer.open(hit.conversationId) }, TEXTS.open))));
      }
      this.next = page.next ?? null;
      this.moreButton.hidden = !this.next;
      fill(this.status, this.results.children.length ? '' : (this.next ? '' : TEXTS.noResults));
    } catch (err) {
      fill(this.status, `${TEXTS.searchFailed}: ${err.message}`);
    }
  }
}
