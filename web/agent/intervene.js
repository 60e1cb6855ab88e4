// A supervisor's interventions in a monitored conversation (docs/AGENT_API.md, "Supervisor:
// intervene"): whisper to the owning agent (never shown to the customer), barge in (the customer
// sees the supervisor's name), take over, and assign it to an agent or move it to a queue. Shown
// in a monitor tab in place of the composer; the server answers agents 403 whatever the page does.
import { el } from './dom.js';
import { t } from './i18n.js';

// The bar for `view` (a ConversationView in monitor mode). `app` gives: api, notify(text, kind),
// transferTargets() ({queues, agents}: [{id, label}]), ensureView(id, mode), select(view), remove(view).
export function interveneBar(app, view) {
  const input = el('textarea', {
    class: 'composer__input', testid: 'intervene-input', rows: 2, maxlength: 4000,
    'aria-label': t('intervene.inputAria'),
    placeholder: t('intervene.placeholder'),
  });
  // `failed(error)` words the notice when `fn` fails.
  const run = async (failed, fn) => {
    try {
      await fn();
    } catch (err) {
      app.notify(failed(err.message), 'error');
    }
  };
  const sayFailed = (barge) => (error) => (barge ? t('intervene.bargeFailed', { error })
    : t('intervene.whisperFailed', { error }));
  const say = (barge) => run(sayFailed(barge), async () => {
    const text = input.value.trim();
    if (!text) {
      return;
    }
    await (barge ? app.api.barge(view.id, text) : app.api.whisper(view.id, text));
    input.value = '';
  });
  const takeOver = () => run((error) => t('intervene.takeOverFailed', { error }), async () => {
    await app.api.takeOver(view.id);
    app.notify(t('intervene.tookOver', { id: view.id }), 'info');
    const mine = app.ensureView(view.id, 'agent');
    mine.setState('assigned');
    app.remove(view);
    app.select(mine);
    mine.refresh();
  });

  const kind = el('select', { testid: 'assign-kind', 'aria-label': t('intervene.assignTo') },
                  el('option', { value: 'agent' }, t('transfer.anAgent')),
                  el('option', { value: 'queue' }, t('transfer.aQueue')));
  const listId = `assign-targets-${Math.random().toString(36).slice(2)}`;
  const list = el('datalist', { id: listId });
  const target = el('input', { testid: 'assign-target', list: listId, required: true,
                               'aria-label': t('intervene.targetAria'), placeholder: t('intervene.agentId') });
  const note = el('input', { testid: 'assign-note', maxlength: 1000,
                             'aria-label': t('intervene.noteAria'), placeholder: t('common.noteOptional') });
  const fillTargets = () => {
    const targets = app.transferTargets();
    const options = kind.value === 'agent' ? targets.agents : targets.queues;
    list.replaceChildren(...(options ?? []).map((t) => el('option', { value: t.id }, t.label)));
    target.placeholder = kind.value === 'agent' ? t('intervene.agentId') : t('intervene.queueName');
  };
  kind.addEventListener('change', fillTargets);
  target.addEventListener('focus', fillTargets);
  const assign = el('form', {
    class: 'intervene__assign', testid: 'assign-form', 'aria-label': t('intervene.assignAria'),
    onsubmit: (e) => {
      e.preventDefault();
      run((error) => t('intervene.assignFailed', { error }), async () => {
        const body = kind.value === 'agent' ? { agentId: target.value.trim() } : { queue: target.value.trim() };
        if (note.value.trim()) {
          body.note = note.value.trim();
        }
        await app.api.assign(view.id, body);
        app.notify(t('intervene.assigned', { id: view.id, target: target.value.trim() }), 'info');
        target.value = '';
        note.value = '';
      });
    },
  },
  el('label', {}, t('intervene.assignTo'), ' ', kind), target, list, note,
  el('button', { type: 'submit', testid: 'assign-submit' }, t('intervene.assign')));

  return el('div', { class: 'intervene', testid: 'intervene' },
    input,
    el('div', { class: 'composer__buttons' },
       el('button', { type: 'button', class: 'note-button', testid: 'sup-whisper',
                      'aria-label': t('intervene.whisperAria'),
                      onclick: () => say(false) }, t('intervene.whisper')),
       el('button', { type: 'button', class: 'primary', testid: 'sup-barge',
                      'aria-label': t('intervene.bargeAria'),
                      onclick: () => say(true) }, t('intervene.barge')),
       el('button', { type: 'button', testid: 'sup-take-over',
                      'aria-label': t('intervene.takeOverAria'),
                      onclick: takeOver }, t('intervene.takeOver'))),
    assign);
}
