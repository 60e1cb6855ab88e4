// Incoming offers: one card per offered conversation with Accept / Decline and a live countdown
// to the offer's expiresAt.
import { el, fill, formatDuration } from './dom.js';

export class OffersView {
  // `app` gives: api, notify(text, kind), accepted(conversationId).
  constructor(app) {
    this.app = app;
    this.offers = new Map();  // conversationId → offer message
    this.list = el('ul', { class: 'offers', testid: 'offers', 'aria-label': 'Incoming offers' });
    this.root = el('section', { class: 'offers-panel', 'aria-live': 'assertive',
                                'aria-labelledby': 'offers-heading' },
                   el('h2', { id: 'offers-heading' }, 'Offers'), this.list);
    this.timer = setInterval(() => this.tick(), 250);
  }

  // Replaces every offer (hello / me snapshot).
  reset(offers) {
    this.offers.clear();
    for (const o of offers ?? []) {
      this.offers.set(o.conversationId, o);
    }
    this.render();
  }

  add(offer) {
    this.offers.set(offer.conversationId, offer);
    this.render();
  }

  remove(conversationId, offerId) {
    const current = this.offers.get(conversationId);
    if (current && (!offerId || !current.offerId || current.offerId === offerId)) {
      this.offers.delete(conversationId);
      this.render();
      return true;
    }
    return false;
  }

  async accept(offer) {
    try {
      await this.app.api.accept(offer.conversationId, offer.offerId);
      this.remove(offer.conversationId, offer.offerId);
      this.app.accepted(offer.conversationId);
    } catch (err) {
      this.remove(offer.conversationId, offer.offerId);
      this.app.notify(err.status === 409 ? 'That offer is no longer available.'
                                         : `Accept failed: ${err.message}`, 'error');
    }
  }

  async decline(offer) {
    this.remove(offer.conversationId, offer.offerId);
    try {
      await this.app.api.decline(offer.conversationId, offer.offerId);
    } catch (err) {
      if (err.status !== 409) {
        this.app.notify(`Decline failed: ${err.message}`, 'error');
      }
    }
  }

  remainingMs(offer) {
    const t = Date.parse(offer.expiresAt ?? '');
    return Number.isNaN(t) ? null : t - Date.now();
  }

  tick() {
    for (const node of this.list.querySelectorAll('[data-testid="offer-countdown"]')) {
      const offer = this.offers.get(node.closest('li')?.dataset.conversationId);
      if (offer) {
        this.renderCountdown(node, offer);
      }
    }
  }

  renderCountdown(node, offer) {
    const ms = this.remainingMs(offer);
    if (ms === null) {
      node.textContent = '';
      return;
    }
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    node.textContent = ms > 0 ? `${seconds} s left` : 'expired';
    node.dataset.seconds = String(seconds);
    node.classList.toggle('countdown--urgent', ms < 10000);
  }

  render() {
    const cards = [...this.offers.values()].map((o) => {
      const countdown = el('span', { class: 'countdown', testid: 'offer-countdown', role: 'timer',
                                     'aria-label': 'Time left to accept' });
      this.renderCountdown(countdown, o);
      return el('li', { class: 'offer', testid: 'offer', dataset: { conversationId: o.conversationId } },
        el('div', { class: 'offer__head' },
           el('strong', {}, o.transfer ? 'Transfer' : 'New conversation'), ' · ',
           el('span', { testid: 'offer-queue' }, o.queue ?? ''), countdown),
        el('div', { class: 'offer__reason' }, 'Reason: ', el('span', { testid: 'offer-reason' }, o.reason ?? '—'),
           ' · waited ', formatDuration(o.waitedMs)),
        o.agentMessage ? el('div', { class: 'offer__message', testid: 'offer-agent-message' }, o.agentMessage) : null,
        o.note ? el('div', { class: 'offer__note', testid: 'offer-note' }, 'Note: ', o.note) : null,
        el('div', { class: 'offer__buttons' },
           el('button', { type: 'button', class: 'primary', testid: 'offer-accept',
                          'aria-label': `Accept conversation from queue ${o.queue ?? ''}`,
                          onclick: () => this.accept(o) }, 'Accept'),
           el('button', { type: 'button', testid: 'offer-decline',
                          'aria-label': `Decline conversation from queue ${o.queue ?? ''}`,
                          onclick: () => this.decline(o) }, 'Decline')));
    });
    fill(this.list, cards.length ? cards : el('li', { class: 'muted', testid: 'no-offers' }, 'No offers'));
    // The tab title shows pending offers, for an agent working in another window.
    document.title = cards.length ? `(${cards.length}) Baton agent console` : 'Baton agent console';
  }
}
