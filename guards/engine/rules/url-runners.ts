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

/** A package spec that is a URL (`npx https://…/pkg.tgz`, `npx git+https://…`): code from anywhere, not a registry. */
const URL_PACKAGE = /^(?:--package=)?(?:git\+)?(?:https?|ftp):\/\//i;

/** The package runners, as the walker names them in `via` once it has unwrapped them to the package they run. */
const PACKAGE_RUNNERS = new Set([
  'npx',
  'bunx',
  'npm exec',
  'npm x',
  'pnpm dlx',
  'pnpm exec',
  'yarn dlx',
  'bun x',
]);

function packageUrl(inv: Invocation): string | null {
  const runner = inv.via[inv.via.length - 1];
  if (runner === undefined || !PACKAGE_RUNNERS.has(runner)) return null;
  const head = inv.display.split(/\s+/)[0] ?? '';
  return URL_PACKAGE.test(head) ? head : null;
}

/** PowerShell's download-and-run: `iex (iwr URL)`, `Invoke-Expression (New-Object Net.WebClient).DownloadString(…)`. */
const PS_EVAL = /\b(?:iex|Invoke-Expression)\b/i;
const PS_FETCH =
  /\b(?:iwr|irm|curl|wget|Invoke-WebRequest|Invoke-RestMethod|DownloadString|DownloadData|Net\.WebClient)\b/i;

function powershellRemote(inv: Invocation): string | null {
  const vals = inv.args.map((a) => a.value ?? '');
  const at = vals.findIndex((v) => /^-(?:c|command|ec|e|encodedcommand|enc)$/i.test(v));
  if (at === -1) return null;
  let code = vals.slice(at + 1).join(' ');
  if (/^-(?:ec|e|encodedcommand|enc)$/i.test(vals[at]!))
    code = Buffer.from(vals[at + 1] ?? '', 'base64').toString('utf16le');
  return PS_EVAL.test(code) && PS_FETCH.test(code) ? code.slice(0, 80) : null;
}

export const urlRunnerRules: Rule[] = [
  {
    id: 'exec.run-url-package',
    pack: 'exec',
    reason:
      'runs a package straight from a URL (npx/exec/dlx of a tarball or repository), unseen; use a registry package, or download and read it first',
    match: (inv) => {
      const url = packageUrl(inv);
      return url ? `${inv.via[inv.via.length - 1]} ${url}` : false;
    },
  },
  {
    id: 'exec.powershell-remote',
    pack: 'exec',
    reason:
      'PowerShell downloads code and runs it (iex of iwr/DownloadString), unseen; download it, read it, then run the file',
    commands: ['pwsh', 'powershell', 'pwsh-preview', 'powershell.exe', 'pwsh.exe'],
    match: (inv) => {
      const code = powershellRemote(inv);
      return code ? `${inv.name}: ${code}` : false;
    },
  },
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
