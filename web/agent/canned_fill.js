// Canned responses without the DOM (tested under Node: web/tests/canned.test.mjs): filling a
// text's placeholders and matching the `/` search.
//
// Placeholders: {customer.name} (the name the customer's client sent with their messages),
// {agent.name} (your display name), {context.X} (the handoff context's X: a va_* value or a bot
// variable, as the context panel shows them). A placeholder with no value here, or one this
// console does not know, is left in the text as written, so the agent sees it before sending.

const PLACEHOLDER = /\{(customer\.name|agent\.name|context\.([A-Za-z0-9_.-]{1,64}))\}/g;

// `values` = { customerName, agentName, context: { name: value } }.
export function fillPlaceholders(text, values) {
  return String(text).replace(PLACEHOLDER, (whole, key, contextName) => {
    let value;
    if (key === 'customer.name') {
      value = values?.customerName;
    } else if (key === 'agent.name') {
      value = values?.agentName;
    } else if (values?.context && Object.hasOwn(values.context, contextName)) {
      value = values.context[contextName];
    }
    if (value === undefined || value === null || value === '') {
      return whole;
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

// The `/query` being typed at the caret: the text from a `/` at the start of the box or after a
// space or line break, up to the caret, without spaces. null when there is none.
export function slashQuery(value, caret) {
  const before = String(value).slice(0, caret);
  const match = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!match) {
    return null;
  }
  return { start: before.length - match[2].length - 1, query: match[2] };
}

// The responses matching `query` (case-insensitive), codes starting with it first, then codes and
// titles containing it, then texts containing it; at most `limit`.
export function searchCanned(list, query, limit = 8) {
  const q = String(query).toLowerCase();
  const ranked = [];
  for (const c of list) {
    const code = c.code.toLowerCase();
    const title = c.title.toLowerCase();
    let rank = -1;
    if (code.startsWith(q)) {
      rank = 0;
    } else if (code.includes(q) || title.includes(q)) {
      rank = 1;
    } else if (c.text.toLowerCase().includes(q)) {
      rank = 2;
    }
    if (rank >= 0) {
      ranked.push({ rank, c });
    }
  }
  ranked.sort((a, b) => a.rank - b.rank || a.c.code.localeCompare(b.c.code) ||
                        a.c.queue.localeCompare(b.c.queue));
  return ranked.slice(0, limit).map((r) => r.c);
}
