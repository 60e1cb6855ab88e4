// Tiny DOM helpers. Every piece of text coming from the server (customer, agent, bot text, names,
// variables) goes through text nodes: nothing here ever assigns innerHTML, so markup in data is
// shown as text and never parsed or run.
import { locale, t } from './i18n.js';

// el('div', {class: 'x', dataset: {testid: 'y'}, onclick: fn, 'aria-label': 'z'}, child, ...)
// Children: strings/numbers become text nodes, null/undefined/false are skipped, arrays flatten.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      node.className = value;
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) {
        node.dataset[k] = String(v);
      }
    } else if (key === 'testid') {
      node.dataset.testid = value;
    } else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'value') {
      node.value = value;
    } else if (key === 'checked' || key === 'disabled' || key === 'hidden' || key === 'selected') {
      node[key] = Boolean(value);
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(node, child);
    } else if (child instanceof Node) {
      node.appendChild(child);
    } else {
      node.appendChild(document.createTextNode(String(child)));
    }
  }
}

// Replaces all children of `node`.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// "1:05" for 65000 ms; "1:02:03" past an hour. Negative or missing → "0:00".
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor((Number(ms) || 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// "14:03" local time from an ISO string, in the console's locale (i18n.js); "" when absent or
// unparsable.
export function formatClock(iso) {
  const ms = Date.parse(iso ?? '');
  if (Number.isNaN(ms)) {
    return '';
  }
  return new Date(ms).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}

// A value of a context or user variable as one line of text.
export function formatValue(value) {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

// A button for a destructive action: the first activation arms it ("Click again to confirm") for
// `ms`, the second runs `action`. Works the same from the keyboard.
export function confirmButton(attrs, label, action, ms = 5000) {
  let timer = null;
  const button = el('button', { type: 'button', ...attrs, onclick: () => {
    if (button.dataset.armed === 'true') {
      clearTimeout(timer);
      reset();
      action();
      return;
    }
    button.dataset.armed = 'true';
    button.textContent = t('common.confirm');
    timer = setTimeout(reset, ms);
  } }, label);
  function reset() {
    button.dataset.armed = 'false';
    button.textContent = label;
  }
  return button;
}
