/**
 * Secrets printed into the tool's output. What a command prints comes back to the model (and so to its
 * provider's logs): `echo "$AWS_SECRET_ACCESS_KEY"`, `printenv GITHUB_TOKEN`, `env | grep -i token`,
 * `jq -n '$ENV.OPENAI_API_KEY'` or `print(os.environ['OPENAI_API_KEY'])` hand the value over as surely as a
 * request would. Checking that a secret is set reveals nothing: `${X:+set}`, `${#X}`, `[ -n "$X" ]`, and output
 * that only a counter or a hash sees (`| wc -c`, `| sha256sum`, `| grep -q`, `> file`).
 */
import type { Part } from '../shell/ast.js';
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import { operands } from './args.js';

/** Names of environment variables that hold secrets. */
export const SECRET_NAME =
  /(?:SECRET|TOKEN|PASSW(?:OR)?D|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|SESSION_?KEY|AUTH_?KEY|CLIENT_?KEY|WEBHOOK|DATABASE_URL|DSN$|^PAT$|_PAT$)/i;

/** Inline code that reads the whole environment (`process.env` as an object, `os.environ`, `%ENV`, `ENV.to_h`). */
export const ENV_WHOLE =
  /\bprocess\.env\b(?!\s*(?:\.\s*[A-Za-z_$]|\[|\?\.))|\bos\.environ\b(?!\s*(?:\.get\b|\[|\.setdefault\b|\.pop\b))|\bENV\.(?:to_h|to_a|to_s|inspect|each|map|keys|values)\b|\bJSON\.(?:dump|generate)\(\s*ENV\b|%ENV\b|\bDeno\.env\.toObject\b|\bgetenv\(\s*\)/;

/** The value of a secret parameter (not `${X:+…}`, which tests it, nor `${#X}`, its length). */
export function secretValueParam(parts: Part[]): string | null {
  for (const p of parts)
    if (
      p.k === 'param' &&
      SECRET_NAME.test(p.name) &&
      p.op !== ':+' &&
      p.op !== '+' &&
      !p.raw.startsWith('${#')
    )
      return p.name;
  return null;
}

/** Commands that print their arguments. */
const PRINTERS = new Set(['echo', 'printf', 'print']);
/** Builtins that list variables with their values. */
const LISTERS = new Set(['env', 'printenv', 'set', 'export', 'declare', 'typeset', 'readonly', 'compgen']);
/** Stages after which nothing of the value is left in the output. */
function conceals(inv: Invocation): boolean {
  const v = inv.args.map((a) => a.value ?? '');
  if (
    [
      'wc',
      'md5sum',
      'sha1sum',
      'sha256sum',
      'sha512sum',
      'b2sum',
      'cksum',
      'true',
      ':',
      'test',
      '[',
    ].includes(inv.name)
  )
    return true;
  if (['grep', 'egrep', 'fgrep', 'rg'].includes(inv.name))
    return v.some((x) => /^-[a-zA-Z]*[qcl]|^--(?:quiet|silent|count|files-with-matches)$/.test(x));
  if (inv.name === 'cut') return v.some((x) => /^-[a-zA-Z]*f1$|^--fields=1$/.test(x)) || v.includes('-f1');
  if (inv.name === 'openssl') return v.some((x) => /^(?:dgst|sha\d*|md5)$/.test(x));
  return false;
}

/** The output goes to a file (or /dev/null), not to the tool's output. */
function toFile(inv: Invocation): boolean {
  return inv.redirs.some(
    (r) =>
      (r.fd === null || r.fd === '1') && ['>', '>>', '>|', '&>', '&>>'].includes(r.op) && r.target !== null,
  );
}

/** Whether what `inv` prints reaches the tool's output: no concealing stage after it, and no file at the end. */
function reachesOutput(inv: Invocation): boolean {
  if (inv.via.some((v) => v.includes('$(') || v.includes('<('))) return false;
  if (toFile(inv) || conceals(inv)) return false;
  for (const d of inv.downstream) if (conceals(d) || toFile(d)) return false;
  return true;
}

/** A grep pattern that selects secret-named variables (`grep -i token`, `grep -E "KEY|SECRET"`, `grep AWS_`). */
function secretFilter(inv: Invocation): string | null {
  if (!['grep', 'egrep', 'fgrep', 'rg', 'awk', 'sed'].includes(inv.name)) return null;
  const ops = operands(inv, ['-e', '-f', '-m', '-A', '-B', '-C', '--regexp', '-F']);
  const pats = [
    ...inv.args.filter((_, i) => inv.args[i - 1]?.value === '-e').map((a) => a.value),
    ops[0]?.value ?? null,
  ];
  for (const p of pats) {
    if (p === null || p === undefined) continue;
    const words = p.split(/[^A-Za-z_]+/).filter(Boolean);
    const hit = words.find(
      (w) => SECRET_NAME.test(w) || /^(?:AWS|KEY|PASS|AUTH|GH|GITHUB|OPENAI|ANTHROPIC|NPM)_?$/i.test(w),
    );
    if (hit) return p;
  }
  return null;
}

/** jq programs that read the environment: `env`, `$ENV`, `env.NAME`, `$ENV.NAME`. */
const JQ_ENV = /(?:^|[^\w.$])\$?(?:ENV|env)\b(?:\s*\.\s*([A-Za-z_]\w*)|\s*\[\s*"([A-Za-z_]\w*)"\s*\])?/;
/** awk reading a variable of the environment. */
const AWK_ENV = /\bENVIRON\s*\[\s*"([A-Za-z_]\w*)"\s*\]|\bfor\s*\(\s*\w+\s+in\s+ENVIRON\s*\)/;
/** Inline code printing (not sending) what it reads. */
const CODE_PRINT =
  /\b(?:print|println|printf|puts|say|echo|pp|p)\b|\bconsole\.(?:log|info|error|warn|dir)\b|\bstdout\.write\b|\bwrite\(/;
const CODE_SECRET_READ =
  /\bprocess\.env(?:\.|\[\s*['"`])([A-Za-z_][A-Za-z0-9_]*)|(?:\$ENV\{|\b(?:os\.environ(?:\.get)?\s*[[(]|os\.getenv\s*\(|ENV(?:\.fetch)?\s*[[(]|getenv\s*\(|Deno\.env\.get\s*\(|Sys\.getenv\s*\())\s*['"]?([A-Za-z_][A-Za-z0-9_]*)/g;

const READERS = new Set([
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'base64',
  'xxd',
  'od',
  'hexdump',
  'strings',
  'tac',
  'nl',
]);

/** `echo "$X" > /tmp/k && cat /tmp/k`: the secret goes to a file that a later command of the call prints. */
function printedThroughFile(inv: Invocation, script: readonly Invocation[]): string | null {
  if (!PRINTERS.has(inv.name)) return null;
  const secret = inv.args.map((a) => secretValueParam(a.word.parts)).find((x) => x !== null);
  if (!secret) return null;
  for (const r of inv.redirs) {
    const file = r.target && ['>', '>>', '>|'].includes(r.op) ? staticValue(r.target) : null;
    if (!file) continue;
    const reader = script.find(
      (o) => o !== inv && READERS.has(o.name) && o.args.some((a) => a.value === file) && reachesOutput(o),
    );
    if (reader) return `$${secret} via ${file}`;
  }
  return null;
}

/** A read wrapped in a test of presence or length (`bool(os.getenv('X'))`, `len(…)`, `!!process.env.X`). */
export function onlyTested(code: string, start: number, end: number): boolean {
  const before = code.slice(Math.max(0, start - 12), start);
  const after = code.slice(end, end + 24);
  return (
    /(?:\b(?:bool|len|Boolean|isset|empty|defined|nchar)\s*\(|!!|\bnot\s+|\bif\s+|!)\s*$/.test(before) ||
    /^[^()\n]*?\)?\s*(?:is\s+(?:not\s+)?None|[!=]==?\s*(?:undefined|null|None|nil)|\.(?:length|size)\b|\.nil\?|\?(?![.?]))/.test(
      after,
    )
  );
}

/** What secret `inv` prints into the tool's output, or null. */
export function printsSecret(inv: Invocation, script: readonly Invocation[] = []): string | null {
  const hit = printedValue(inv);
  if (hit === null) return null;
  return reachesOutput(inv) ? hit : printedThroughFile(inv, script);
}

/** The secret `inv` prints, wherever its output goes. */
function printedValue(inv: Invocation): string | null {
  const n = inv.name;
  if (PRINTERS.has(n)) {
    for (const a of inv.args) {
      const s = secretValueParam(a.word.parts);
      if (s) return `$${s}`;
    }
  }
  for (const r of inv.redirs)
    if (
      r.op === '<<<' &&
      r.target &&
      ['cat', 'tee', 'head', 'tail', 'base64', 'xxd', 'od', 'rev', 'tr'].includes(n)
    ) {
      const s = secretValueParam(r.target.parts);
      if (s) return `$${s}`;
    }
  // the value printed upstream and passed on by an encoder or filter: `echo "$X" | base64`
  if (inv.upstream.length > 0) {
    const first = inv.upstream[0]!;
    if (PRINTERS.has(first.name) && inv.upstream.every((u) => !conceals(u) && !toFile(u)))
      for (const a of first.args) {
        const s = secretValueParam(a.word.parts);
        if (s) return `$${s} | ${n}`;
      }
  }
  if (n === 'printenv' || n === 'env') {
    const named = inv.args.find(
      (a) => a.value !== null && SECRET_NAME.test(a.value) && !a.value.includes('='),
    );
    if (named && n === 'printenv') return `printenv ${named.value}`;
  }
  if (n === 'declare' || n === 'typeset' || n === 'export' || n === 'readonly') {
    const p = inv.args.some((a) => /^-[a-zA-Z]*p/.test(a.value ?? ''));
    const named = inv.args.find(
      (a) => a.value !== null && SECRET_NAME.test(a.value) && !a.value.includes('='),
    );
    if (p && named) return `${n} -p ${named.value}`;
  }
  // a listing of every variable filtered down to the secret ones: `env | grep -i token`
  const filter = secretFilter(inv);
  if (filter && inv.upstream.some((u) => LISTERS.has(u.name)))
    return `${inv.upstream[0]!.name} | ${n} ${filter}`;
  if (n === 'jq' || n === 'gojq' || n === 'yq') {
    const prog = operands(inv, [
      '--arg',
      '--argjson',
      '-f',
      '--from-file',
      '--indent',
      '--slurpfile',
      '--rawfile',
    ])[0];
    const m = prog?.value ? JQ_ENV.exec(prog.value) : null;
    if (m) {
      const name = m[1] ?? m[2];
      if (!name) return `${n} ${prog!.value} (the whole environment)`;
      if (SECRET_NAME.test(name)) return `${n} ${name}`;
    }
  }
  const code = inv.code?.text;
  if (code) {
    const awk = inv.code!.lang === 'awk' ? AWK_ENV.exec(code) : null;
    if (awk && (awk[1] === undefined || SECRET_NAME.test(awk[1]))) return `awk ENVIRON[${awk[1] ?? '…'}]`;
    // `node -p EXPR` prints the expression's value
    if (CODE_PRINT.test(code) || /^-[a-z]*p[a-z]*$|^--print$/.test(inv.code!.flag))
      for (const m of code.matchAll(CODE_SECRET_READ)) {
        const name = m[1] ?? m[2]!;
        if (!SECRET_NAME.test(name) || onlyTested(code, m.index, m.index + m[0].length)) continue;
        return `${n} prints ${name}`;
      }
  }
  return null;
}

/** `jq -n env`, inline code dumping `process.env`: an environment dump by another name (for the network rules). */
export function dumpsEnvironment(inv: Invocation): boolean {
  if (inv.name === 'jq' || inv.name === 'gojq') {
    const prog = operands(inv, ['--arg', '--argjson', '-f', '--from-file', '--indent'])[0]?.value;
    const m = prog ? JQ_ENV.exec(prog) : null;
    return !!m && !m[1] && !m[2];
  }
  const code = inv.code?.text;
  if (!code) return false;
  if (inv.code!.lang === 'awk') return /\bin\s+ENVIRON\b/.test(code);
  return ENV_WHOLE.test(code) && CODE_PRINT.test(code);
}
