/**
 * Round 8a: a scratch script run through a channel that makes a program run a command later (GIT_SSH_COMMAND,
 * GIT_EXTERNAL_DIFF, GIT_PAGER, GIT_ASKPASS, BASH_ENV, PROMPT_COMMAND, GIT_CONFIG_VALUE_n, `git -c core.fsmonitor=…`).
 * Run directly, `sh /tmp/x` is an ordinary command; hidden in a hook it runs unseen text. Editors are left out:
 * `GIT_SEQUENCE_EDITOR=/tmp/ed.sh git rebase -i` is the usual non-interactive rebase.
 */
import { isShell } from '../shell/commands.js';
import type { Invocation } from '../shell/invocation.js';
import type { Rule } from './types.js';

/** Scratch scripts, and what a hook would read from a descriptor (`BASH_ENV=/dev/stdin bash -c : <<< '…'`). */
const SCRATCH = /^(?:\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/dev\/(?:stdin$|fd\/)|\/proc\/(?:self|\d+)\/fd\/)/;
const EDITORS = /^(?:GIT_EDITOR|GIT_SEQUENCE_EDITOR|EDITOR|VISUAL|FCEDIT)=$/;
/** git config keys whose value git runs as a command. */
const GIT_EXEC_KEYS =
  /^(?:core\.(?:fsmonitor|sshcommand|pager|askpass|hookspath)|diff\.external|credential\.helper|alias\..+|uploadpack\.packobjectshook|sequence\.editor|gpg\.program|pager\..+|diff\..+\.(?:command|textconv)|filter\..+\.(?:clean|smudge|process)|merge\..+\.driver)$/;

/** The file an invocation runs: its own path, or the script a shell or interpreter is given. */
function scriptRun(inv: Invocation): string | null {
  const first = inv.display.split(/\s+/)[0] ?? '';
  if (first.includes('/')) return first;
  if (isShell(inv.name) || /^(?:python[0-9.]*|perl|ruby|node)$/.test(inv.name)) {
    const f = inv.args.find((a) => a.value !== null && !a.value.startsWith('-'));
    return f?.value ?? null;
  }
  return null;
}

function hookRunsScratch(inv: Invocation): string | false {
  const hook = [...inv.via].reverse().find((v) => /^[A-Z_][A-Z0-9_]*=$/.test(v));
  if (!hook || EDITORS.test(hook)) return false;
  const f = scriptRun(inv);
  return f !== null && SCRATCH.test(f) ? `${hook.slice(0, -1)} runs ${f}` : false;
}

/** `git -c core.fsmonitor='sh /tmp/x' status`, `git -c alias.st='!/tmp/x' st`. */
function gitConfigRunsScratch(inv: Invocation): string | false {
  for (let i = 0; i < inv.args.length - 1; i++) {
    if (inv.args[i]!.value !== '-c') continue;
    const kv = inv.args[i + 1]!.value;
    const m = kv === null ? null : /^([^=]+)=([\s\S]*)$/.exec(kv);
    if (!m || !GIT_EXEC_KEYS.test(m[1]!.toLowerCase())) continue;
    if (/(?:^|[\s!'"=;|&])(?:\/tmp|\/var\/tmp|\/dev\/shm)\//.test(m[2]!)) return `git -c ${m[1]}=${m[2]}`;
  }
  return false;
}

export const hookCommandRules: Rule[] = [
  {
    id: 'exec.hook-runs-scratch',
    pack: 'exec',
    reason:
      'runs a /tmp script through a hook variable or git config (GIT_SSH_COMMAND, core.fsmonitor, BASH_ENV); run it directly, or ask the user',
    match: (inv) => hookRunsScratch(inv) || (inv.name === 'git' ? gitConfigRunsScratch(inv) : false),
  },
];
