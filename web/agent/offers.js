// Incoming offers: one card per offered conversation with Accept / Decline and a live countdown
// to the offer's expiresAt.
import { el, fill, formatDuration } from './dom.js';
import { t } from './i18n.js';

export class OffersView {
  // `app` gives: api, notify(text, kind), accepted(conversationId), and optionally
  // offersChanged(), called after every change of the offers (the page title counts them).
  constructor(app) {
    this.app = app;
    this.offers = new Map();  // conversationId → offer message
    this.list = el('ul', { class: 'offers', testid: 'offers', 'aria-label': t('offers.aria') });
    this.root = el('section', { class: 'offers-panel', 'aria-live': 'assertive',
                                'aria-labelledby': 'offers-heading' },
                   el('h2', { id: 'offers-heading' }, t('offers.heading')), this.list);
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

  // How many offers are pending.
  get count() {
    return this.offers.size;
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
      this.app.notify(err.status === 409 ? t('offers.gone')
                                         : t('offers.acceptFailed', { error: err.message }), 'error');
    }
  }

  async decline(offer) {
    this.remove(offer.conversationId, offer.offerId);
    try {
      await this.app.api.decline(offer.conversationId, offer.offerId);
    } catch (err) {
      if (err.status !== 409) {
        this.app.notify(t('offers.declineFailed', { error: err.message }), 'error');
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
    node.textContent = ms > 0 ? t('offers.left', { seconds }) : t('offers.expired');
    node.dataset.seconds = String(seconds);
    node.classList.toggle('countdown--urgent', ms < 10000);
  }

  render() {
    const cards = [...this.offers.values()].map((o) => {
      const countdown = el('span', { class: 'countdown', testid: 'offer-countdown', role: 'timer',
                                     'aria-label': t('offers.timeLeftAria') });
      this.renderCountdown(countdown, o);
      return el('li', { class: 'offer', testid: 'offer', dataset: { conversationId: o.conversationId } },
        el('div', { class: 'offer__head' },
           el('strong', {}, o.transfer ? t('offers.transfer') : t('offers.new')), ' · ',
           el('span', { testid: 'offer-queue' }, o.queue ?? ''), countdown),
        el('div', { class: 'offer__reason' }, t('offers.reason'), ' ',
           el('span', { testid: 'offer-reason' }, o.reason ?? '—'),
           ' · ', t('offers.waited', { duration: formatDuration(o.waitedMs) })),
        o.agentMessage ? el('div', { class: 'offer__message', testid: 'offer-agent-message' }, o.agentMessage) : null,
        o.note ? el('div', { class: 'offer__note', testid: 'offer-note' }, t('offers.note'), ' ', o.note) : null,
        el('div', { class: 'offer__buttons' },
           el('button', { type: 'button', class: 'primary', testid: 'offer-accept',
                          'aria-label': t('offers.acceptAria', { queue: o.queue ?? '' }),
                          onclick: () => this.accept(o) }, t('offers.accept')),
           el('button', { type: 'button', testid: 'offer-decline',
                          'aria-label': t('offers.declineAria', { queue: o.queue ?? '' }),
                          onclick: () => this.decline(o) }, t('offers.decline'))));
    });
    fill(this.list, cards.length ? cards : el('li', { class: 'muted', testid: 'no-offers' }, t('offers.none')));
    this.app.offersChanged?.();  // the app's page title counts pending offers
  }
}
