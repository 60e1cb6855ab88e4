// Agent management in the supervisor view, for admins (docs/AGENT_API.md, "Agents"): every agent
// with its role, skills and capacity, editable in place; add an agent; reset a password; disable /
// enable; remove.
// Hidden for supervisors and agents (the server answers them 403 whatever the page does).
import { confirmButton, el, fill } from './dom.js';
import { roleLabel, t } from './i18n.js';

const ROLES = ['agent', 'supervisor', 'admin'];

// "Billing, de ,billing" → ["billing", "de"]: the server normalises too; this keeps the field tidy.
export function parseSkills(text) {
  return [...new Set(String(text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))].sort();
}

export class AgentsAdmin {
  // `app` gives: api, notify(text, kind), me.
  constructor(app) {
    this.app = app;
    this.body = el('tbody', { testid: 'adm-agents' });
    this.form = this.buildAddForm();
    this.root = el('section', { class: 'agents-admin', testid: 'agents-admin', hidden: true,
                                'aria-label': t('adm.heading') },
      el('h2', {}, t('adm.heading')),
      this.form,
      el('table', { class: 'grid' },
         el('caption', {}, t('adm.caption')),
         el('thead', {}, el('tr', {}, [t('col.agent'), t('col.name'), t('col.role'), t('adm.skills'),
                                       t('adm.capacity'), ''].map(
           (h) => el('th', { scope: 'col' }, h)))),
         this.body));
  }

  isAdmin() {
    return this.app.me?.agent?.role === 'admin';
  }

  buildAddForm() {
    const field = (testid, label, attrs = {}) => el('label', {}, label, ' ',
      el('input', { testid, 'aria-label': label, ...attrs }));
    const role = el('select', { testid: 'adm-add-role', 'aria-label': t('col.role') },
                    ROLES.map((r) => el('option', { value: r }, roleLabel(r))));
    const form = el('form', { class: 'agents-admin__add', testid: 'adm-add-form', 'aria-label': t('adm.addAria'),
                              onsubmit: (e) => {
                                e.preventDefault();
                                this.add(form, role);
                              } },
      field('adm-add-id', t('adm.id'), { required: true, maxlength: 64, pattern: '[A-Za-z0-9._@\\-]+' }),
      field('adm-add-name', t('col.name'), { maxlength: 200 }),
      el('label', {}, t('col.role'), ' ', role),
      field('adm-add-skills', t('adm.skills'), { placeholder: t('adm.skillsPlaceholder') }),
      field('adm-add-capacity', t('adm.capacity'), { type: 'number', min: 1, max: 1000, value: '1' }),
      field('adm-add-password', t('login.password'), { type: 'password', required: true, minlength: 8,
                                                       autocomplete: 'new-password' }),
      el('button', { type: 'submit', class: 'primary', testid: 'adm-add-submit' }, t('adm.add')));
    return form;
  }

  async add(form, role) {
    const value = (testid) => form.querySelector(`[data-testid="${testid}"]`).value.trim();
    const body = {
      id: value('adm-add-id'), role: role.value, skills: parseSkills(value('adm-add-skills')),
      capacity: Number(value('adm-add-capacity') || 1), password: form.querySelector('[data-testid="adm-add-password"]').value,
    };
    if (value('adm-add-name')) {
      body.displayName = value('adm-add-name');
    }
    try {
      await this.app.api.addAgent(body);
      this.app.notify(t('adm.added', { id: body.id }), 'info');
      form.reset();
      await this.refresh();
    } catch (err) {
      this.app.notify(t('adm.addFailed', { error: err.message }), 'error');
    }
  }

  async refresh() {
    this.root.hidden = !this.isAdmin();
    if (this.root.hidden) {
      return;
    }
    try {
      const { agents } = await this.app.api.agents();
      this.render(agents ?? []);
    } catch (err) {
      this.app.notify(t('adm.unavailable', { error: err.message }), 'error');
    }
  }

