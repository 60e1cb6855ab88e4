// Alerts for an agent looking elsewhere: a short beep (made with WebAudio: no sound file) and a
// desktop notification (the Notification API) for a new offer and for a customer's message in a
// conversation in the background (another conversation shown, or the browser tab not focused).
// Off until the agent turns them on with the top bar's button: that click asks the browser's
// permission for notifications and unlocks sound (browsers allow both only after a user gesture).
// The choice is kept per browser (localStorage). A desktop notification is shown only while the
// console's tab is hidden or not focused; the sound plays for offers always and for messages in
// the background. Customer text goes into a notification as text (the OS shows it as such).
import { el } from './dom.js';
import { t } from './i18n.js';

const STORAGE_KEY = 'baton.agent.alerts';
const BODY_MAX = 140;  // characters of a message shown in a notification

// An offer's notification body: "Queue general · reason".
function offerBody(offer) {
  return [offer.queue ? t('alerts.offerQueue', { queue: offer.queue }) : '', offer.reason ?? '']
    .filter(Boolean).join(' · ');
}

export class Alerts {
  // `app` gives: notify(text, kind), select(view).
  constructor(app) {
    this.app = app;
    this.enabled = readSetting();
    this.audio = null;
    this.beeps = 0;   // sounds started, and
    this.shown = 0;   // desktop notifications created: for tests and debugging
    this.button = el('button', { type: 'button', class: 'topbar__alerts', testid: 'notifications-toggle',
                                 onclick: () => this.toggle() });
    this.render();
  }

  render() {
    this.button.textContent = this.enabled ? t('alerts.on') : t('alerts.off');
    this.button.setAttribute('aria-pressed', this.enabled ? 'true' : 'false');
    this.button.setAttribute('aria-label', this.enabled ? t('alerts.onAria') : t('alerts.offAria'));
    this.button.dataset.state = this.enabled ? 'on' : 'off';
  }

  // The button's click: the user gesture browsers want before a permission prompt or sound.
  async toggle() {
    this.enabled = !this.enabled;
    writeSetting(this.enabled);
    this.render();
    if (!this.enabled) {
      return;
    }
    this.unlockAudio();
    if (!('Notification' in window)) {
      this.app.notify(t('alerts.unsupported'), 'warning');
      return;
    }
    if (Notification.permission === 'default') {
      try {
        await Notification.requestPermission();
      } catch {
        // an old browser's callback form: the permission stays as it was
      }
    }
    if (Notification.permission === 'denied') {
      this.app.notify(t('alerts.denied'), 'warning');
    }
  }

  unlockAudio() {
    const Context = window.AudioContext ?? window.webkitAudioContext;
    if (!this.audio && Context) {
      try {
        this.audio = new Context();
      } catch {
        this.audio = null;
      }
    }
    this.audio?.resume?.().catch(() => {});
  }

  // A quarter-second tone, higher for an offer than for a message.
  beep(kind) {
    this.unlockAudio();
    const ctx = this.audio;
    if (!ctx) {
      return;
    }
    try {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = kind === 'offer' ? 880 : 660;
      const t = ctx.currentTime;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.26);
      this.beeps += 1;
    } catch {
      // no sound this time
    }
  }

  pageInBackground() {
    return document.hidden || !document.hasFocus();
  }

  desktop(title, body, tag, onClick) {
    if (!('Notification' in window) || Notification.permission !== 'granted') {
      return;
    }
    try {
      const n = new Notification(title, { body, tag });
      n.onclick = () => {
        window.focus();
        onClick?.();
        n.close?.();
      };
      this.shown += 1;
    } catch {
      // e.g. browsers that only notify from a service worker: the sound still played
    }
  }

  // A new offer (the stream's `offer` message).
  offer(offer) {
    if (!this.enabled) {
      return;
    }
    this.beep('offer');
    if (this.pageInBackground()) {
      this.desktop(t('alerts.offerTitle'), offerBody(offer), `offer:${offer.conversationId}`);
    }
  }

  // A customer's message in `view`; `otherShown`: another conversation is the one on screen.
  message(view, entry, otherShown) {
    if (!this.enabled) {
      return;
    }
    const background = this.pageInBackground();
    if (!otherShown && !background) {
      return;  // the agent is looking at it
    }
    this.beep('message');
    if (background) {
      const a = entry.activity ?? {};
      const named = typeof a.from?.name === 'string' && a.from.name;
      const title = named ? t('alerts.messageTitle', { name: a.from.name }) : t('alerts.messageTitleCustomer');
      const text = typeof a.text === 'string' ? a.text.slice(0, BODY_MAX) : '';
      this.desktop(title, text, `message:${view.id}`, () => this.app.select(view));
    }
  }
}

function readSetting() {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

function writeSetting(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // private mode: on for this page only
  }
}
