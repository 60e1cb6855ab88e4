// The Agent API client (docs/AGENT_API.md): REST calls with the session token, and the one
// WebSocket stream per console with reconnection and exponential backoff.

import { t } from './i18n.js';

const BASE = '/api/agent';
const ANALYTICS = '/api/analytics';

// A failed API call: `status` is the HTTP status (0 for a network failure), `code` the error
// code of the body (`Unauthorized`, `Conflict`, ...) when there was one.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `${status} ${code}`);
    this.status = status;
    this.code = code;
  }
}

export class AgentApi {
  constructor(token = null) {
    this.token = token;
    // Called with the ApiError whenever a call answers 401 (session expired or revoked).
    this.onUnauthorized = null;
  }

  // A JSON call under `base`: resolves with the parsed body, rejects with an ApiError.
  async call(method, path, body, base = BASE) {
    const res = await this.#fetch(method, base + path, body);
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    if (!res.ok) {
      throw this.#failure(res.status, parsed, method, path);
    }
    return parsed;
  }

  // A GET whose answer is a file (e.g. the sessions CSV): resolves with its Blob. The token goes in
  // the header as for every call, never in the URL.
  async download(url) {
    const res = await this.#fetch('GET', url);
    if (!res.ok) {
      let parsed = {};
      try {
        parsed = await res.json();
      } catch {
        // not JSON: the status says enough
      }
      throw this.#failure(res.status, parsed, 'GET', url);
    }
    return res.blob();
  }

  async #fetch(method, url, body) {
    const headers = {};
    if (this.token) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    let payload;
    if (body instanceof FormData) {
      payload = body;  // multipart: the browser writes the Content-Type with its boundary
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    try {
      return await fetch(url, { method, headers, body: payload });
    } catch (err) {
      throw new ApiError(0, 'Network', t('api.unreachable', { error: err.message }));
    }
  }

  // The ApiError of a non-2xx answer (body `{"error":{"code","message"}}`); a 401 outside login
  // also tells onUnauthorized.
  #failure(status, parsed, method, path) {
    const e = parsed?.error ?? {};
    const error = new ApiError(status, e.code ?? String(status),
                               e.message ?? t('api.answered', { method, path, status }));
    if (status === 401 && path !== '/login' && this.onUnauthorized) {
      this.onUnauthorized(error);
    }
    return error;
  }

  login(agentId, password) { return this.call('POST', '/login', { agentId, password }); }
  logout() { return this.call('POST', '/logout'); }
  me() { return this.call('GET', '/me'); }
  setPresence(presence) { return this.call('PUT', '/presence', { presence }); }
  accept(id, offerId) { return this.call('POST', `/offers/${enc(id)}/accept`, { offerId }); }
  decline(id, offerId) { return this.call('POST', `/offers/${enc(id)}/decline`, { offerId }); }
  conversations() { return this.call('GET', '/conversations'); }
  conversation(id) { return this.call('GET', `/conversations/${enc(id)}`); }
  send(id, text) { return this.call('POST', `/conversations/${enc(id)}/messages`, { text }); }
  // A file (a File or Blob with its name) to the customer, as one multipart part named "file".
  sendFile(id, file, name = file.name) {
    const form = new FormData();
    form.append('file', file, name);
    return this.call('POST', `/conversations/${enc(id)}/files`, form);
  }
  typing(id) { return this.call('POST', `/conversations/${enc(id)}/typing`); }
  note(id, text) { return this.call('POST', `/conversations/${enc(id)}/notes`, { text }); }
  transfer(id, target) { return this.call('POST', `/conversations/${enc(id)}/transfer`, target); }
  end(id, mode) { return this.call('POST', `/conversations/${enc(id)}/end`, { mode }); }
  wrapup(id, body) { return this.call('POST', `/conversations/${enc(id)}/wrapup`, body); }
  forceClose(id) { return this.call('POST', `/conversations/${enc(id)}/close`); }
  supervisor() { return this.call('GET', '/supervisor'); }
  whisper(id, text) { return this.call('POST', `/conversations/${enc(id)}/whisper`, { text }); }
  barge(id, text) { return this.call('POST', `/conversations/${enc(id)}/barge`, { text }); }
  takeOver(id) { return this.call('POST', `/conversations/${enc(id)}/takeover`); }
  agents() { return this.call('GET', '/agents'); }
  addAgent(body) { return this.call('POST', '/agents', body); }
  updateAgent(id, body) { return this.call('PATCH', `/agents/${enc(id)}`, body); }
  resetPassword(id, password) { return this.call('PUT', `/agents/${enc(id)}/password`, { password }); }
  removeAgent(id) { return this.call('DELETE', `/agents/${enc(id)}`); }
  setAgentDisabled(id, disabled) { return this.call('POST', `/agents/${enc(id)}/${disabled ? 'disable' : 'enable'}`); }
  setAgentPresence(id, presence) { return this.call('PUT', `/agents/${enc(id)}/presence`, { presence }); }
  assign(id, target) { return this.call('POST', `/conversations/${enc(id)}/assign`, target); }
  streamTicket() { return this.call('POST', '/stream/ticket'); }

  // Analytics (docs/ANALYTICS.md), supervisors and admins only; `params` is a URLSearchParams with
  // from, to and the optional queue, topic, agent.
  analyticsSummary(params) { return this.call('GET', `/summary?${params}`, undefined, ANALYTICS); }
  analyticsSeries(params, metric, interval) {
    const query = new URLSearchParams(params);
    query.set('metric', metric);
    query.set('interval', interval);
    return this.call('GET', `/timeseries?${query}`, undefined, ANALYTICS);
  }
  analyticsCsv(params) { return this.download(`${ANALYTICS}/sessions.csv?${params}`); }
}

