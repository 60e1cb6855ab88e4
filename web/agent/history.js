// A customer's history and the search over ended conversations (docs/AGENT_API.md "History and
// search"): the History section of a conversation's context panel (the customer's previous
// conversations), the read-only viewer one of them opens in (audited by the server), and the
// Search view (supervisors and admins: every conversation; agents: the ones they handled).
import { el, fill } from './dom.js';
import { locale, t } from './i18n.js';
import { renderTranscript } from './transcript.js';

const OUTCOMES = ['completed', 'cancelled', 'abandoned', 'timed_out', 'unavailable', 'unsupported'];

// A handoff's outcome in words; an unknown one as sent.
export function outcomeLabel(outcome) {
  const labels = {
    completed: t('history.outcome.completed'), cancelled: t('history.outcome.cancelled'),
    abandoned: t('history.outcome.abandoned'), timed_out: t('history.outcome.timedOut'),
    unavailable: t('history.outcome.unavailable'), unsupported: t('history.outcome.unsupported'),
  };
  return Object.hasOwn(labels, outcome ?? '') ? labels[outcome] : outcome;
}

// Date and time in the browser's zone and the console's locale ("07.12.26, 14:03"); "–" when
// absent or unparsable.
function when(iso) {
  const ms = Date.parse(iso ?? '');
  if (Number.isNaN(ms)) {
    return '–';
  }
  return new Date(ms).toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short' });
}

// One line of facts about a handoff: queue · agent · outcome · disposition.
function handoffFacts(h) {
  if (!h) {
    return t('history.noHandoff');
  }
  return [h.queue || '–', h.agent || '–', outcomeLabel(h.outcome), h.disposition].filter(Boolean).join(' · ');
}

// The read-only viewer: a dialog with the conversation's summary and transcript. One per console.
export class HistoryViewer {
  constructor(app) {
    this.app = app;
    this.title = el('code', {});
    this.facts = el('dl', { class: 'kv', testid: 'history-facts' });
    this.transcript = el('ol', { class: 'transcript', testid: 'history-transcript', 'aria-label': t('conv.transcriptAria') });
    this.root = el('dialog', { class: 'history-viewer', testid: 'history-viewer', 'aria-label': t('history.readOnly') },
                   el('header', { class: 'conv__header' },
                      el('h2', { class: 'conv__title' }, t('history.viewerTitle'), ' ', this.title),
                      el('span', { class: 'badge' }, t('history.readOnly')),
                      el('button', { type: 'button', testid: 'history-close', onclick: () => this.root.close() },
                         t('history.close'))),
                   this.facts, this.transcript);
    document.body.appendChild(this.root);
  }

