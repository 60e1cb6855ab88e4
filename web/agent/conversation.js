// One conversation's workspace: header with the actions, transcript, typing indicator, composer
// (reply or internal note), transfer form, wrap-up banner and the context panel. A view is either
// `agent` (the agent owns it or wraps it up) or `monitor` (a supervisor watching, read-only).
import { CannedPicker, cannedListOf } from './canned.js';
import { confirmButton, el, fill, formatDuration, formatValue } from './dom.js';
import { HistoryPanel } from './history.js';
import { t } from './i18n.js';
import { interveneBar } from './intervene.js';
import { isHidden, renderTranscript, senderKind } from './transcript.js';
import { wrapUpForm } from './wrapup.js';

const MAX_FILE_BYTES = 8 * 1024 * 1024;  // the server's bound for one file (docs/AGENT_API.md)

const TYPING_SEND_INTERVAL_MS = 2500;  // at most one POST typing per this while typing
const CUSTOMER_TYPING_SHOW_MS = 4000;  // "customer is typing" fades after this without news

// A conversation's state in words; an unknown one as sent.
export function stateLabel(state) {
  const labels = {
    waiting: t('state.waiting'), offered: t('state.offered'), assigned: t('state.assigned'),
    wrap_up: t('state.wrapUp'), left: t('state.left'), monitor: t('state.monitor'),
  };
  return labels[state] ?? state;
}

// Why a conversation left the agent (the stream's `unassigned` cause), in words; else as sent.
export function causeLabel(cause) {
  const labels = {
    ended: t('cause.ended'), closed: t('cause.closed'), transferred: t('cause.transferred'),
    abandoned: t('cause.abandoned'), removed: t('cause.removed'), taken_over: t('cause.takenOver'),
    reassigned: t('cause.reassigned'), not_visible: t('cause.notVisible'),
  };
  return labels[cause] ?? cause;
}

export class ConversationView {
  // `app` gives: api, notify(text, kind), transferTargets(), onChanged(view), remove(view),
  // stream (for monitor/unmonitor).
  constructor(app, id, mode = 'agent') {
    this.app = app;
    this.id = id;
    this.mode = mode;
    this.entries = new Map();  // seq → Entry
    this.summary = null;
    this.detail = null;
    this.state = mode === 'monitor' ? 'monitor' : 'assigned';
    this.leftCause = '';
    this.unread = 0;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.loading = null;
    this.build();
  }

