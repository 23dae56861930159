// The admin API as the console calls it: same-origin fetch with the session cookie, the CSRF
// token on every change, and one error type carrying the API's own message.

let csrfToken = null;
let onUnauthorised = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setSession(session) {
  csrfToken = session?.csrfToken ?? null;
}

/** Called when any request answers 401 (the session ended): the app shows the login page. */
export function whenUnauthorised(fn) {
  onUnauthorised = fn;
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The gateway’s admin listener cannot be reached. Is botgate running?');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') onUnauthorised();
    throw new ApiError(res.status, data?.error ?? 'error', data?.message ?? `The admin API answered ${res.status}.`);
  }
  return data;
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
};

export const api = {
  session: () => call('GET', '/api/session'),
  login: (token, name) => call('POST', '/api/session', { token, name }),
  logout: () => call('DELETE', '/api/session'),
  status: () => call('GET', '/api/status'),
  traffic: (params) => call('GET', `/api/traffic${query(params)}`),
  report: (params) => call('GET', `/api/report${query(params)}`),
  sources: (params) => call('GET', `/api/sources${query(params)}`),
  events: (params) => call('GET', `/api/events${query(params)}`),
  explain: (id) => call('GET', `/api/events/${encodeURIComponent(id)}`),
  lists: () => call('GET', '/api/lists'),
  addEntry: (entry) => call('POST', '/api/lists', entry),
  removeEntry: (id, reason) => call('DELETE', `/api/lists${query({ id, reason })}`),
};
