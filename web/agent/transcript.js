// The transcript of one conversation: the bot part, a "handed over" divider, then the live part.
// Customer messages, bot messages, agent messages and internal notes each get their own style.
// All text is set through text nodes (dom.js): markup in a message is shown as typed.
import { el, formatClock } from './dom.js';
import { t } from './i18n.js';

function senderKindLabel(sender) {
  const labels = {
    customer: t('sender.customer'), bot: t('sender.bot'), agent: t('sender.agent'), system: t('sender.system'),
  };
  return labels[sender] ?? t('sender.unknown');
}

// True for entries the transcript does not show as a line (typing indicators).
export function isHidden(entry) {
  return entry?.activity?.type === 'typing';
}

// A note is what the server says is one (kind "note": written by an agent through the API), never
// an activity that merely carries the note's event name: customers can send any name.
export function isNote(entry) {
  return entry?.kind === 'note' && entry?.sender === 'agent';
}

// A whisper: a supervisor's word to the owning agent (kind "whisper", written by the server for
// POST .../whisper), never shown to the customer.
export function isWhisper(entry) {
  return entry?.kind === 'whisper' && entry?.sender === 'agent';
}

function senderLabel(entry) {
  const from = entry.activity?.from ?? {};
  if (entry.sender === 'customer') {
    return from.name ? t('sender.customerNamed', { name: from.name }) : t('sender.customer');
  }
  if (entry.sender === 'agent') {
    return from.name || String(from.id ?? '').replace(/^agent:/, '') || t('sender.agent');
  }
  return senderKindLabel(entry.sender);
}

// The sender class, as the server assigned it (docs/AGENT_API.md, Entry): never from the
// activity's own `from`, which a customer fills in.
export function senderKind(entry) {
  return ['customer', 'bot', 'agent', 'system'].includes(entry.sender) ? entry.sender : 'system';
}

// What a customer sent that is not a message (an event, say) is shown as the customer's line,
// in words: it is theirs, whatever name it carries.
function customerEventText(activity) {
  const name = typeof activity.name === 'string' ? ` ${activity.name}` : '';
  const value = activity.value;
  const text = typeof value?.text === 'string' ? value.text
    : value === undefined ? '' : JSON.stringify(value);
  return `[${activity.type ?? 'activity'}${name}] ${text}`.trim();
}

// "<public URL>/v3/directline/conversations/" as GET me says (`filesBase`): the exact prefix of
// the contentUrl the server gives every file stored in a conversation (a customer's upload, a
// file an agent sent). Set by the app after login.
let filesBase = '';
export function setFilesBase(base) {
  filesBase = typeof base === 'string' ? base : '';
}

const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
// A stored file's name as the server issues it: 22 base64url characters, optionally '.' and an
// extension of 1..8 letters or digits (store/upload_files.hpp).
const FILE_NAME = /^[A-Za-z0-9_-]{22}(\.[A-Za-z0-9]{1,8})?$/;
// Types previewed inline (never SVG: an image that is a document).
const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

// The URL (on this page's origin) of a file this server stores in conversation
// `conversationId`, or null. Only a contentUrl of exactly the form the server issues for this
// conversation counts: `${base}${conversationId}/files/${name}`. Links to anywhere else, which a
// customer could have written into an attachment, are shown as text only; the link is rebuilt
// from the checked parts, never taken from the activity.
export function ownFileUrl(contentUrl, conversationId, base = filesBase, origin = location.origin) {
  if (typeof contentUrl !== 'string' || typeof conversationId !== 'string' || !base ||
      !CONVERSATION_ID.test(conversationId)) {
    return null;
  }
  const prefix = `${base}${conversationId}/files/`;
  if (!contentUrl.startsWith(prefix)) {
    return null;
  }
  const name = contentUrl.slice(prefix.length);
  if (!FILE_NAME.test(name) || /\.ct$/i.test(name)) {
    return null;
  }
  return `${origin}/v3/directline/conversations/${conversationId}/files/${name}`;
}

// Whether a file of this declared type is shown as an image.
export function previewable(contentType) {
  return typeof contentType === 'string' && PREVIEW_TYPES.has(contentType.toLowerCase());
}

function attachmentPart(attachment, conversationId) {
  const name = String(attachment?.name || attachment?.contentType || t('transcript.attachment'));
  const url = ownFileUrl(attachment?.contentUrl, conversationId);
  if (!url) {
    return el('div', { class: 'msg__attachment' }, `📎 ${name}`);
  }
  return el('div', { class: 'msg__attachment' },
    el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', testid: 'attachment-link',
              download: name }, `📎 ${name}`),
    previewable(attachment?.contentType)
      ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'msg__preview' },
           el('img', { src: url, alt: t('transcript.preview', { name }), loading: 'lazy', testid: 'attachment-image' }))
      : null);
}

