// A supervisor's interventions in a monitored conversation (docs/AGENT_API.md, "Supervisor:
// intervene"): whisper to the owning agent (never shown to the customer), barge in (the customer
// sees the supervisor's name), take over, and assign it to an agent or move it to a queue. Shown
// in a monitor tab in place of the composer; the server answers agents 403 whatever the page does.
import { el } from './dom.js';

// The bar for `view` (a ConversationView in monitor mode). `app` gives: api, notify(text, kind),
// transferTargets() ({queues, agents}: [{id, label}]), ensureView(id, mode), select(view), remove(view).
export function interveneBar(app, view) {
  const input = el('textarea', {
    class: 'composer__input', testid: 'intervene-input', rows: 2, maxlength: 4000,
    'aria-label': 'Whisper to the agent, or write to the customer',
    placeholder: 'Whisper to the agent, or barge in and write to the customer…',
  });
  const run = async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      app.notify(`${what} failed: ${err.message}`, 'error');
    }
  };
  const say = (barge) => run(barge ? 'Barge' : 'Whisper', async () => {
    const text = input.value.trim();
    if (!text) {
      return;
    }
    await (barge ? app.api.barge(view.id, text) : app.api.whisper(view.id, text));
    input.value = '';
  });
  const takeOver = () => run('Take over', async () => {
    await app.api.takeOver(view.id);
    app.notify(`You took over conversation ${view.id}.`, 'info');
    const mine = app.ensureView(view.id, 'agent');
    mine.setState('assigned');
    app.remove(view);
    app.select(mine);
    mine.refresh();
  });

  const kind = el('select', { testid: 'assign-kind', 'aria-label': 'Assign to' },
                  el('option', { value: 'agent' }, 'an agent'),
                  el('option', { value: 'queue' }, 'a queue'));
  const listId = `assign-targets-${Math.random().toString(36).slice(2)}`;
  const list = el('datalist', { id: listId });
  const target = el('input', { testid: 'assign-target', list: listId, required: true,
                               'aria-label': 'Agent id or queue name', placeholder: 'agent id' });
  const note = el('input', { testid: 'assign-note', maxlength: 1000,
                             'aria-label': 'Note for the agent', placeholder: 'Note (optional)' });
  const fillTargets = () => {
    const targets = app.transferTargets();
    const options = kind.value === 'agent' ? targets.agents : targets.queues;
    list.replaceChildren(...(options ?? []).map((t) => el('option', { value: t.id }, t.label)));
    target.placeholder = kind.value === 'agent' ? 'agent id' : 'queue name';
  };
  kind.addEventListener('change', fillTargets);
  target.addEventListener('focus', fillTargets);
  const assign = el('form', {
    class: 'intervene__assign', testid: 'assign-form', 'aria-label': 'Assign the conversation',
    onsubmit: (e) => {
      e.preventDefault();
      run('Assign', async () => {
        const body = kind.value === 'agent' ? { agentId: target.value.trim() } : { queue: target.value.trim() };
        if (note.value.trim()) {
          body.note = note.value.trim();
        }
        await app.api.assign(view.id, body);
        app.notify(`Conversation ${view.id} assigned to ${target.value.trim()}.`, 'info');
        target.value = '';
        note.value = '';
      });
    },
  },
  el('label', {}, 'Assign to ', kind), target, list, note,
  el('button', { type: 'submit', testid: 'assign-submit' }, 'Assign'));

  return el('div', { class: 'intervene', testid: 'intervene' },
    input,
    el('div', { class: 'composer__buttons' },
       el('button', { type: 'button', class: 'note-button', testid: 'sup-whisper',
                      'aria-label': 'Whisper to the agent (never shown to the customer)',
                      onclick: () => say(false) }, 'Whisper to agent'),
       el('button', { type: 'button', class: 'primary', testid: 'sup-barge',
                      'aria-label': 'Barge in: send to the customer under your name',
                      onclick: () => say(true) }, 'Barge in'),
       el('button', { type: 'button', testid: 'sup-take-over',
                      'aria-label': 'Take the conversation over from its agent',
                      onclick: takeOver }, 'Take over')),
    assign);
}