  build() {
    const id = this.id;
    this.stateBadge = el('span', { class: 'badge', testid: 'conv-state' });
    this.actions = el('div', { class: 'conv__actions', role: 'group', 'aria-label': t('conv.actionsAria') });
    this.banner = el('div', { class: 'banner', testid: 'conv-banner', role: 'status', hidden: true });
    this.transcript = el('ol', { class: 'transcript', testid: 'transcript', role: 'log',
                                 'aria-live': 'polite', 'aria-label': t('conv.transcriptAria') });
    this.typing = el('div', { class: 'typing', testid: 'customer-typing', hidden: true,
                              'aria-live': 'polite' }, t('conv.customerTyping'));
    this.input = el('textarea', {
      class: 'composer__input', testid: 'composer-input', rows: 3, maxlength: 4000,
      'aria-label': t('composer.aria'),
      placeholder: t('composer.placeholder'),
      oninput: () => this.onInput(), onkeydown: (e) => this.onKeyDown(e),
    });
    this.fileInput = el('input', { type: 'file', hidden: true, testid: 'attach-input',
                                   'aria-label': t('conv.attachAria'),
                                   onchange: () => this.sendFiles() });
    this.picker = new CannedPicker(this.input, cannedListOf(this.app), () => this.placeholderValues());
    this.composer = el('form', { class: 'composer', testid: 'composer', onsubmit: (e) => {
      e.preventDefault();
      this.submit('reply');
    } },
    this.picker.root,
    this.input,
    el('div', { class: 'composer__buttons' },
       el('button', { type: 'submit', class: 'primary', testid: 'send-reply',
                      'aria-label': t('composer.sendAria') }, t('composer.send')),
       el('button', { type: 'button', class: 'note-button', testid: 'send-note',
                      'aria-label': t('composer.noteAria'),
                      onclick: () => this.submit('note') }, t('composer.note')),
       el('button', { type: 'button', testid: 'attach-file', 'aria-label': t('conv.attachAria'),
                      onclick: () => this.fileInput.click() }, t('conv.attach')),
       this.fileInput));
    this.transferForm = this.buildTransferForm();
    this.context = el('aside', { class: 'context', testid: 'context-panel', 'aria-label': t('ctx.aria') });
    this.history = new HistoryPanel(this.app, id);  // the customer's previous conversations
    this.root = el('section', {
      class: 'conv', role: 'tabpanel', testid: 'conversation', dataset: { conversationId: id, mode: this.mode },
      'aria-label': t('conv.aria', { id }), hidden: true,
    },
    el('div', { class: 'conv__main' },
       el('header', { class: 'conv__header' },
          el('h2', { class: 'conv__title' }, this.mode === 'monitor' ? t('conv.monitoringTitle') : t('conv.title'),
             ' ', el('code', {}, id)),
          this.stateBadge, this.actions),
       this.banner, this.transferForm, this.transcript, this.typing,
       this.mode === 'monitor' ? interveneBar(this.app, this) : this.composer),
    this.context);
    this.render();
  }

  buildTransferForm() {
    this.transferKind = el('select', { testid: 'transfer-kind', 'aria-label': t('transfer.to') },
                           el('option', { value: 'queue' }, t('transfer.aQueue')),
                           el('option', { value: 'agent' }, t('transfer.anAgent')));
    const listId = `transfer-targets-${Math.random().toString(36).slice(2)}`;
    this.transferList = el('datalist', { id: listId });
    this.transferTarget = el('input', { testid: 'transfer-target', list: listId, required: true,
                                        'aria-label': t('transfer.targetAria'), placeholder: t('transfer.targetPlaceholder') });
    this.transferNote = el('input', { testid: 'transfer-note', maxlength: 1000,
                                      'aria-label': t('transfer.noteAria'), placeholder: t('common.noteOptional') });
    this.transferPick = el('select', { testid: 'transfer-pick', 'aria-label': t('transfer.pickAria') });
    this.transferPick.addEventListener('change', () => {
      if (this.transferPick.value) {
        this.transferTarget.value = this.transferPick.value;
      }
    });
    this.transferKind.addEventListener('change', () => {
      this.transferTarget.value = '';
      this.fillTransferTargets();
    });
    const form = el('form', { class: 'transfer', testid: 'transfer-form', hidden: true,
                              'aria-label': t('transfer.formAria'), onsubmit: (e) => {
                                e.preventDefault();
                                this.doTransfer();
                              },
                              onkeydown: (e) => {
                                if (e.key === 'Escape') {
                                  form.hidden = true;
                                }
                              } },
    el('label', {}, t('transfer.to'), ' ', this.transferKind), this.transferPick, this.transferTarget,
    this.transferList,
    this.transferNote,
    el('button', { type: 'submit', class: 'primary', testid: 'transfer-submit' }, t('transfer.submit')),
    el('button', { type: 'button', testid: 'transfer-cancel',
                   onclick: () => { form.hidden = true; } }, t('common.cancel')));
    return form;
  }

  // The select offers the known targets; the text field stays for any other name (typed, or
  // copied from the select).
  fillTransferTargets() {
    const targets = this.app.transferTargets();
    const agent = this.transferKind.value === 'agent';
    const list = agent ? targets.agents : targets.queues;
    fill(this.transferPick, el('option', { value: '' }, agent ? t('transfer.chooseAgent') : t('transfer.chooseQueue')),
         ...list.map((t) => el('option', { value: t.id, selected: t.id === this.transferTarget.value }, t.label)));
    fill(this.transferList, list.map((t) => el('option', { value: t.id })));
  }

