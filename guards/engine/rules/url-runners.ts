/**
 * Runtimes that run a program straight from a URL: `deno run https://…`, `deno https://…`, `deno install URL`,
 * `deno eval "import('https://…')"`, `pipx run URL`, `uv run URL`. Like `curl … | sh`, the code is never seen. The
 * package registries these tools resolve by name (deno.land/std, deno.land/x, jsr.io) count as packages, as
 * `npx name` does.
 */
import type { Invocation } from '../shell/invocation.js';
import type { Rule } from './types.js';

const URL_IN = /\b(?:https?|ftp):\/\/[^\s'"`)]+/i;
const REGISTRY = /^https?:\/\/(?:deno\.land\/(?:std|x)\b|jsr\.io\/)/i;
const DENO_RUNS = new Set(['run', 'test', 'bench', 'install', 'compile', 'serve', 'x']);

function remoteUrl(text: string): string | null {
  const m = URL_IN.exec(text);
  return m && !REGISTRY.test(m[0]) ? m[0] : null;
}

function denoUrl(inv: Invocation): string | null {
  const vals = inv.args.map((a) => a.value ?? '');
  const first = vals.findIndex((v) => !v.startsWith('-'));
  if (first === -1) return null;
  const sub = vals[first]!;
  if (sub === 'eval') return remoteUrl(vals.slice(first + 1).join(' '));
  // `deno URL` runs it; `deno run … URL` / `deno install … URL`: the first operand after the subcommand
  if (!DENO_RUNS.has(sub)) return /^(?:https?|ftp):/i.test(sub) ? remoteUrl(sub) : null;
  const op = vals.slice(first + 1).find((v) => !v.startsWith('-'));
  return op && /^(?:https?|ftp):/i.test(op) ? remoteUrl(op) : null;
}

function runUrl(inv: Invocation): string | null {
  const vals = inv.args.map((a) => a.value ?? '');
  const sub = vals.find((v) => !v.startsWith('-'));
  if (sub !== 'run') return null;
  const op = vals.slice(vals.indexOf('run') + 1).find((v) => !v.startsWith('-'));
  return op && /^(?:https?|ftp):/i.test(op) ? remoteUrl(op) : null;
}

export const urlRunnerRules: Rule[] = [
  {
    id: 'exec.run-url',
    pack: 'exec',
    reason: 'runs a program straight from a URL, unseen; download it, read it, then run the file',
    commands: ['deno', 'pipx', 'uv', 'bun'],
    match: (inv) => {
      const url = inv.name === 'deno' ? denoUrl(inv) : runUrl(inv);
      return url ? `${inv.name} ${url}` : false;
    },
  },
];
