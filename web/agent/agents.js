// Agent management in the supervisor view, for admins (docs/AGENT_API.md, "Agents"): every agent
// with its role, skills and capacity, editable in place; add an agent; reset a password; disable /
// enable; remove.
// Hidden for supervisors and agents (the server answers them 403 whatever the page does).
import { confirmButton, el, fill } from './dom.js';

const ROLES = ['agent', 'supervisor', 'admin'];

// This file's texts added for disabling (one place, for the translation catalogue).
const TEXTS = {
  disable: 'Disable',
  enable: 'Enable',
  disableLabel: (id) => `Disable ${id}`,
  enableLabel: (id) => `Enable ${id}`,
  disabled: 'Disabled',
  enabled: 'Enabled',
  disabledBadge: 'disabled',
};

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
                                'aria-label': 'Manage agents' },
      el('h2', {}, 'Manage agents'),
      this.form,
      el('table', { class: 'grid' },
         el('caption', {}, 'Agents who can log in'),
         el('thead', {}, el('tr', {}, ['Agent', 'Name', 'Role', 'Skills', 'Capacity', ''].map(
           (h) => el('th', { scope: 'col' }, h)))),
         this.body));
  }

  isAdmin() {
    return this.app.me?.agent?.role === 'admin';
  }

  buildAddForm() {
    const field = (testid, label, attrs = {}) => el('label', {}, label, ' ',
      el('input', { testid, 'aria-label': label, ...attrs }));
    const role = el('select', { testid: 'adm-add-role', 'aria-label': 'Role' },
                    ROLES.map((r) => el('option', { value: r }, r)));
    const form = el('form', { class: 'agents-admin__add', testid: 'adm-add-form', 'aria-label': 'Add an agent',
                              onsubmit: (e) => {
                                e.preventDefault();
                                this.add(form, role);
                              } },
      field('adm-add-id', 'Id', { required: true, maxlength: 64, pattern: '[A-Za-z0-9._@\\-]+' }),
      field('adm-add-name', 'Name', { maxlength: 200 }),
      el('label', {}, 'Role ', role),
      field('adm-add-skills', 'Skills', { placeholder: 'billing, german' }),
      field('adm-add-capacity', 'Capacity', { type: 'number', min: 1, max: 1000, value: '1' }),
      field('adm-add-password', 'Password', { type: 'password', required: true, minlength: 8,
                                              autocomplete: 'new-password' }),
      el('button', { type: 'submit', class: 'primary', testid: 'adm-add-submit' }, 'Add agent'));
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
      this.app.notify(`Agent ${body.id} added.`, 'info');
      form.reset();
      await this.refresh();
    } catch (err) {
      this.app.notify(`Adding the agent failed: ${err.message}`, 'error');
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
      this.app.notify(`Agents unavailable: ${err.message}`, 'error');
    }
  }

  render(agents) {
    fill(this.body, agents.map((a) => this.row(a)));
  }

  row(a) {
    const name = el('input', { testid: 'adm-name', value: a.displayName ?? '', maxlength: 200,
                               'aria-label': `Name of ${a.id}` });
    const role = el('select', { testid: 'adm-role', 'aria-label': `Role of ${a.id}` },
                    ROLES.map((r) => el('option', { value: r, selected: r === a.role }, r)));
    const skills = el('input', { testid: 'adm-skills', value: (a.skills ?? []).join(', '),
                                 'aria-label': `Skills of ${a.id}` });
    const capacity = el('input', { testid: 'adm-capacity', type: 'number', min: 1, max: 1000,
                                   value: String(a.capacity ?? 1), 'aria-label': `Capacity of ${a.id}` });
    const password = el('input', { testid: 'adm-password', type: 'password', minlength: 8,
                                   autocomplete: 'new-password', placeholder: 'new password',
                                   'aria-label': `New password for ${a.id}` });
    const run = async (what, fn) => {
      try {
        await fn();
        this.app.notify(`${what}: ${a.id}.`, 'info');
        await this.refresh();
      } catch (err) {
        this.app.notify(`${what} failed: ${err.message}`, 'error');
      }
    };
    const disabled = a.disabled === true;
    return el('tr', { testid: 'adm-agent', class: disabled ? 'agents-admin__disabled' : '',
                      dataset: { agentId: a.id, disabled: String(disabled) } },
      el('th', { scope: 'row' }, a.id,
         disabled ? el('span', { class: 'badge', testid: 'adm-disabled-badge' }, ` ${TEXTS.disabledBadge}`) : null),
      el('td', {}, name), el('td', {}, role), el('td', {}, skills), el('td', {}, capacity),
      el('td', { class: 'row-actions' },
         el('button', { type: 'button', testid: 'adm-save', 'aria-label': `Save ${a.id}`,
                        onclick: () => run('Saved', () => this.app.api.updateAgent(a.id, {
                          displayName: name.value.trim() || a.id, role: role.value,
                          skills: parseSkills(skills.value), capacity: Number(capacity.value),
                        })) }, 'Save'),
         password,
         el('button', { type: 'button', testid: 'adm-reset-password', 'aria-label': `Reset the password of ${a.id}`,
                        onclick: () => run('Password reset', () => this.app.api.resetPassword(a.id, password.value)) },
            'Reset password'),
         // Not for yourself: the server refuses an admin disabling itself (409).
         a.id === this.app.me?.agent?.id ? null
           : el('button', { type: 'button', testid: 'adm-toggle-disabled',
                            'aria-label': disabled ? TEXTS.enableLabel(a.id) : TEXTS.disableLabel(a.id),
                            onclick: () => run(disabled ? TEXTS.enabled : TEXTS.disabled,
                                               () => this.app.api.setAgentDisabled(a.id, !disabled)) },
                disabled ? TEXTS.enable : TEXTS.disable),
         confirmButton({ class: 'danger', testid: 'adm-remove', 'aria-label': `Remove ${a.id}` }, 'Remove',
                       () => run('Removed', () => this.app.api.removeAgent(a.id)))));
  }
}