  // Opens conversation `id`, through `via` (the conversation whose History lists it) when given.
  async open(id, via = null) {
    fill(this.title, id);
    this.root.dataset.conversationId = id;
    fill(this.facts);
    fill(this.transcript, el('li', { class: 'muted' }, t('history.loading')));
    if (!this.root.open) {
      this.root.showModal();
    }
    try {
      const query = via ? `?via=${encodeURIComponent(via)}` : '';
      const d = await this.app.api.call('GET', `/history/${encodeURIComponent(id)}${query}`);
      const last = (d.handoffs ?? []).at(-1);
      const row = (label, value, testid) => [el('dt', {}, label), el('dd', { testid }, value || '–')];
      fill(this.facts,
           row(t('history.customer'), d.userId, 'history-user'),
           row(t('history.when'), when(last?.requested ?? d.created), 'history-when'),
           row(t('history.queue'), last?.queue, 'history-queue'),
           row(t('history.agent'), last?.agent, 'history-agent'),
           row(t('history.outcome'), last ? outcomeLabel(last.outcome) : t('history.noHandoff'), 'history-outcome'),
           row(t('history.disposition'), last?.disposition, 'history-disposition'),
           last?.wrapUpNote ? row(t('history.wrapUpNote'), last.wrapUpNote, 'history-wrapup-note') : null);
      renderTranscript(this.transcript, [...(d.transcript ?? [])].sort((x, y) => Number(x.seq) - Number(y.seq)));
    } catch (err) {
      fill(this.transcript, el('li', { class: 'notice--error', testid: 'history-error' },
                               t('history.viewerFailed', { error: err.message })));
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
                   el('h3', {}, t('history.heading')), this.list);
    this.loaded = false;
    fill(this.list, el('li', { class: 'muted' }, t('history.loading')));
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
          dataset: { conversationId: c.conversationId }, 'aria-label': t('history.openAria', { id: c.conversationId }),
          onclick: () => this.app.historyViewer.open(c.conversationId, this.id),
        },
        el('span', { class: 'history__when' }, when(c.lastHandoff?.requested ?? c.created)),
        el('span', { class: 'history__facts' }, handoffFacts(c.lastHandoff)))));
      fill(this.list, items.length ? items : el('li', { class: 'muted', testid: 'history-none' }, t('history.none')),
           h.truncated ? el('li', { class: 'muted' }, t('history.truncated')) : null);
    } catch (err) {
      this.loaded = false;  // try again with the next detail
      fill(this.list, el('li', { class: 'muted' }, t('history.failed', { error: err.message })));
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
      q: input('q', { type: 'search', maxlength: 200, placeholder: t('search.textPlaceholder') }),
      customer: input('customer', { maxlength: 256 }),
      from: input('from', { type: 'date' }),
      to: input('to', { type: 'date' }),
      queue: input('queue', { maxlength: 256 }),
      agent: input('agent', { maxlength: 64 }),
      outcome: el('select', { name: 'outcome', testid: 'search-outcome' },
                  el('option', { value: '' }, t('search.anyOutcome')), OUTCOMES.map((o) => el('option', { value: o }, outcomeLabel(o)))),
    };
    const label = (text, field) => el('label', {}, text, ' ', field);
    this.agentLabel = label(t('history.agent'), this.fields.agent);
    this.scope = el('p', { class: 'muted', testid: 'search-scope' });
    this.status = el('p', { class: 'muted', testid: 'search-status', role: 'status' });
    this.results = el('tbody', { testid: 'search-results' });
    this.moreButton = el('button', { type: 'button', testid: 'search-more', hidden: true,
                                     onclick: () => this.run(false) }, t('search.more'));
    this.form = el('form', { class: 'search__form', testid: 'search-form', onsubmit: (e) => {
      e.preventDefault();
      this.run(true);
    } },
    label(t('search.text'), this.fields.q), label(t('history.customer'), this.fields.customer),
    label(t('search.from'), this.fields.from), label(t('search.to'), this.fields.to),
    label(t('history.queue'), this.fields.queue), this.agentLabel, label(t('history.outcome'), this.fields.outcome),
    el('button', { type: 'submit', class: 'primary', testid: 'search-submit' }, t('search.submit')));
    this.root = el('section', { class: 'search', testid: 'search-view', hidden: true, 'aria-label': t('search.heading') },
                   el('h2', {}, t('search.heading')), this.scope, this.form, this.status,
                   el('table', { class: 'search__table' },
                      el('thead', {}, el('tr', {},
                         [t('history.when'), t('history.customer'), t('history.queue'), t('history.agent'), t('history.outcome'), t('history.disposition'), '']
                           .map((h) => el('th', {}, h)))),
                      this.results),
                   this.moreButton);
  }

  show(supervisor) {
    this.agentLabel.hidden = !supervisor;
    fill(this.scope, supervisor ? t('search.scopeAll') : t('search.scopeOwn'));
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
    fill(this.status, t('search.searching'));
    this.moreButton.hidden = true;
    try {
      const page = await this.app.api.call('GET', `/search?${params}`);
      for (const hit of page.results ?? []) {
        this.results.appendChild(el('tr', { testid: 'search-result', dataset: { conversationId: hit.conversationId } },
          el('td', {}, when(hit.requested)), el('td', {}, hit.userId), el('td', {}, hit.queue || '–'),
          el('td', {}, hit.agent || '–'), el('td', {}, outcomeLabel(hit.outcome)), el('td', {}, hit.disposition || '–'),
          el('td', {}, el('button', { type: 'button', testid: 'search-open',
                                      onclick: () => this.app.historyViewer.open(hit.conversationId) }, t('search.open')))));
      }
      this.next = page.next ?? null;
      this.moreButton.hidden = !this.next;
      fill(this.status, this.results.children.length ? '' : (this.next ? '' : t('search.noResults')));
    } catch (err) {
      fill(this.status, t('search.failed', { error: err.message }));
    }
  }
}
