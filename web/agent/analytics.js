// The Analytics view (roles supervisor and admin): headline tiles, sessions and outcomes over time,
// topics ranked by escalation rate, queue waits and service level, the agent table; a date range,
// queue and topic filters, and the sessions CSV. Reads GET /api/analytics/summary, /timeseries and
// /sessions.csv (docs/ANALYTICS.md); the server computes every figure, this view only shows them.
import { ChartSlot, loadChartLibrary, outcomesChart, queueChart } from './charts.js';
import { el, fill } from './dom.js';
import { locale, t } from './i18n.js';
import {
  NONE, apiRange, defaultRange, formatCount, formatMs, formatRate, formatRating,
} from './format.js';

const OUTCOMES = ['resolved', 'escalated', 'abandoned', 'unengaged'];
const QUEUE_SERIES = ['handoffs', 'first_wait', 'service_level_20s'];

export class AnalyticsView {
  // `app` gives: api, notify(text, kind), supervisor.queueNames(), me.queues.
  constructor(app) {
    this.app = app;
    this.generation = 0;  // answers to an older load are dropped
    this.knownTopics = new Set();
    this.knownQueues = new Set();
    this.built = false;
    this.root = el('section', { class: 'analytics', testid: 'analytics-view', hidden: true,
                                'aria-label': t('top.analytics') });
  }

  // Builds the view on first use and loads the figures of the chosen range.
  show() {
    if (!this.built) {
      this.build();
    }
    this.load();
  }

  // Forgets everything shown (logout): the next agent to log in starts from an empty view.
  reset() {
    this.generation += 1;
    this.outcomes?.destroy();
    this.queue?.destroy();
    this.root.replaceChildren();
    delete this.root.dataset.state;
    this.knownTopics.clear();
    this.knownQueues.clear();
    this.built = false;
  }

