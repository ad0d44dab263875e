/**
 * What crosses the login relay, in each direction. The callback port is on the host's localhost, which the
 * user's browser treats as one site with every other local web app: it sends that port the cookies of
 * localhost apps on other ports, and a page served from it could read their cookies, plant new ones and post to
 * them. So the sandbox gets only what an OAuth callback needs (the method, the path with its query, a form_post
 * body and a few harmless headers; GET for a query, POST for response_mode=form_post), and the browser never sees a byte, header or redirect of the sandbox's
 * answer: it gets a page the host makes, or a redirect to an https URL the same policy approves.
 */
import type { ServerResponse } from 'node:http';
import { type ApprovalPolicy, domainMatches } from './approval.js';

/** The only request headers relayed; never Cookie, Authorization, Proxy-*, Origin or Referer. */
const RELAYED_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;\s*charset=[A-Za-z0-9_-]{1,40}\s*)?$/i;

export type CallbackRequest =
  | { ok: true; method: 'GET' | 'POST'; headers: [string, string][]; withBody: boolean }
  | { ok: false; status: number; why: string };

/** What of a browser's callback request goes into the sandbox, or why it does not (the host answers it). */
export function callbackRequest(method: string | undefined, rawHeaders: string[]): CallbackRequest {
  if (method !== 'GET' && method !== 'POST')
    return { ok: false, status: 405, why: 'a login callback comes by GET or POST' };
  const headers: [string, string][] = [];
  let contentType: string | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'content-type') contentType = value;
    else if (RELAYED_HEADERS.has(name) && value.length <= 1024 && /^[\x20-\x7e]*$/.test(value))
      headers.push([name, value]);
  }
  if (method === 'GET') return { ok: true, method, headers, withBody: false };
  if (contentType === null || !FORM_TYPE.test(contentType))
    return { ok: false, status: 415, why: 'a POSTed login callback is a form (form_post)' };
  headers.push(['content-type', contentType]);
  return { ok: true, method, headers, withBody: true };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Where the browser may be sent after the agent's callback answered `status` with `location`: only an absolute
 * https URL, without credentials, on a host in auto_allow_domains or the host (and port) opened for this login.
 */
export function followableRedirect(
  status: number,
  location: string | null,
  policy: ApprovalPolicy,
  approvedHost: string,
): URL | null {
  if (!REDIRECTS.has(status) || location === null) return null;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return null; // relative: back onto localhost, which is what must not happen
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.hostname === '') return null;
  const host = url.hostname.toLowerCase();
  // the approved host is compared with its port: approving https://localhost:8443 approves no other port
  const allowed =
    url.host.toLowerCase() === approvedHost.toLowerCase() ||
    policy.autoAllowDomains.some((p) => domainMatches(host, p));
  return allowed ? url : null;
}

/** The headers of every answer the host gives on a callback port: no scripts, no framing, no cookies, no cache. */
export const HOST_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  connection: 'close',
};

function page(title: string, text: string): string {
  // fixed text only: nothing from the sandbox or the request is ever put into it
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;
}

export type BrowserAnswer =
  | { kind: 'finished' }
  | { kind: 'agent-error'; status: number }
  | { kind: 'redirect'; to: URL }
  | { kind: 'relay-failed'; status: 502 | 504 }
  | { kind: 'refused'; status: number; why: string }
  | { kind: 'not-callback' };

/** Answers the browser with the host's own page (or the one approved redirect); writes nothing else. */
export function answerBrowser(res: ServerResponse, answer: BrowserAnswer): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  switch (answer.kind) {
    case 'finished':
      res
        .writeHead(200, HOST_PAGE_HEADERS)
        .end(page('Login finished', 'The agent in the ags sandbox has the login. You can close this tab.'));
      return;
    case 'redirect':
      res
        .writeHead(303, { ...HOST_PAGE_HEADERS, location: answer.to.href })
        .end(page('Login finished', 'The agent in the ags sandbox has the login.'));
      return;
    case 'agent-error':
      res
        .writeHead(answer.status, HOST_PAGE_HEADERS)
        .end(
          page(
            'Login not finished',
            `The agent in the ags sandbox reported an error (status ${answer.status}). See the agent's terminal.`,
          ),
        );
      return;
    case 'relay-failed':
      res
        .writeHead(answer.status, HOST_PAGE_HEADERS)
        .end(
          page(
            'Login not delivered',
            answer.status === 504
              ? 'The agent in the ags sandbox did not answer in time.'
              : 'The login could not be delivered to the agent in the ags sandbox.',
          ),
        );
      return;
    case 'refused':
      res.writeHead(answer.status, HOST_PAGE_HEADERS).end(page('Not relayed', `ags: ${answer.why}.`));
      return;
    case 'not-callback':
      res
        .writeHead(404, HOST_PAGE_HEADERS)
        .end(page('Not the login callback', 'ags relays only the login callback path.'));
  }
}