function enc(id) {
  return encodeURIComponent(id);
}

// The stream: one WebSocket, reopened after a drop with exponential backoff (0.5 s doubling to
// 15 s, ±20 % jitter), reset once a `hello` arrives. `handlers.message(msg)` gets every parsed
// frame; `handlers.status(state, detail)` gets 'connecting' | 'open' | 'reconnecting' | 'closed'.
// `handlers.beforeReconnect()` may return false (e.g. the session is gone) to stop for good.
// Each socket opens with a fresh one-time ticket from `api` (POST /stream/ticket): the session
// token never goes into a URL, where proxies and logs would keep it.
export class AgentStream {
  constructor(api, handlers) {
    this.api = api;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.pingTimer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close();
      this.socket = null;
    }
    this.handlers.status?.('closed');
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  // Sends one JSON message; false when the socket is not open (the caller re-sends on hello).
  send(message) {
    if (!this.isOpen) {
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  async open() {
    this.handlers.status?.(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    let ticket;
    try {
      ({ ticket } = await this.api.streamTicket());
    } catch (err) {
      if (err.status === 401) {
        this.stop();  // the session is gone (the API's onUnauthorized logs out)
      } else if (!this.stopped) {
        this.scheduleReconnect();
      }
      return;
    }
    if (this.stopped) {
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}${BASE}/stream?ticket=${encodeURIComponent(ticket)}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;  // not JSON: ignore the frame
      }
      if (msg?.type === 'hello') {
        this.attempt = 0;
        this.handlers.status?.('open');
      }
      this.handlers.message(msg);
    };
    socket.onopen = () => {
      clearInterval(this.pingTimer);
      // Pings keep idle proxies from closing the socket (the server answers `pong`).
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), 25000);
    };
    socket.onclose = () => {
      clearInterval(this.pingTimer);
      this.socket = null;
      if (!this.stopped) {
        this.scheduleReconnect();
      }
    };
  }

  async scheduleReconnect() {
    this.attempt += 1;
    const base = Math.min(15000, 500 * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.handlers.status?.('reconnecting', this.attempt, delay);
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      if (this.stopped) {
        return;
      }
      const go = this.handlers.beforeReconnect ? await this.handlers.beforeReconnect() : true;
      if (go && !this.stopped) {
        this.open();
      }
    }, delay);
  }
}