  build() {
    const range = defaultRange();
    this.from = el('input', { type: 'date', testid: 'an-from', value: range.from, required: true,
                              onchange: () => this.load() });
    this.to = el('input', { type: 'date', testid: 'an-to', value: range.to, required: true,
                            onchange: () => this.load() });
    this.queueSelect = el('select', { testid: 'an-queue', onchange: () => this.load() });
    this.topicSelect = el('select', { testid: 'an-topic', onchange: () => this.load() });
    this.fillOptions();
    const field = (label, input) => el('label', { class: 'analytics__field' }, label, input);
    this.status = el('span', { class: 'muted', testid: 'an-status', role: 'status', 'aria-live': 'polite' });
    this.error = el('p', { class: 'analytics__error', testid: 'an-error', role: 'alert', hidden: true });
    this.tiles = el('div', { class: 'tiles', testid: 'an-tiles' });
    this.outcomesCanvas = el('canvas', { testid: 'an-chart-outcomes', role: 'img',
                                         'aria-label': t('an.outcomesAria') });
    this.queueCanvas = el('canvas', { testid: 'an-chart-queue', role: 'img',
                                      'aria-label': t('an.queueChartAria') });
    this.outcomes = new ChartSlot(this.outcomesCanvas);
    this.queue = new ChartSlot(this.queueCanvas);
    this.chartNote = el('p', { class: 'muted', testid: 'an-chart-note', hidden: true });
    this.topicsBody = el('tbody', { testid: 'an-topics' });
    this.queuesBody = el('tbody', { testid: 'an-queues' });
    this.agentsBody = el('tbody', { testid: 'an-agents' });
    const table = (caption, headers, body) => el('table', { class: 'grid grid--figures' },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), body);
    const chart = (title, canvas) => el('figure', { class: 'chart' },
      el('figcaption', {}, title), el('div', { class: 'chart__box' }, canvas));
    fill(this.root,
      el('form', { class: 'analytics__bar', testid: 'an-filters', onsubmit: (e) => {
        e.preventDefault();
        this.load();
      } },
      field(t('an.from'), this.from), field(t('an.to'), this.to), field(t('col.queue'), this.queueSelect),
      field(t('an.topic'), this.topicSelect),
      el('button', { type: 'submit', testid: 'an-refresh' }, t('common.refresh')),
      el('button', { type: 'button', testid: 'an-csv', onclick: () => this.downloadCsv() },
         t('an.csv')),
      this.status),
      this.error, this.tiles,
      el('div', { class: 'charts' },
         chart(t('an.outcomesChart'), this.outcomesCanvas),
         chart(t('an.queueChart'), this.queueCanvas)),
      this.chartNote,
      table(t('an.topicsTable'), [t('an.topic'), t('an.sessions'), t('an.escalation'), t('an.resolution'),
                                  t('an.abandon')], this.topicsBody),
      table(t('sup.queues'), [t('col.queue'), t('an.handoffs'), t('an.accepted'), t('an.abandoned'),
                              t('an.avgFirstWait'), 'p50', 'p90', t('an.within20'), t('an.within60')],
            this.queuesBody),
      table(t('sup.agents'), [t('col.agent'), t('an.handled'), t('an.avgHandle'), t('an.utilisation'),
                              t('an.offers'), t('an.declined'), t('an.expired')], this.agentsBody));
    this.built = true;
  }

  // The range and filters as the API's query, with the chart interval; {error} when unusable.
  query() {
    const range = apiRange(this.from.value, this.to.value);
    if (range.error) {
      return range;
    }
    const params = new URLSearchParams({ from: range.from, to: range.to });
    if (this.queueSelect.value) {
      params.set('queue', this.queueSelect.value);
    }
    if (this.topicSelect.value) {
      params.set('topic', this.topicSelect.value);
    }
    return { params, interval: range.interval };
  }

  async load() {
    const q = this.query();
    if (q.error) {
      this.generation += 1;  // an answer still on its way is for other dates
      this.showError(q.error);
      this.root.dataset.state = 'error';
      return;
    }
    const generation = ++this.generation;
    this.status.textContent = t('an.loading');
    this.root.dataset.state = 'loading';
    const api = this.app.api;
    try {
      const [summary, ...series] = await Promise.all([
        api.analyticsSummary(q.params),
        ...[...OUTCOMES, ...QUEUE_SERIES].map((m) => api.analyticsSeries(q.params, m, q.interval)),
      ]);
      if (generation !== this.generation) {
        return;
      }
      const byMetric = Object.fromEntries(series.map((s) => [s.metric, s.points ?? []]));
      this.showError('');
      this.render(summary);
      this.status.textContent = t('common.updated', { time: new Date().toLocaleTimeString(locale()) });
      await this.drawCharts(byMetric, q.interval, generation);
      if (generation === this.generation) {
        this.root.dataset.state = 'ready';
      }
    } catch (err) {
      if (generation === this.generation) {
        this.status.textContent = '';
        this.showError(t('an.unavailable', { error: err.message }));
        this.root.dataset.state = 'error';
      }
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = text === '';
  }

  async drawCharts(byMetric, interval, generation) {
    let Chart;
    try {
      Chart = await loadChartLibrary();
    } catch (err) {
      this.chartNote.textContent = t('an.chartsUnavailable', { error: err.message });
      this.chartNote.hidden = false;
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    this.chartNote.hidden = true;
    this.outcomes.draw(Chart, outcomesChart(byMetric, interval));
    this.queue.draw(Chart, queueChart(byMetric, interval));
    this.outcomesCanvas.dataset.points = String(byMetric.resolved?.length ?? 0);
    this.queueCanvas.dataset.points = String(byMetric.handoffs?.length ?? 0);
  }

  render(summary) {
    for (const row of summary.topics ?? []) {
      this.knownTopics.add(row.topic);
    }
    for (const q of summary.queues ?? []) {
      this.knownQueues.add(q.queue);
    }
    this.fillOptions();
    this.renderTiles(summary);
    this.renderTopics(summary.topics ?? []);
    this.renderQueues(summary.queues ?? []);
    this.renderAgents(summary.agents ?? []);
  }

  // The filter lists: every queue and topic seen in an answer, the supervisor view or `me`,
  // keeping the current choice.
  fillOptions() {
    const queues = new Set([...this.knownQueues, ...(this.app.me?.queues ?? []),
                            ...this.app.supervisor.queueNames()]);
    const options = (select, all, names) => {
      const chosen = select.value;
      fill(select, el('option', { value: '' }, all),
           [...names].filter(Boolean).sort().map((n) => el('option', { value: n }, n)));
      select.value = [...names].includes(chosen) ? chosen : '';
    };
    options(this.queueSelect, t('an.allQueues'), queues);
    options(this.topicSelect, t('an.allTopics'), this.knownTopics);
  }

  renderTiles(s) {
    const sessions = s.sessions ?? {};
    const rates = s.rates ?? {};
    const csat = s.csat ?? {};
    const handoffs = s.handoffs ?? {};
    const tile = (metric, label, value, detail) => el('div', {
      class: 'tile', testid: 'an-tile', dataset: { metric },
    }, el('div', { class: 'tile__label' }, label),
    el('div', { class: 'tile__value', testid: 'an-tile-value' }, value),
    el('div', { class: 'tile__detail muted', testid: 'an-tile-detail' }, detail));
    const count = (n) => formatCount(n ?? 0, locale());
    const rate = (x) => formatRate(x, locale());
    fill(this.tiles,
      tile('sessions', t('an.sessions'), count(sessions.total),
           t('an.tile.sessions', { engaged: count(sessions.engaged), unengaged: count(sessions.unengaged) })),
      tile('resolution', t('an.resolutionRate'), rate(rates.resolution),
           t('an.tile.resolution', { resolved: count(sessions.resolved), engaged: count(sessions.engaged) })),
      tile('escalation', t('an.escalationRate'), rate(rates.escalation),
           t('an.tile.escalation', { escalated: count(sessions.escalated) })),
      tile('abandon', t('an.abandonRate'), rate(rates.abandon),
           t('an.tile.abandon', { abandoned: count(sessions.abandoned) })),
      tile('csat', t('an.csat'), csat.average === null || csat.average === undefined
        ? NONE : `${formatRating(csat.average, locale())} / 5`,
           t('an.tile.csat', { responses: count(csat.responses), asked: count(csat.asked),
                               rate: rate(csat.responseRate) })),
      tile('handoffs', t('an.handoffs'), count(handoffs.total),
           t('an.tile.handoffs', { accepted: count(handoffs.accepted), rate: rate(handoffs.serviceLevel20s) })));
  }

  renderTopics(topics) {
    const loc = locale();
    fill(this.topicsBody, topics.map((row) => el('tr', { testid: 'an-topic-row', dataset: { topic: row.topic } },
      el('th', { scope: 'row' }, row.topic || NONE), el('td', {}, formatCount(row.sessions, loc)),
      el('td', {}, formatRate(row.escalationRate, loc)), el('td', {}, formatRate(row.resolutionRate, loc)),
      el('td', {}, formatRate(row.abandonRate, loc)))));
    emptyRow(this.topicsBody, topics, 5);
  }

  renderQueues(queues) {
    const loc = locale();
    fill(this.queuesBody, queues.map((q) => el('tr', { testid: 'an-queue-row', dataset: { queue: q.queue } },
      el('th', { scope: 'row' }, q.queue), el('td', {}, formatCount(q.handoffs, loc)),
      el('td', {}, formatCount(q.accepted, loc)), el('td', {}, formatCount(q.abandoned, loc)),
      el('td', {}, formatMs(q.firstWaitMs?.avg, loc)), el('td', {}, formatMs(q.firstWaitMs?.p50, loc)),
      el('td', {}, formatMs(q.firstWaitMs?.p90, loc)), el('td', {}, formatRate(q.serviceLevel20s, loc)),
      el('td', {}, formatRate(q.serviceLevel60s, loc)))));
    emptyRow(this.queuesBody, queues, 9);
  }

  renderAgents(agents) {
    const loc = locale();
    fill(this.agentsBody, agents.map((a) => el('tr', { testid: 'an-agent-row', dataset: { agentId: a.id } },
      el('th', { scope: 'row' }, a.id), el('td', {}, formatCount(a.handled, loc)),
      el('td', {}, formatMs(a.handleTimeMsAvg, loc)), el('td', {}, formatRate(a.utilisation, loc)),
      el('td', {}, formatCount(a.offers, loc)), el('td', {}, formatCount(a.offersDeclined, loc)),
      el('td', {}, formatCount(a.offersExpired, loc)))));
    emptyRow(this.agentsBody, agents, 7);
  }

  // Fetches the sessions CSV of the current range and filters with the session token (in the
  // header, never in a URL) and hands it to the browser as a download from a blob: URL.
  async downloadCsv() {
    const q = this.query();
    if (q.error) {
      this.showError(q.error);
      return;
    }
    try {
      const blob = await this.app.api.analyticsCsv(q.params);
      const url = URL.createObjectURL(blob);
      const link = el('a', { href: url, download: `baton-sessions-${this.from.value}-to-${this.to.value}.csv`,
                             hidden: true });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      this.app.notify(t('an.csvFailed', { error: err.message }), 'error');
    }
  }
}

function emptyRow(body, rows, columns) {
  if (rows.length === 0) {
    body.appendChild(el('tr', {}, el('td', { colspan: columns, class: 'muted' }, t('an.noData'))));
  }
}
