// Behaviour of every escalation path through the real `baton chat --json`, asserted on meaning
// (not bytes): the reason, the context, what the customer sees, and how the flow resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChat } from './run.mjs';

function chat(lines, bot = 'examples/contoso') {
  return runChat(bot, lines.join('\n') + '\n')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}
const botTexts = (acts) => acts.filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text);
const handoffs = (acts) => acts.filter((a) => a.type === 'event' && a.name === 'handoff.initiate');
const after = (acts, text) => acts.slice(acts.findIndex((a) => a.text === text) + 1);

test('explicit transfer carries the private message, the merged variables and the transcript', () => {
  const acts = chat(['can I return my item', 'rtc', 'CN123456', 'no']);
  const [h] = handoffs(acts);
  assert.ok(h, 'a handoff.initiate event');
  assert.equal(h.value.va_LastTopic, 'Return item');
  assert.deepEqual(h.value.va_Topics, ['Return item']);
  assert.equal(h.value.va_AgentMessage, 'Return request: order CN123456 bought at Redmond (gift: false)');
  assert.equal(h.value.StoreLocation, 'Redmond');
  assert.equal(h.value.OrderNumber, 'CN123456');
  assert.equal(h.value.IsGift, false);
  const transcript = h.attachments.find((a) => a.name === 'Transcript').content.activities;
  assert.ok(transcript.some((a) => a.text === 'rtc'), 'the customer answers are in the transcript');
  assert.equal(h.replyToId, acts.filter((a) => a.from?.role === 'user').at(-1).id);
});

test('the bot stays silent while the customer waits, and after an agent joins', () => {
  const acts = chat(['I want to pay my bill', 'hello?', 'is anyone there', '/accept', 'cancel']);
  assert.deepEqual(botTexts(after(acts, 'hello?')), []);
});

test('cancel by quick reply, by cancel intent and by cancel phrase resume with cancelled', () => {
  for (const cancel of ['Cancel', 'forget it', 'never mind']) {
    const acts = chat(['I want to pay my bill', cancel]);
    assert.deepEqual(botTexts(after(acts, cancel)), ["OK, I've cancelled the request. Anything else?"], cancel);
  }
});

test('implicit escalation mid-question has reason requested and keeps the topic history', () => {
  const acts = chat(['where is my order', 'talk to an agent']);
  const [h] = handoffs(acts);
  assert.equal(h.value.va_AgentMessage, 'Escalated by the bot (requested)');
  assert.equal(h.value.va_LastTopic, 'Order status');
});

test('repeated no-match escalates with reason no_match after the threshold', () => {
  const acts = chat(['blorp', 'qwxz vbnm', 'zzzz qqqq']);
  assert.equal(botTexts(acts).filter((t) => t.startsWith("Sorry, I didn't get that")).length, 2);
  assert.equal(handoffs(acts)[0].value.va_AgentMessage, 'Escalated by the bot (no_match)');
});

test('repeated invalid answers escalate with reason invalid_answer', () => {
  const acts = chat(['track my order', 'no idea', 'still no idea']);
  assert.equal(handoffs(acts)[0].value.va_AgentMessage, 'Escalated by the bot (invalid_answer)');
});

test('agents offline takes the unavailable branch at once', () => {
  const acts = chat(['/agents offline', 'I want to pay my bill']);
  assert.deepEqual(botTexts(acts).slice(-2), [
    'Our billing team is offline right now. You can pay online at contoso.example/pay.',
    "Sorry we couldn't connect you. You can pay online at contoso.example/pay.",
  ]);
});

test('a channel without live chat takes the unsupported path at once', () => {
  const acts = chat(['/channel nolive', 'speak to a human']);
  assert.ok(botTexts(acts).includes('Sorry, live chat is not available on this channel.'));
  assert.match(botTexts(acts).at(-1), /nobody can take your chat/);
});

test('the agent finishing returns the conversation to the bot, which runs the survey', () => {
  const acts = chat(['I want to pay my bill', '/accept', '/agent Paid, thanks!', '/end', 'yes', '5']);
  const texts = botTexts(after(acts, 'Paid, thanks!'));
  assert.deepEqual(texts, [
    'Did that answer your question?',
    'How would you rate your experience, from 1 to 5?',
    'Thanks for your feedback. Have a great day!',
  ]);
  assert.equal(acts.at(-1).type, 'endOfConversation');
});

test('a question answered with another topic switches, then comes back to the question', () => {
  const texts = botTexts(chat(['when does the store open', 'where is my order', 'CN654321', 'a@b.co']));
  assert.equal(texts.at(-1), 'Which store are you asking about?');
});

test('the German bot understands inflected forms through stemming', () => {
  const acts = chat(['Wann haben Ihre Filialen geöffnet?', 'Wo sind meine Bestellungen?'], 'examples/kundendienst');
  const texts = botTexts(acts);
  assert.equal(texts[1], 'Unsere Filialen sind montags bis samstags von 9 bis 20 Uhr geöffnet.');
  assert.equal(texts[2], 'Wie lautet Ihre Bestellnummer?');
});