  // --- data -------------------------------------------------------------------------------

  setSummary(summary) {
    this.summary = { ...(this.summary ?? {}), ...summary };
    if (this.mode === 'agent' && (summary.state === 'assigned' || summary.state === 'wrap_up')) {
      this.state = summary.state;
    }
    this.render();
    this.renderContext();
  }

  setDetail(detail) {
    this.detail = detail;
    this.setSummary(detail);
    for (const entry of detail.transcript ?? []) {
      this.entries.set(Number(entry.seq), entry);
    }
    this.renderTranscript();
    this.renderContext();
    this.history.load();
  }

  // Fetches the detail (audited by the server as a transcript read). Calls made while one is in
  // flight share it, so an accept answer and the `assigned` message cost one read.
  // A transient failure (503 while the server is busy, a network error) is retried twice, a
  // second apart, before the agent is told.
  refresh() {
    if (!this.loading) {
      const load = async () => {
        for (let attempt = 0; ; ++attempt) {
          try {
            this.setDetail(await this.app.api.conversation(this.id));
            return;
          } catch (err) {
            if (err.status === 403 || err.status === 404) {
              this.setState(this.mode === 'monitor' ? this.state : 'left', 'not_visible');
              return;
            }
            if (attempt >= 2 || err.status === 401) {
              this.app.notify(t('conv.loadFailed', { id: this.id, error: err.message }), 'error');
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      };
      this.loading = load().finally(() => { this.loading = null; });
    }
    return this.loading;
  }

  // A live entry from the stream. Returns true when it is a customer message (for unread marks).
  addEntry(entry) {
    const a = entry.activity ?? {};
    if (a.type === 'typing') {
      if (entry.sender === 'customer') {
        this.showCustomerTyping();
      }
      return false;
    }
    const seq = Number(entry.seq);
    if (this.entries.has(seq)) {
      return false;
    }
    this.entries.set(seq, entry);
    if (entry.sender === 'customer') {
      this.hideCustomerTyping();
    }
    this.renderTranscript();
    return senderKind(entry) === 'customer' && a.type === 'message';
  }

  showCustomerTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideCustomerTyping(), CUSTOMER_TYPING_SHOW_MS);
  }

  hideCustomerTyping() {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  }

  setState(state, cause = '') {
    this.state = state;
    this.leftCause = cause;
    this.render();
  }

  // --- actions ----------------------------------------------------------------------------

  // What a canned response's placeholders are filled with (canned_fill.js): the name the
  // customer's client sent with their latest message, your display name, the handoff context.
  placeholderValues() {
    let customerName = '';
    let latest = -1;
    for (const [seq, entry] of this.entries) {
      if (seq > latest && entry.sender === 'customer' && entry.activity?.from?.name) {
        customerName = entry.activity.from.name;
        latest = seq;
      }
    }
    const d = this.detail ?? {};
    return {
      customerName,
      agentName: this.app.me?.agent?.displayName ?? '',
      context: { ...(d.variables ?? {}), ...(d.context ?? {}) },
    };
  }

  onKeyDown(e) {
    if (this.picker.open) {
      return;  // the canned picker has the keys
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit('reply');
    }
  }

  onInput() {
    const now = Date.now();
    if (this.input.value.trim() !== '' && this.state === 'assigned' &&
        now - this.lastTypingSent >= TYPING_SEND_INTERVAL_MS) {
      this.lastTypingSent = now;
      this.app.api.typing(this.id).catch(() => {});  // best effort
    }
  }

  // The files picked with Attach: each sent on its own; the transcript shows them when the server
  // echoes the message.
  async sendFiles() {
    const files = [...(this.fileInput.files ?? [])];
    this.fileInput.value = '';
    for (const file of files) {
      if (file.size > MAX_FILE_BYTES) {
        this.app.notify(t('conv.fileTooLarge'), 'error');
        continue;
      }
      try {
        await this.app.api.sendFile(this.id, file);
        this.app.notify(t('conv.fileSent', { name: file.name }), 'info');
      } catch (err) {
        this.app.notify(t('conv.fileFailed', { error: err.message }), 'error');
      }
    }
  }

  async submit(kind) {
    const text = this.input.value.trim();
    if (text === '') {
      return;
    }
    try {
      if (kind === 'note') {
        await this.app.api.note(this.id, text);
      } else {
        await this.app.api.send(this.id, text);
      }
      this.input.value = '';
      this.lastTypingSent = 0;
      if (!this.app.streamOpen()) {
        await this.refresh();  // no stream: fetch what we just wrote
      }
    } catch (err) {
      this.app.notify(t('composer.notSent', { error: err.message }), 'error');
    }
  }

  async doTransfer() {
    const target = this.transferTarget.value.trim();
    if (target === '') {
      return;
    }
    const body = this.transferKind.value === 'agent' ? { agentId: target } : { queue: target };
    const note = this.transferNote.value.trim();
    if (note !== '') {
      body.note = note;
    }
    try {
      await this.app.api.transfer(this.id, body);
      this.transferForm.hidden = true;
      this.app.notify(t('transfer.requested', { target }), 'info');
    } catch (err) {
      this.app.notify(t('transfer.failed', { error: err.message }), 'error');
    }
  }

  async end(mode) {
    try {
      await this.app.api.end(this.id, mode);
      this.setState('wrap_up');
    } catch (err) {
      this.app.notify(t('conv.endFailed', { error: err.message }), 'error');
    }
  }

  async wrapupDone(fields = {}) {
    const body = {};
    if (fields.disposition) {
      body.disposition = fields.disposition;
    }
    if (fields.note) {
      body.note = fields.note;
    }
    try {
      await this.app.api.wrapup(this.id, body);
      this.app.remove(this);
    } catch (err) {
      if (err.status === 404 || err.status === 409) {
        this.app.remove(this);  // the hub already ended the wrap-up
        return;
      }
      this.app.notify(t('wrapup.failed', { error: err.message }), 'error');
    }
  }

  async forceClose() {
    try {
      await this.app.api.forceClose(this.id);
      this.app.notify(t('conv.closedNotice', { id: this.id }), 'info');
    } catch (err) {
      this.app.notify(t('conv.forceCloseFailed', { error: err.message }), 'error');
    }
  }

  // --- rendering --------------------------------------------------------------------------

  render() {
    this.stateBadge.textContent = stateLabel(this.state);
    this.stateBadge.className = `badge badge--${this.state}`;
    this.root.dataset.state = this.state;
    this.renderActions();
    this.renderBanner();
    const live = this.mode === 'agent' && this.state === 'assigned';
    this.input.disabled = !live;
    for (const b of this.composer.querySelectorAll('button')) {
      b.disabled = !live;
    }
    if (!live) {
      this.transferForm.hidden = true;
    }
    this.app.onChanged(this);
  }

  renderActions() {
    const b = (testid, label, aria, onclick, cls = '') =>
      el('button', { type: 'button', testid, 'aria-label': aria, onclick, class: cls }, label);
    if (this.mode === 'monitor') {
      fill(this.actions,
           confirmButton({ testid: 'force-close', class: 'danger', 'aria-label': t('conv.forceCloseAria') },
                         t('conv.forceClose'), () => this.forceClose()),
           b('stop-monitor', t('conv.stopMonitor'), t('conv.stopMonitorAria'), () => this.app.remove(this)));
      return;
    }
    if (this.state === 'assigned') {
      fill(this.actions,
           b('transfer-open', t('conv.transferOpen'), t('conv.transferOpenAria'), () => {
             this.transferForm.hidden = !this.transferForm.hidden;
             this.fillTransferTargets();
             if (!this.transferForm.hidden) {
               this.transferPick.focus();
               this.app.refreshTransferTargets().then(() => this.fillTransferTargets());
             }
           }),
           b('end-bot', t('conv.returnToBot'), t('conv.returnToBotAria'), () => this.end('bot')),
           b('end-close', t('conv.close'), t('conv.closeAria'), () => this.end('close'), 'danger'));
    } else if (this.state === 'left') {
      fill(this.actions, b('dismiss', t('conv.dismiss'), t('conv.dismissAria'),
                           () => this.app.remove(this)));
    } else {
      fill(this.actions);
    }
  }

  // The wrap-up form, kept across renders (what the agent chose stays) until the detail changes.
  wrapUpFormFor(detail) {
    if (!this.wrapForm || this.wrapFormDetail !== detail) {
      this.wrapForm = wrapUpForm(detail, (fields) => this.wrapupDone(fields));
      this.wrapFormDetail = detail;
    }
    return this.wrapForm;
  }

  renderBanner() {
    if (this.state === 'wrap_up') {
      this.banner.hidden = false;
      fill(this.banner, t('wrapup.banner'), ' ',
           this.wrapUpFormFor(this.detail));
    } else if (this.state === 'left') {
      this.banner.hidden = false;
      fill(this.banner, t('conv.noLongerYours', { cause: causeLabel(this.leftCause || 'ended') }));
    } else if (this.mode === 'monitor') {
      this.banner.hidden = false;
      fill(this.banner, t('conv.readOnly'));
    } else {
      this.banner.hidden = true;
      fill(this.banner);
    }
  }

  renderTranscript() {
    const sorted = [...this.entries.values()].filter((e) => !isHidden(e))
      .sort((x, y) => Number(x.seq) - Number(y.seq));
    const atBottom = this.transcript.scrollHeight - this.transcript.scrollTop - this.transcript.clientHeight < 40;
    renderTranscript(this.transcript, sorted, this.id);
    if (atBottom || sorted.length < 3) {
      this.transcript.scrollTop = this.transcript.scrollHeight;
    }
  }

  renderContext() {
    const d = { ...(this.summary ?? {}), ...(this.detail ?? {}) };
    const row = (label, value, testid) => [
      el('dt', {}, label), el('dd', { testid }, formatValue(value)),
    ];
    const context = d.context ?? {};
    const variables = d.variables ?? {};
    const vaKeys = Object.keys(context).filter((k) => !(k in variables)).sort();
    const varKeys = Object.keys(variables).sort();
    fill(this.context,
         el('h3', {}, t('ctx.handoff')),
         el('dl', { class: 'kv' },
            row(t('ctx.queue'), d.queue, 'ctx-queue'),
            row(t('ctx.waited'), formatDuration(d.waitedMs), 'ctx-waited'),
            row(t('ctx.reason'), d.reason, 'ctx-reason'),
            row(t('ctx.agentMessage'), d.agentMessage, 'ctx-agent-message'),
            d.transferNote ? row(t('ctx.transferNote'), d.transferNote, 'ctx-transfer-note') : null,
            d.priority !== undefined && d.priority !== null ? row(t('ctx.priority'), d.priority, 'ctx-priority') : null),
         el('h3', {}, t('ctx.botContext')),
         vaKeys.length === 0 ? el('p', { class: 'muted' }, t('ctx.none'))
           : el('dl', { class: 'kv', testid: 'ctx-context' }, vaKeys.map((k) => row(k, context[k]))),
         el('h3', {}, t('ctx.userVariables')),
         varKeys.length === 0 ? el('p', { class: 'muted' }, t('ctx.none'))
           : el('dl', { class: 'kv', testid: 'ctx-variables' }, varKeys.map((k) => row(k, variables[k]))),
         this.history.root);
  }

  destroy() {
    clearTimeout(this.typingTimer);
    this.root.remove();
  }
}
