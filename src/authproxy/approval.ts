/**
 * Whether the host opens a URL the sandbox asked for. A host in `auto_allow_domains` is opened; anything else
 * is put to the user (a desktop dialog when a display is present, else a prompt on the terminal ags runs in),
 * or refused under `approval = "deny"` or when there is no one to ask. Every wait ends: an unanswered question
 * is a no.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import tty from 'node:tty';
import { execa } from 'execa';
import type { TerminalHandoff } from '../session/terminal-handoff.js';
import { escapeText } from '../util/terminal-text.js';
import type { UrlAnalysis } from './url-analysis.js';

export interface ApprovalPolicy {
  autoAllowDomains: readonly string[];
  approval: 'prompt' | 'deny';
}

/** `host` (a URL's hostname, lower case) matches `pattern`: the same name, or under it for `*.name`. */
export function domainMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    return host.length > base.length + 1 && host.endsWith(`.${base}`);
  }
  return host === p;
}

/** What the policy alone says about `host`: allow, ask the user, or deny. */
export function policyDecision(host: string, policy: ApprovalPolicy): 'allow' | 'ask' | 'deny' {
  if (policy.autoAllowDomains.some((p) => domainMatches(host.toLowerCase(), p))) return 'allow';
  return policy.approval === 'prompt' ? 'ask' : 'deny';
}

type Opened = Extract<UrlAnalysis, { ok: true }>;

/** The question's lines: scheme, full host and path, the callback port; no query values; all escaped. */
export function describeRequest(a: Opened): string[] {
  const lines = [
    'An agent in the ags sandbox asks to open a URL in your browser:',
    `  scheme: ${escapeText(a.url.protocol.replace(/:$/, ''))}`,
    `  host:   ${escapeText(a.url.host)}`,
    `  path:   ${escapeText(a.url.pathname, 400)}`,
  ];
  const keys = [...new Set(a.url.searchParams.keys())];
  if (keys.length > 0) lines.push(`  query:  ${escapeText(keys.join(', '), 400)} (values not shown)`);
  if (a.callback) {
    lines.push(
      `  login callback: the host will listen on localhost:${a.callback.port} for ${escapeText(a.callback.path)} and pass it into the sandbox`,
    );
  }
  return lines;
}

/** Asks the user a yes/no question; resolves false on no, on no answer within `timeoutMs`, or on failure. */
export type Ask = (lines: string[], timeoutMs: number) => Promise<boolean>;

/** A zenity or kdialog question box; exit 0 is yes. */
export function dialogAsk(program: 'zenity' | 'kdialog'): Ask {
  return async (lines, timeoutMs) => {
    const text = lines.join('\n');
    const args =
      program === 'zenity'
        ? ['--question', '--no-markup', '--title=ags: open URL?', `--text=${text}`]
        : ['--title', 'ags: open URL?', '--yesno', text];
    const r = await execa(program, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
    return r.exitCode === 0 && !r.timedOut;
  };
}

/** What a line typed at the prompt means: only `y` or `yes` is yes. */
export function isYes(line: string): boolean {
  return /^\s*y(es)?\s*$/i.test(line);
}

/**
 * A prompt on the controlling terminal (/dev/tty), answered with a line. The terminal is borrowed from the
 * sandbox's attach client for the question (`TerminalHandoff`: the client stopped, raw mode, the alternate
 * screen), so the agent's TUI neither takes the keys nor draws over the question, and is left as it was. In raw
 * mode the prompt echoes what is typed itself; Ctrl-C or Ctrl-D is a no at once, as is a timeout.
 */
export function ttyAsk(handoff: TerminalHandoff, ttyPath = '/dev/tty'): Ask {
  return (lines, timeoutMs) =>
    handoff.borrow(
      (onAbort) =>
        new Promise<boolean>((resolve) => {
          let fd: number;
          let input: tty.ReadStream;
          try {
            fd = openSync(ttyPath, 'r+');
            // a tty handle, not a file read: it can be stopped while waiting (a blocked read could not)
            input = new tty.ReadStream(fd);
          } catch {
            resolve(false);
            return;
          }
          let done = false;
          const say = (text: string) => {
            try {
              writeSync(fd, text);
            } catch {
              /* the terminal went away */
            }
          };
          const finish = (answer: boolean, why = '') => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            say(`\r\n${why}${answer ? 'ags: opening it.' : 'ags: refused.'}\r\n`);
            // the stream owns the descriptor and closes it
            input.destroy();
            resolve(answer);
          };
          const timer = setTimeout(() => finish(false, 'ags: no answer in time. '), timeoutMs);
          onAbort(() => finish(false));
          let typed = '';
          input.on('data', (chunk: Buffer) => {
            for (const byte of chunk) {
              if (byte === 0x03 || byte === 0x04) return finish(false);
              if (byte === 0x0d || byte === 0x0a) return finish(isYes(typed));
              if (byte === 0x7f || byte === 0x08) {
                if (typed.length > 0) {
                  typed = typed.slice(0, -1);
                  say('\b \b');
                }
              } else if (byte >= 0x20 && byte < 0x7f) {
                typed += String.fromCharCode(byte);
                say(String.fromCharCode(byte));
              }
              if (typed.length > 100) return finish(false);
            }
          });
          input.on('error', () => finish(false));
          input.on('end', () => finish(false));
          say(`${lines.join('\r\n')}\r\n\r\nags: open it? [y/N] `);
        }),
    );
}

/** Refuses without asking: there is no display and no terminal. */
export const denyAsk: Ask = () => Promise.resolve(false);

async function onPath(program: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${program}`], { reject: false });
  return r.exitCode === 0;
}

function hasTty(ttyPath = '/dev/tty'): boolean {
  try {
    closeSync(openSync(ttyPath, 'r+'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The way to ask on this host: a dialog with a display and zenity or kdialog, else the terminal (lent by
 * `handoff` while the sandbox holds it), else none.
 */
export async function chooseAsk(
  handoff: TerminalHandoff,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Ask> {
  if (env.DISPLAY || env.WAYLAND_DISPLAY) {
    for (const program of ['zenity', 'kdialog'] as const)
      if (await onPath(program)) return dialogAsk(program);
  }
  return hasTty() ? ttyAsk(handoff) : denyAsk;
}
