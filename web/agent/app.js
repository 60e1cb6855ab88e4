// The agent console: login, presence, offers, several conversations at once, the supervisor and
// analytics views (supervisors and admins only).
// Talks only to the Agent API (docs/AGENT_API.md). The session token is kept in sessionStorage
// (per browser tab) so a reload keeps the agent logged in.
import { Alerts } from './alerts.js';
import { AnalyticsView } from './analytics.js';
import { AgentApi, AgentStream } from './api.js';
import { ConversationView, causeLabel, stateLabel } from './conversation.js';
import { el, fill } from './dom.js';
import { HistoryViewer, SearchView } from './history.js';
import {
  LANGUAGE_NAMES, languageSetting, presenceLabel, roleLabel, setLanguageSetting, t, translateDocument,
} from './i18n.js';
import { OffersView } from './offers.js';
import { SupervisorView } from './supervisor.js';
import { setFilesBase } from './transcript.js';

const TOKEN_KEY = 'baton.agent.token';
const PRESENCES = ['available', 'busy', 'away', 'offline'];

// Why an offer went away, in words.
function withdrawnText(cause) {
  const texts = {
    expired: t('withdrawn.expired'), cancelled: t('withdrawn.cancelled'),
    abandoned: t('withdrawn.abandoned'), agent_away: t('withdrawn.agentAway'),
    agent_removed: t('withdrawn.agentRemoved'), taken: t('withdrawn.taken'),
  };
  return texts[cause] ?? t('withdrawn.other');
}

// The language pickers (top bar and login form): "Browser (…)" then each catalogue's language.
// A change is stored and the page reloads in the new language.
function bindLanguagePicker(select) {
  fill(select, el('option', { value: '' }, t('language.browser')),
       Object.entries(LANGUAGE_NAMES).map(([code, name]) => el('option', { value: code, lang: code }, name)));
  select.value = languageSetting();
  select.setAttribute('aria-label', t('top.language'));
  select.addEventListener('change', () => {
    setLanguageSetting(select.value);
    location.reload();
  });
}

class App {
  constructor() {
    this.api = new AgentApi();
    this.api.onUnauthorized = () => this.loggedOut(t('session.ended'));
    this.stream = null;
    this.me = null;
    this.views = new Map();  // `${mode}:${id}` → ConversationView
    this.active = null;      // key of the selected view
    this.knownQueues = new Set();
    this.$ = (id) => document.getElementById(id);
    this.offers = new OffersView(this);
    this.supervisor = new SupervisorView(this);
    this.analytics = new AnalyticsView(this);
    this.alerts = new Alerts(this);
    this.$('logout').before(this.alerts.button);
    this.search = new SearchView(this);
    this.historyViewer = new HistoryViewer(this);
    this.$('offers-slot').replaceWith(this.offers.root);
    this.$('supervisor-slot').replaceWith(this.supervisor.root);
    this.$('analytics-slot').replaceWith(this.analytics.root);
    this.$('search-slot').replaceWith(this.search.root);
    this.bindChrome();
  }