  render(agents) {
    fill(this.body, agents.map((a) => this.row(a)));
  }

  row(a) {
    const name = el('input', { testid: 'adm-name', value: a.displayName ?? '', maxlength: 200,
                               'aria-label': t('adm.nameOf', { id: a.id }) });
    const role = el('select', { testid: 'adm-role', 'aria-label': t('adm.roleOf', { id: a.id }) },
                    ROLES.map((r) => el('option', { value: r, selected: r === a.role }, roleLabel(r))));
    const skills = el('input', { testid: 'adm-skills', value: (a.skills ?? []).join(', '),
                                 'aria-label': t('adm.skillsOf', { id: a.id }) });
    const capacity = el('input', { testid: 'adm-capacity', type: 'number', min: 1, max: 1000,
                                   value: String(a.capacity ?? 1), 'aria-label': t('adm.capacityOf', { id: a.id }) });
    const password = el('input', { testid: 'adm-password', type: 'password', minlength: 8,
                                   autocomplete: 'new-password', placeholder: t('adm.newPassword'),
                                   'aria-label': t('adm.newPasswordFor', { id: a.id }) });
    // `done` and `failed(error)` word the notices.
    const run = async (done, failed, fn) => {
      try {
        await fn();
        this.app.notify(done, 'info');
        await this.refresh();
      } catch (err) {
        this.app.notify(failed(err.message), 'error');
      }
    };
    const disabled = a.disabled === true;
    return el('tr', { testid: 'adm-agent', class: disabled ? 'agents-admin__disabled' : '',
                      dataset: { agentId: a.id, disabled: String(disabled) } },
      el('th', { scope: 'row' }, a.id,
         disabled ? el('span', { class: 'badge', testid: 'adm-disabled-badge' }, ` ${t('adm.disabledBadge')}`) : null),
      el('td', {}, name), el('td', {}, role), el('td', {}, skills), el('td', {}, capacity),
      el('td', { class: 'row-actions' },
         el('button', { type: 'button', testid: 'adm-save', 'aria-label': t('adm.saveAria', { id: a.id }),
                        onclick: () => run(t('adm.saved', { id: a.id }),
                                           (error) => t('adm.saveFailed', { error }),
                                           () => this.app.api.updateAgent(a.id, {
                          displayName: name.value.trim() || a.id, role: role.value,
                          skills: parseSkills(skills.value), capacity: Number(capacity.value),
                        })) }, t('common.save')),
         password,
         el('button', { type: 'button', testid: 'adm-reset-password', 'aria-label': t('adm.resetAria', { id: a.id }),
                        onclick: () => run(t('adm.passwordReset', { id: a.id }),
                                           (error) => t('adm.resetFailed', { error }),
                                           () => this.app.api.resetPassword(a.id, password.value)) },
            t('adm.reset')),
         // Not for yourself: the server refuses an admin disabling itself (409).
         a.id === this.app.me?.agent?.id ? null
           : el('button', { type: 'button', testid: 'adm-toggle-disabled',
                            'aria-label': disabled ? t('adm.enableAria', { id: a.id }) : t('adm.disableAria', { id: a.id }),
                            onclick: () => run(disabled ? t('adm.enabled', { id: a.id }) : t('adm.disabled', { id: a.id }),
                                               (error) => (disabled ? t('adm.enableFailed', { error })
                                                                    : t('adm.disableFailed', { error })),
                                               () => this.app.api.setAgentDisabled(a.id, !disabled)) },
                disabled ? t('adm.enable') : t('adm.disable')),
         confirmButton({ class: 'danger', testid: 'adm-remove', 'aria-label': t('adm.removeAria', { id: a.id }) },
                       t('adm.remove'),
                       () => run(t('adm.removed', { id: a.id }), (error) => t('adm.removeFailed', { error }),
                                 () => this.app.api.removeAgent(a.id)))));
  }
}