function messageBody(activity, conversationId) {
  const parts = [];
  if (typeof activity.text === 'string' && activity.text.length > 0) {
    parts.push(el('div', { class: 'msg__text', testid: 'message-text' }, activity.text));
  }
  for (const attachment of activity.attachments ?? []) {
    parts.push(attachmentPart(attachment, conversationId));
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) {
    parts.push(el('div', { class: 'msg__choices', 'aria-label': t('transcript.quickReplies') },
                  actions.map((a) => el('span', { class: 'chip' }, String(a?.title ?? a?.value ?? '')))));
  }
  return parts;
}

function systemLine(entry) {
  const a = entry.activity ?? {};
  let text;
  if (a.type === 'endOfConversation') {
    text = t('transcript.ended');
  } else if (a.type === 'event' && a.name === 'handoff.initiate') {
    text = t('transcript.handoffRequested');
  } else if (a.type === 'event' && a.name === 'handoff.status') {
    text = t('transcript.handoffStatus', { state: a.value?.state ?? '' }).trim();
  } else if (a.type === 'event' || a.type === 'trace') {
    text = `${a.type}: ${a.name ?? ''}`;
  } else {
    text = a.type ?? 'activity';
  }
  return el('li', { class: 'sys', testid: 'transcript-system', dataset: { seq: entry.seq } },
            text, el('time', { class: 'sys__time' }, formatClock(a.timestamp)));
}

// One transcript line for `entry` of conversation `conversationId`.
export function renderEntry(entry, conversationId) {
  const a = entry.activity ?? {};
  if (isNote(entry)) {
    const text = typeof a.value?.text === 'string' ? a.value.text : '';
    return el('li', { class: 'note', testid: 'transcript-note', dataset: { seq: entry.seq } },
              el('div', { class: 'msg__meta' },
                 el('span', { class: 'note__badge' }, t('transcript.note')), ' · ',
                 a.from?.name || String(a.from?.id ?? '').replace(/^agent:/, ''), ' ',
                 el('time', {}, formatClock(a.timestamp))),
              el('div', { class: 'msg__text', testid: 'message-text' }, text));
  }
  if (isWhisper(entry)) {
    const text = typeof a.value?.text === 'string' ? a.value.text : '';
    return el('li', { class: 'note note--whisper', testid: 'transcript-whisper', dataset: { seq: entry.seq } },
              el('div', { class: 'msg__meta' },
                 el('span', { class: 'note__badge' }, t('transcript.whisper')), ' · ',
                 a.from?.name || String(a.from?.id ?? '').replace(/^agent:/, ''), ' ',
                 el('time', {}, formatClock(a.timestamp))),
              el('div', { class: 'msg__text', testid: 'message-text' }, text));
  }
  const kind = senderKind(entry);
  if (a.type !== 'message' && kind !== 'customer') {
    return systemLine(entry);
  }
  return el('li', {
    class: `msg msg--${kind}${entry.internal ? ' msg--internal' : ''}`,
    testid: `transcript-${kind}`,
    dataset: { seq: entry.seq, part: entry.part ?? '' },
  },
  el('div', { class: 'msg__meta' }, el('span', { class: 'msg__sender' }, senderLabel(entry)), ' ',
     el('time', {}, formatClock(a.timestamp))),
  a.type === 'message' ? messageBody(a, conversationId)
    : el('div', { class: 'msg__text', testid: 'message-text' }, customerEventText(a)));
}

// The divider between the bot part and the live part.
export function handoverDivider() {
  return el('li', { class: 'divider', role: 'separator', testid: 'handover-divider',
                    'aria-label': t('transcript.handedOver') },
            el('span', {}, t('transcript.handedOver')));
}

// Renders `entries` (sorted by seq) of conversation `conversationId` into the list `ol`: bot
// part, divider, live part.
export function renderTranscript(ol, entries, conversationId) {
  ol.replaceChildren();
  let dividerShown = false;
  const hasBotPart = entries.some((e) => e.part === 'bot');
  for (const entry of entries) {
    if (isHidden(entry)) {
      continue;
    }
    if (!dividerShown && entry.part === 'live' && hasBotPart) {
      ol.appendChild(handoverDivider());
      dividerShown = true;
    }
    ol.appendChild(renderEntry(entry, conversationId));
  }
  if (!dividerShown && hasBotPart) {
    ol.appendChild(handoverDivider());
  }
}
