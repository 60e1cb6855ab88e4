// The supervisor view (roles supervisor and admin): live queues, agents with presence and load,
// every conversation with Monitor and Force close, a presence picker per agent; for admins, agent
// management (agents.js); the canned responses section (canned.js). Fed by GET /supervisor and the
// stream's `supervisor` messages.
import { AgentsAdmin } from './agents.js';
import { CannedAdmin, cannedListOf } from './canned.js';
import { stateLabel } from './conversation.js';
import { confirmButton, el, fill, formatDuration } from './dom.js';
import { locale, presenceLabel, roleLabel, t } from './i18n.js';

const PRESENCES = ['available', 'busy', 'away', 'offline'];

export class SupervisorView {
  // `app` gives: api, notify(text, kind), monitor(conversationId), forceClose(conversationId).
  constructor(app) {
    this.app = app;
    this.data = { queues: [], agents: [], conversations: [] };
    this.queuesBody = el('tbody', { testid: 'sup-queues' });
    this.agentsBody = el('tbody', { testid: 'sup-agents' });
    this.convsBody = el('tbody', { testid: 'sup-conversations' });
    this.admin = new AgentsAdmin(app);
    const table = (caption, headers, body) => el('table', { class: 'grid' },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), body);
    this.root = el('section', { class: 'supervisor', testid: 'supervisor-view', hidden: true,
                                'aria-label': t('sup.aria') },
      el('div', { class: 'supervisor__bar' },
         el('button', { type: 'button', testid: 'sup-refresh', onclick: () => this.refresh() }, t('common.refresh')),
         this.updated = el('span', { class: 'muted', testid: 'sup-updated' })),
      this.serviceBox = el('div', { class: 'supervisor__service', testid: 'sup-service', role: 'status',
                                    hidden: true }),
      table(t('sup.queues'), [t('col.queue'), t('sup.col.waiting'), t('sup.col.offered'),
                              t('sup.col.longestWait'), t('sup.col.open'), t('sup.col.agentsOnline'),
                              t('sup.col.available'), t('sup.col.estWait')], this.queuesBody),
      table(t('sup.agents'), [t('col.agent'), t('col.name'), t('col.role'), t('sup.col.presence'),
                              t('sup.col.load'), t('sup.col.setPresence')], this.agentsBody),
      table(t('sup.conversations'), [t('sup.col.conversation'), t('sup.col.state'), t('col.queue'),
                                     t('col.agent'), t('sup.col.waited'), t('sup.col.reason'), ''],
            this.convsBody),
      this.admin.root);
    this.canned = new CannedAdmin(app, cannedListOf(app), () => this.queueNames());
    this.root.appendChild(this.canned.root);
  }

  async refresh() {
    this.admin.refresh();
    try {
      this.update(await this.app.api.supervisor());
      await this.canned.refresh();
    } catch (err) {
      this.app.notify(t('sup.unavailable', { error: err.message }), 'error');
    }
  }

  update(data) {
    if (data.service) {
      this.renderService(data.service);
    }
    this.data = {
      queues: data.queues ?? this.data.queues,
      agents: data.agents ?? this.data.agents,
      conversations: data.conversations ?? this.data.conversations,
    };
    this.updated.textContent = t('common.updated', { time: new Date().toLocaleTimeString(locale()) });
    this.render();
  }

  // What the server says about itself (GET /supervisor `service`): a problem storing messages, or
  // warnings such as a nearly full disk. Hidden while all is well.
  renderService(service) {
    const lines = [];
    if (service.ready === false) {
      lines.push(el('p', { testid: 'sup-service-down' },
                    t('sup.serviceDown', { reason: service.reason ?? t('sup.unknownReason') })));
    }
    for (const w of service.warnings ?? []) {
      lines.push(el('p', { testid: 'sup-service-warning' }, t('sup.warning', { warning: w })));
    }
    fill(this.serviceBox, lines);
    this.serviceBox.hidden = lines.length === 0;
  }

  queueNames() {
    return this.data.queues.map((q) => q.name);
  }

  agentIds() {
    return this.data.agents.map((a) => a.id);
  }

  // Sets the agent's presence as if the agent had (PUT /agents/{id}/presence).
  presencePicker(a) {
    const select = el('select', { testid: 'sup-agent-set-presence', 'aria-label': t('sup.setPresenceAria', { id: a.id }) },
                      el('option', { value: '' }, '—'),
                      PRESENCES.map((p) => el('option', { value: p }, presenceLabel(p))));
    select.addEventListener('change', async () => {
      if (!select.value) {
        return;
      }
      try {
        await this.app.api.setAgentPresence(a.id, select.value);
        this.app.notify(t('sup.presenceSet', { id: a.id, presence: presenceLabel(select.value) }), 'info');
        this.refresh();
      } catch (err) {
        this.app.notify(t('sup.presenceFailed', { error: err.message }), 'error');
      }
    });
    return select;
  }

  render() {
    fill(this.queuesBody, this.data.queues.map((q) => el('tr', {
      testid: 'sup-queue', dataset: { queue: q.name },
    },
    el('th', { scope: 'row' }, q.name), el('td', { testid: 'sup-queue-waiting' }, q.waiting ?? 0),
    el('td', {}, q.offered ?? 0), el('td', { testid: 'sup-queue-longest' }, formatDuration(q.longestWaitMs)),
    el('td', {}, q.open === false ? t('sup.closed') : t('sup.open')), el('td', {}, q.agentsOnline ?? 0),
    el('td', {}, q.agentsAvailable ?? 0), el('td', {}, formatDuration(q.estimatedWaitMs)))));

    fill(this.agentsBody, this.data.agents.map((a) => el('tr', {
      testid: 'sup-agent', dataset: { agentId: a.id },
    },
    el('th', { scope: 'row' }, a.id), el('td', {}, a.displayName ?? ''), el('td', {}, roleLabel(a.role)),
    el('td', { testid: 'sup-agent-presence', dataset: { presence: a.presence ?? '' } },
       el('span', { class: `presence presence--${a.presence}` }, presenceLabel(a.presence))),
    el('td', { testid: 'sup-agent-load' }, `${a.load ?? 0} / ${a.capacity ?? 0}`),
    el('td', {}, this.presencePicker(a)))));

    fill(this.convsBody, this.data.conversations.map((c) => el('tr', {
      testid: 'sup-conversation', dataset: { conversationId: c.id, state: c.state ?? '' },
    },
    el('th', { scope: 'row' }, el('code', {}, c.id)),
    el('td', { testid: 'sup-conv-state', dataset: { state: c.state ?? '' } }, stateLabel(c.state ?? '')),
    el('td', {}, c.queue ?? ''), el('td', {}, c.agent ?? c.offeredTo ?? ''),
    el('td', {}, formatDuration(c.waitedMs)), el('td', {}, c.reason ?? ''),
    el('td', { class: 'row-actions' },
       el('button', { type: 'button', testid: 'sup-monitor', 'aria-label': t('sup.monitorAria', { id: c.id }),
                      onclick: () => this.app.monitor(c.id) }, t('sup.monitor')),
       confirmButton({ class: 'danger', testid: 'sup-force-close',
                       'aria-label': t('sup.forceCloseAria', { id: c.id }) },
                     t('conv.forceClose'), () => this.app.forceClose(c.id))))));
    if (this.data.conversations.length === 0) {
      this.convsBody.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('sup.noConversations'))));
    }
  }
}