  bindChrome() {
    this.$('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.login();
    });
    this.$('logout').addEventListener('click', () => this.logout());
    bindLanguagePicker(this.$('language'));
    bindLanguagePicker(this.$('login-language'));
    const select = this.$('presence');
    fill(select, PRESENCES.map((p) => el('option', { value: p }, presenceLabel(p))));
    select.addEventListener('change', () => this.setPresence(select.value));
    this.$('view-workspace').addEventListener('click', () => this.showView('workspace'));
    this.$('view-supervisor').addEventListener('click', () => this.showView('supervisor'));
    this.$('view-analytics').addEventListener('click', () => this.showView('analytics'));
    this.$('view-search').addEventListener('click', () => this.showView('search'));
  }

  async start() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      this.showLogin();
      return;
    }
    this.api.token = token;
    try {
      this.enter(await this.api.me());
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      this.showLogin();
    }
  }

  // --- session ----------------------------------------------------------------------------

  showLogin(message = '') {
    this.$('login').hidden = false;
    this.$('app').hidden = true;
    const error = this.$('login-error');
    error.textContent = message;
    error.hidden = message === '';
    this.$('login-id').focus();
  }

  async login() {
    const id = this.$('login-id').value.trim();
    const password = this.$('login-password').value;
    const button = this.$('login-submit');
    button.disabled = true;
    try {
      const answer = await this.api.login(id, password);
      this.api.token = answer.token;
      sessionStorage.setItem(TOKEN_KEY, answer.token);
      this.$('login-password').value = '';
      this.enter(await this.api.me());
    } catch (err) {
      this.showLogin(err.status === 401 ? t('login.wrong') : t('login.failed', { error: err.message }));
    } finally {
      button.disabled = false;
    }
  }

  async logout() {
    try {
      await this.api.logout();
    } catch {
      // The session is dropped locally either way.
    }
    this.loggedOut('');
  }

  loggedOut(message) {
    this.stream?.stop();
    this.stream = null;
    sessionStorage.removeItem(TOKEN_KEY);
    this.api.token = null;
    for (const view of this.views.values()) {
      view.destroy();
    }
    this.views.clear();
    this.active = null;
    this.offers.reset([]);
    this.analytics.reset();
    this.me = null;
    this.showLogin(message);
  }

  enter(me) {
    this.$('login').hidden = true;
    this.$('app').hidden = false;
    this.applySnapshot(me);
    const supervisor = this.isSupervisor();
    // Everyone may search (agents: their own conversations); the rest is for supervisors.
    this.$('view-supervisor').hidden = !supervisor;
    this.$('view-analytics').hidden = !supervisor;
    if (supervisor) {
      this.supervisor.refresh();
    }
    this.showView('workspace');
    this.stream?.stop();
    this.stream = new AgentStream(this.api, {
      message: (msg) => this.onStream(msg),
      status: (state, attempt, delay) => this.onStreamStatus(state, attempt, delay),
      beforeReconnect: () => this.sessionStillValid(),
    });
    this.stream.start();
  }

  async sessionStillValid() {
    try {
      await this.api.me();
      return true;
    } catch (err) {
      return err.status !== 401;  // 401 logs out (onUnauthorized); other failures: keep trying
    }
  }

  streamOpen() {
    return Boolean(this.stream?.isOpen);
  }

  onStreamStatus(state, attempt, delay) {
    const node = this.$('connection');
    node.dataset.state = state;
    node.textContent = state === 'open' ? t('connection.connected')
      : state === 'connecting' ? t('connection.connecting')
        : state === 'reconnecting' ? (delay ? t('connection.reconnectingIn', { seconds: Math.ceil(delay / 1000) })
          : t('connection.reconnecting'))
          : t('connection.disconnected');
  }

  async setPresence(presence) {
    try {
      const answer = await this.api.setPresence(presence);
      this.showPresence(answer.presence ?? presence);
    } catch (err) {
      this.notify(t('presence.changeFailed', { error: err.message }), 'error');
      this.showPresence(this.me?.presence);
    }
  }

  showPresence(presence, cause) {
    if (this.me) {
      this.me.presence = presence;
    }
    const select = this.$('presence');
    select.value = presence ?? 'offline';
    select.dataset.presence = presence ?? '';
    if (cause === 'missed_offers') {
      this.notify(t('presence.missedOffers'), 'warning');
    }
  }

  // --- stream -----------------------------------------------------------------------------

  applySnapshot(me) {
    this.me = { ...me };
    if (typeof me.filesBase === 'string') {
      setFilesBase(me.filesBase);  // GET me says it; the stream's hello does not
    }
    const agent = me.agent ?? {};
    this.$('agent-name').textContent = t('top.agentName', {
      name: agent.displayName || agent.id || '', role: roleLabel(agent.role ?? 'agent'),
    });
    this.showPresence(me.presence);
    this.offers.reset(me.offers ?? []);
    for (const o of me.offers ?? []) {
      this.rememberQueue(o.queue);
    }
    const ids = new Set();
    for (const summary of me.conversations ?? []) {
      ids.add(summary.id);
      this.rememberQueue(summary.queue);
      const view = this.ensureView(summary.id, 'agent');
      view.setSummary(summary);
      view.refresh();
    }
    for (const view of [...this.views.values()]) {
      if (view.mode === 'agent' && !ids.has(view.id) && view.state !== 'left') {
        if (view.state === 'wrap_up') {
          this.remove(view);
        } else {
          view.setState('left', 'ended');
        }
      } else if (view.mode === 'monitor') {
        this.stream?.send({ type: 'monitor', conversationId: view.id });
        view.refresh();
      }
    }
    this.renderTabs();
  }

  onStream(msg) {
    const id = msg.conversationId;
    switch (msg.type) {
      case 'hello':
        this.applySnapshot(msg);
        break;
      case 'offer':
        this.rememberQueue(msg.queue);
        this.offers.add(msg);
        this.alerts.offer(msg);
        break;
      case 'offer_withdrawn':
        if (this.offers.remove(id, msg.offerId) && msg.cause !== 'taken') {
          this.notify(t('withdrawn.notice', { reason: withdrawnText(msg.cause), id }), 'info');
        }
        break;
      case 'assigned': {
        this.offers.remove(id);
        const view = this.ensureView(id, 'agent');
        view.setState('assigned');
        if (msg.conversation) {
          view.setSummary(msg.conversation);
        }
        view.refresh();
        if (!this.active || !this.views.has(this.active)) {
          this.select(view);
        }
        break;
      }
      case 'unassigned': {
        const view = this.views.get(`agent:${id}`);
        if (view?.state === 'wrap_up') {
          this.remove(view);  // the wrap-up is over (done here, elsewhere, or max_wrap_up)
        } else if (view) {
          view.setState('left', msg.cause);
          this.notify(t('conv.leftYou', { id, cause: causeLabel(msg.cause) }), 'info');
        }
        break;
      }
      case 'wrap_up':
        this.ensureView(id, 'agent').setState('wrap_up');
        break;
      case 'activity':
        this.onActivity(id, msg.entry);
        break;
      case 'presence':
        this.showPresence(msg.presence, msg.cause);
        break;
      case 'transfer_failed':
        this.notify(t('transfer.notDone', { id, cause: msg.cause }), 'error');
        break;
      case 'supervisor':
        this.supervisor.update(msg);
        break;
      case 'error':
        console.warn('agent stream error', msg.error);
        break;
      case 'pong':
        break;
      default:
        break;
    }
  }

  onActivity(id, entry) {
    if (!entry) {
      return;
    }
    for (const mode of ['agent', 'monitor']) {
      const view = this.views.get(`${mode}:${id}`);
      if (!view || !view.addEntry(entry)) {
        continue;  // not a customer's message
      }
      const otherShown = this.active !== `${mode}:${id}`;
      if (otherShown) {
        view.unread += 1;
        this.renderTabs();
      }
      if (mode === 'agent') {
        this.alerts.message(view, entry, otherShown);
      }
    }
  }

  // --- conversations ----------------------------------------------------------------------

  ensureView(id, mode) {
    const key = `${mode}:${id}`;
    let view = this.views.get(key);
    if (!view) {
      view = new ConversationView(this, id, mode);
      this.views.set(key, view);
      this.$('conversations').appendChild(view.root);
      if (!this.active) {
        this.select(view);
      }
      this.renderTabs();
    }
    return view;
  }

  keyOf(view) {
    return `${view.mode}:${view.id}`;
  }

  select(view) {
    this.active = this.keyOf(view);
    view.unread = 0;
    for (const v of this.views.values()) {
      v.root.hidden = v !== view;
    }
    this.$('empty').hidden = true;
    this.renderTabs();
  }

  remove(view) {
    const key = this.keyOf(view);
    if (view.mode === 'monitor') {
      this.stream?.send({ type: 'unmonitor', conversationId: view.id });
    }
    view.destroy();
    this.views.delete(key);
    if (this.active === key) {
      this.active = null;
      const next = this.views.values().next().value;
      if (next) {
        this.select(next);
      }
    }
    this.$('empty').hidden = this.views.size > 0;
    this.renderTabs();
  }

  accepted(id) {
    const view = this.ensureView(id, 'agent');
    view.refresh();
    this.select(view);
  }

  onChanged() {
    this.renderTabs();
  }

  renderTabs() {
    const list = this.$('conv-tabs');
    if (!list) {
      return;
    }
    const tabs = [...this.views.values()].map((v) => {
      const key = this.keyOf(v);
      const selected = key === this.active;
      const who = v.summary?.queue ? ` · ${v.summary.queue}` : '';
      return el('li', { role: 'presentation' },
        el('button', {
          type: 'button', role: 'tab', class: `tab tab--${v.state}`, testid: 'conv-tab',
          dataset: { conversationId: v.id, mode: v.mode, state: v.state },
          'aria-selected': selected ? 'true' : 'false', tabindex: selected ? '0' : '-1',
          onclick: () => this.select(v), onkeydown: (e) => this.onTabKey(e),
        },
        el('span', { class: 'tab__id', title: v.id }, v.id.slice(0, 12)), who,
        el('span', { class: 'tab__state' }, ` ${stateLabel(v.state)}`),
        v.unread > 0 ? el('span', { class: 'unread', testid: 'unread',
                                    'aria-label': t('tab.unread', { count: v.unread }) }, String(v.unread)) : null));
    });
    fill(list, tabs);
    this.$('empty').hidden = this.views.size > 0;
    this.updateTitle();
  }

  // The page title counts what waits for the agent, for one working in another window: unread
  // customer messages in background conversations plus pending offers.
  updateTitle() {
    const unread = [...(this.views?.values() ?? [])].reduce((n, v) => n + v.unread, 0);
    const waiting = unread + (this.offers?.count ?? 0);
    document.title = waiting > 0 ? t('app.titleCount', { count: waiting }) : t('app.title');
  }

  offersChanged() {
    this.updateTitle();
  }

  // Arrow keys move between conversation tabs (WAI-ARIA tabs pattern).
  onTabKey(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') {
      return;
    }
    e.preventDefault();
    const views = [...this.views.values()];
    const i = views.findIndex((v) => this.keyOf(v) === this.active);
    const step = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : -1;
    const next = views[(i + step + views.length) % views.length];
    if (next) {
      this.select(next);
      this.$('conv-tabs').querySelector('[aria-selected="true"]')?.focus();
    }
  }

  rememberQueue(queue) {
    if (queue) {
      this.knownQueues.add(queue);
    }
  }

  // Queue names and other agents ({id, label}) to transfer to: from `me` (every agent gets them),
  // plus whatever the supervisor view and offers taught us.
  transferTargets() {
    const self = this.me?.agent?.id;
    const queues = new Set([...(this.me?.queues ?? []), ...this.knownQueues,
                            ...this.supervisor.queueNames()]);
    const agents = new Map();
    for (const id of this.supervisor.agentIds()) {
      agents.set(id, id);
    }
    for (const a of this.me?.agents ?? []) {
      const name = a.displayName && a.displayName !== a.id ? `${a.displayName} (${a.id})` : a.id;
      agents.set(a.id, `${name}, ${presenceLabel(a.presence)}`);
    }
    agents.delete(self);
    return {
      queues: [...queues].sort().map((q) => ({ id: q, label: q })),
      agents: [...agents.entries()].sort().map(([id, label]) => ({ id, label })),
    };
  }

  // Re-reads `me` so the transfer lists show current agents and presence.
  async refreshTransferTargets() {
    try {
      const me = await this.api.me();
      if (this.me) {
        this.me.queues = me.queues;
        this.me.agents = me.agents;
      }
    } catch {
      // keep the lists from the last hello
    }
  }

  // --- supervisor ---------------------------------------------------------------------------

  isSupervisor() {
    return ['supervisor', 'admin'].includes(this.me?.agent?.role);
  }

  // 'workspace' or 'search', or for supervisors and admins 'supervisor' or 'analytics'.
  showView(which) {
    const allowed = this.isSupervisor() ? ['workspace', 'supervisor', 'analytics', 'search'] : ['workspace', 'search'];
    const view = allowed.includes(which) ? which : 'workspace';
    this.$('workspace').hidden = view !== 'workspace';
    this.supervisor.root.hidden = view !== 'supervisor';
    this.analytics.root.hidden = view !== 'analytics';
    this.search.root.hidden = view !== 'search';
    for (const name of ['workspace', 'supervisor', 'analytics', 'search']) {
      this.$(`view-${name}`).setAttribute('aria-pressed', view === name ? 'true' : 'false');
    }
    if (view === 'search') {
      this.search.show(this.isSupervisor());
    }
    if (view === 'supervisor') {
      this.supervisor.refresh();
    } else if (view === 'analytics') {
      this.analytics.show();
    }
  }

  // Shows the read-only panel at once; the transcript fills in when the read answers.
  async monitor(id) {
    const view = this.ensureView(id, 'monitor');
    this.stream?.send({ type: 'monitor', conversationId: id });
    this.showView('workspace');
    this.select(view);
    await view.refresh();
  }

  async forceClose(id) {
    try {
      await this.api.forceClose(id);
      this.notify(t('conv.closedNotice', { id }), 'info');
      this.supervisor.refresh();
    } catch (err) {
      this.notify(t('conv.forceCloseFailed', { error: err.message }), 'error');
    }
  }

  // --- notices ------------------------------------------------------------------------------

  notify(text, kind = 'info') {
    const node = el('div', { class: `notice notice--${kind}`, testid: 'notice', role: kind === 'error' ? 'alert' : 'status' },
                    text,
                    el('button', { type: 'button', class: 'notice__close', 'aria-label': t('notice.dismiss'),
                                   onclick: () => node.remove() }, '×'));
    this.$('notices').appendChild(node);
    setTimeout(() => node.remove(), kind === 'error' ? 12000 : 6000);
  }
}

translateDocument();
const app = new App();
window.batonConsole = app;  // for debugging and tests
app.start();
