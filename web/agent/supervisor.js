// The supervisor view (roles supervisor and admin): live queues, agents with presence and load,
// every conversation with Monitor and Force close, a presence picker per agent; for admins, agent
// management (agents.js); the canned responses section (canned.js). Fed by GET /supervisor and the
// stream's `supervisor` messages.
import { AgentsAdmin } from './agents.js';
import { CannedAdmin, cannedListOf } from './canned.js';
import { confirmButton, el, fill, formatDuration } from './dom.js';

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
                                'aria-label': 'Supervisor view' },
      el('div', { class: 'supervisor__bar' },
         el('button', { type: 'button', testid: 'sup-refresh', onclick: () => this.refresh() }, 'Refresh'),
         this.updated = el('span', { class: 'muted', testid: 'sup-updated' })),
      this.serviceBox = el('div', { class: 'supervisor__service', testid: 'sup-service', role: 'status',
                                    hidden: true }),
      table('Queues', ['Queue', 'Waiting', 'Offered', 'Longest wait', 'Open', 'Agents online',
                       'Available', 'Est. wait'], this.queuesBody),
      table('Agents', ['Agent', 'Name', 'Role', 'Presence', 'Load', 'Set presence'], this.agentsBody),
      table('Conversations', ['Conversation', 'State', 'Queue', 'Agent', 'Waited', 'Reason', ''],
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
      this.app.notify(`Supervisor data unavailable: ${err.message}`, 'error');
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
    this.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    this.render();
  }

  // What the server says about itself (GET /supervisor `service`): a problem storing messages, or
  // warnings such as a nearly full disk. Hidden while all is well.
  renderService(service) {
    const lines = [];
    if (service.ready === false) {
      lines.push(el('p', { testid: 'sup-service-down' },
                    `Messages cannot be stored right now: ${service.reason ?? 'unknown reason'}`));
    }
    for (const w of service.warnings ?? []) {
      lines.push(el('p', { testid: 'sup-service-warning' }, `Warning: ${w}`));
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
    const select = el('select', { testid: 'sup-agent-set-presence', 'aria-label': `Set the presence of ${a.id}` },
                      el('option', { value: '' }, '—'),
                      PRESENCES.map((p) => el('option', { value: p }, p)));
    select.addEventListener('change', async () => {
      if (!select.value) {
        return;
      }
      try {
        await this.app.api.setAgentPresence(a.id, select.value);
        this.app.notify(`${a.id} is now ${select.value}.`, 'info');
        this.refresh();
      } catch (err) {
        this.app.notify(`Setting the presence failed: ${err.message}`, 'error');
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
    el('td', {}, q.open === false ? 'closed' : 'open'), el('td', {}, q.agentsOnline ?? 0),
    el('td', {}, q.agentsAvailable ?? 0), el('td', {}, formatDuration(q.estimatedWaitMs)))));

    fill(this.agentsBody, this.data.agents.map((a) => el('tr', {
      testid: 'sup-agent', dataset: { agentId: a.id },
    },
    el('th', { scope: 'row' }, a.id), el('td', {}, a.displayName ?? ''), el('td', {}, a.role ?? ''),
    el('td', { testid: 'sup-agent-presence' },
       el('span', { class: `presence presence--${a.presence}` }, a.presence ?? '')),
    el('td', { testid: 'sup-agent-load' }, `${a.load ?? 0} / ${a.capacity ?? 0}`),
    el('td', {}, this.presencePicker(a)))));

    fill(this.convsBody, this.data.conversations.map((c) => el('tr', {
      testid: 'sup-conversation', dataset: { conversationId: c.id, state: c.state ?? '' },
    },
    el('th', { scope: 'row' }, el('code', {}, c.id)), el('td', { testid: 'sup-conv-state' }, c.state ?? ''),
    el('td', {}, c.queue ?? ''), el('td', {}, c.agent ?? c.offeredTo ?? ''),
    el('td', {}, formatDuration(c.waitedMs)), el('td', {}, c.reason ?? ''),
    el('td', { class: 'row-actions' },
       el('button', { type: 'button', testid: 'sup-monitor', 'aria-label': `Monitor conversation ${c.id}`,
                      onclick: () => this.app.monitor(c.id) }, 'Monitor'),
       confirmButton({ class: 'danger', testid: 'sup-force-close',
                       'aria-label': `Force-close conversation ${c.id}` },
                     'Force close', () => this.app.forceClose(c.id))))));
    if (this.data.conversations.length === 0) {
      this.convsBody.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No conversations')));
    }
  }
}
