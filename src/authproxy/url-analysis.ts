/**
 * What a URL the sandbox asks the host to open is, decided before anything else looks at it: only http and
 * https ever reach a browser, and a loopback callback named in its query (where an OAuth client asks to be sent
 * back to) is taken apart into the port and path the host will listen on for it.
 */

/** Query parameters that name where the browser is sent back to. */
const CALLBACK_PARAMS = ['redirect_uri', 'callback_url', 'return_url', 'redirect_url'];
/** The lowest callback port the host listens on (the URL parser already caps ports at 65535). */
export const MIN_CALLBACK_PORT = 1024;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface Callback {
  /** As written in the URL: localhost, 127.0.0.1 or [::1]. */
  host: string;
  port: number;
  /** The path only (no query); the one path the relay accepts. */
  path: string;
}

export type UrlAnalysis = { ok: true; url: URL; callback: Callback | null } | { ok: false; reason: string };

/** `value` decoded once more when it is itself a percent-encoded URL (a double-encoded redirect_uri). */
function decodeNested(value: string): string {
  if (!/^https?%3a/i.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The loopback callback `value` names, null when it names none, or a reason it cannot be served. */
function callbackOf(value: string): Callback | null | string {
  let target: URL;
  try {
    target = new URL(decodeNested(value));
  } catch {
    return null;
  }
  if (!LOOPBACK_HOSTS.has(target.hostname)) return null;
  if (target.protocol !== 'http:')
    return `the callback ${target.protocol}//${target.hostname} is not plain http`;
  if (target.port === '') return 'the loopback callback names no port';
  const port = Number(target.port);
  // 0 would have the host listen on whatever port the system picks; below 1024 is privileged
  if (port < MIN_CALLBACK_PORT)
    return `the loopback callback port ${port} is outside ${MIN_CALLBACK_PORT}-65535, where a login callback can listen`;
  if (target.username || target.password) return 'the loopback callback carries credentials';
  return { host: target.hostname, port, path: target.pathname };
}

/** The URL `text` as the auth proxy sees it: refused, or opened with at most one callback. */
export function analyzeUrl(text: string): UrlAnalysis {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'it is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `only http and https URLs are opened, not ${url.protocol}` };
  }
  if (url.username || url.password) return { ok: false, reason: 'the URL carries a user name or password' };
  if (url.hostname === '') return { ok: false, reason: 'the URL names no host' };
  let found: Callback | null = null;
  for (const name of CALLBACK_PARAMS) {
    for (const value of url.searchParams.getAll(name)) {
      const cb = callbackOf(value);
      if (typeof cb === 'string') return { ok: false, reason: cb };
      if (!cb) continue;
      if (found && (found.port !== cb.port || found.path !== cb.path)) {
        return { ok: false, reason: 'the URL names more than one loopback callback' };
      }
      found = cb;
    }
  }
  return { ok: true, url, callback: found };
}

/** `url` with every query value (and any fragment) replaced by `…`: what the log and the prompt show. */
export function redactUrl(url: URL): string {
  const keys = [...url.searchParams.keys()];
  const query = keys.length > 0 ? `?${keys.map((k) => `${encodeURIComponent(k)}=…`).join('&')}` : '';
  return `${url.protocol}//${url.host}${url.pathname}${query}${url.hash ? '#…' : ''}`;
}
