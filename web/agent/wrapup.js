// The wrap-up form of a conversation (docs/HUB.md "Wrap-up dispositions"): the queue's
// dispositions from ConversationDetail (`dispositions`, `dispositionRequired`), a free note, and
// Done, which sends them with POST /wrapup. A refusal (a required disposition missing) leaves the
// agent in wrap-up with the server's message.
import { el } from './dom.js';

// `detail` is the conversation's ConversationDetail (or null while it loads); `done({disposition,
// note})` finishes the wrap-up.
export function wrapUpForm(detail, done) {
  const codes = detail?.dispositions ?? [];
  const required = Boolean(detail?.dispositionRequired);
  const select = codes.length === 0 ? null : el('select', {
    testid: 'wrapup-disposition', 'aria-label': 'Disposition', required,
  },
  el('option', { value: '' }, required ? 'Choose a disposition…' : '(no disposition)'),
  codes.map((c) => el('option', { value: c }, c)));
  const note = el('input', {
    testid: 'wrapup-note', 'aria-label': 'Wrap-up note', maxlength: 1000, placeholder: 'Note (optional)',
    class: 'wrapup__note',
  });
  const form = el('form', { class: 'wrapup', testid: 'wrapup-form', onsubmit: (e) => {
    e.preventDefault();
    done({ disposition: select?.value ?? '', note: note.value.trim() });
  } },
  select ? el('label', {}, 'Disposition ', select) : null,
  note,
  el('button', { type: 'submit', class: 'primary', testid: 'wrapup-done', 'aria-label': 'Wrap-up done' }, 'Done'));
  return form;
}
