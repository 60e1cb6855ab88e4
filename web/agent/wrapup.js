// The wrap-up form of a conversation (docs/HUB.md "Wrap-up dispositions"): the queue's
// dispositions from ConversationDetail (`dispositions`, `dispositionRequired`), a free note, and
// Done, which sends them with POST /wrapup. A refusal (a required disposition missing) leaves the
// agent in wrap-up with the server's message.
import { el } from './dom.js';
import { t } from './i18n.js';

// `detail` is the conversation's ConversationDetail (or null while it loads); `done({disposition,
// note})` finishes the wrap-up.
export function wrapUpForm(detail, done) {
  const codes = detail?.dispositions ?? [];
  const required = Boolean(detail?.dispositionRequired);
  const select = codes.length === 0 ? null : el('select', {
    testid: 'wrapup-disposition', 'aria-label': t('wrapup.disposition'), required,
  },
  el('option', { value: '' }, required ? t('wrapup.chooseDisposition') : t('wrapup.noDisposition')),
  codes.map((c) => el('option', { value: c }, c)));
  const note = el('input', {
    testid: 'wrapup-note', 'aria-label': t('wrapup.noteAria'), maxlength: 1000, placeholder: t('common.noteOptional'),
    class: 'wrapup__note',
  });
  const form = el('form', { class: 'wrapup', testid: 'wrapup-form', onsubmit: (e) => {
    e.preventDefault();
    done({ disposition: select?.value ?? '', note: note.value.trim() });
  } },
  select ? el('label', {}, t('wrapup.disposition'), ' ', select) : null,
  note,
  el('button', { type: 'submit', class: 'primary', testid: 'wrapup-done', 'aria-label': t('wrapup.doneAria') },
     t('wrapup.done')));
  return form;
}
