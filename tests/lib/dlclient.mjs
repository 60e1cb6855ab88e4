// A thin wrapper over the official botframework-directlinejs client: it records every activity the
// client emits and the connection statuses, and turns its Observables into promises for tests.
import { directLineJs } from './serve.mjs';

export class Client {
  // options: the DirectLine constructor options (domain, token, webSocket, conversationId,
  // watermark, pollingInterval, ...); userId: passed to setUserId before connecting.
  constructor(options, userId) {
    const { DirectLine } = directLineJs();
    this.dl = new DirectLine({ pollingInterval: 200, ...options });
    if (userId) {
      this.dl.setUserId(userId);
    }
    this.activities = [];
    this.statuses = [];
    this.errors = [];
    this.waiters = [];
    this.statusSub = this.dl.connectionStatus$.subscribe((s) => {
      this.statuses.push(s);
      this.#wake();
    });
    this.activitySub = this.dl.activity$.subscribe(
      (a) => { this.activities.push(a); this.#wake(); },
      (err) => { this.errors.push(err); this.#wake(); });
  }

  #wake() {
    for (const w of [...this.waiters]) {
      w();
    }
  }

  get conversationId() {
    return this.dl.conversationId;
  }

  get watermark() {
    return this.dl.watermark;
  }

  get token() {
    return this.dl.token;
  }

  // Resolves with the first recorded activity (from index `from`) matching `pred`.
  waitFor(pred, { from = 0, ms = 10000, what = 'an activity' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.activities.slice(from).find(pred);
        if (found) {
          done();
          resolve(found);
        } else if (this.errors.length) {
          done();
          reject(this.errors[0]);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got:\n` +
          this.activities.map((a) => `  ${a.type} ${a.from?.role ?? ''}: ${a.text ?? a.name ?? ''}`)
            .join('\n')));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  waitForStatus(status, ms = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.statuses.includes(status)) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`status ${status} not reached in ${ms} ms; saw ${this.statuses}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  // postActivity → the server-assigned id.
  send(activity) {
    return new Promise((resolve, reject) => {
      this.dl.postActivity(activity).subscribe(resolve, reject);
    });
  }

  // Sends a user message with a fresh clientActivityID; returns {id, clientActivityID}.
  async say(text, userId) {
    const clientActivityID = `c-${Math.random().toString(36).slice(2)}`;
    const id = await this.send({
      type: 'message', text, from: { id: userId, role: 'user' }, locale: 'en-US',
      channelData: { clientActivityID },
    });
    return { id, clientActivityID };
  }

  // Waits for the bot message replying to `id` (the first bot message recorded after the echo).
  async replyTo(id, what) {
    return this.waitFor((a) => a.type === 'message' && a.from?.role === 'bot' && a.replyToId === id,
                        { what: what ?? `the bot's reply to ${id}` });
  }

  end() {
    this.activitySub.unsubscribe();
    this.statusSub.unsubscribe();
    this.dl.end();
  }
}
