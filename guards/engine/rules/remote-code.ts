/**
 * Remote code that is saved first and run in the same command (`curl -o i.sh URL && bash i.sh`, `wget -O x URL &&
 * chmod +x x && ./x`, `curl -o package.json URL && npm install`), and inline code that evaluates what it fetches
 * (`exec(urlopen(URL).read())`, `eval(Net::HTTP.get(…))`, `curl URL | python3 -c "exec(sys.stdin.read())"`).
 */
import { resolveLexical } from '../paths.js';
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import type { Rule, RuleContext } from './types.js';
import { nullProto } from '../null-proto.js';

/** Downloaders and the options naming their output file; `remote` options save under the URL's basename. */
const DOWNLOADERS: Readonly<
  Record<string, { out: readonly string[]; remote: readonly string[]; bare?: boolean }>
> = nullProto({
  curl: { out: ['-o', '--output'], remote: ['-O', '--remote-name'] },
  wget: { out: ['-O', '--output-document'], remote: [], bare: true },
  aria2c: { out: ['-o', '--out'], remote: [], bare: true },
  fetch: { out: ['-o'], remote: [], bare: true },
  http: { out: ['-o', '--output'], remote: [] },
  xh: { out: ['-o', '--output'], remote: [] },
});

/** Shells and interpreters whose first operand is the script they run. */
const SCRIPT_RUNNERS = new Set(
  'bash sh zsh dash ksh ash fish source . python python2 python3 node nodejs deno bun perl ruby php lua tclsh Rscript'.split(
    ' ',
  ),
);
/** Tools that run code named in a project file of their directory. */
const PROJECT_RUNNERS: Readonly<Record<string, readonly string[]>> = {
  npm: ['package.json'],
  pnpm: ['package.json'],
  yarn: ['package.json'],
  bun: ['package.json'],
  make: ['Makefile', 'makefile', 'GNUmakefile'],
  pip: ['setup.py'],
  pip3: ['setup.py'],
};

const URL_RE = /^(?:https?|ftp):\/\//;

/** The files one downloader invocation saves (absolute), following its output options and a `>` redirection. */
function savedFiles(inv: Invocation): string[] {
  const spec = DOWNLOADERS[inv.name];
  const ctx = { cwd: inv.cwd, home: '/' };
  const out: string[] = [];
  const urls = inv.args.map((a) => a.value ?? '').filter((v) => URL_RE.test(v));
  const urlName = (u: string) =>
    u
      .replace(/[?#].*$/, '')
      .replace(/\/+$/, '')
      .split('/')
      .pop() || 'index.html';
  if (spec) {
    let explicit = false;
    for (let i = 0; i < inv.args.length; i++) {
      const v = inv.args[i]!.value ?? '';
      const next = inv.args[i + 1]?.value ?? null;
      const short = /^-[A-Za-z]+$/.test(v) && !v.startsWith('--');
      const last = short ? `-${v[v.length - 1]}` : v;
      if (spec.out.includes(last) || spec.out.includes(v)) {
        explicit = true;
        if (next !== null && next !== '-') out.push(resolveLexical(next, ctx));
        i++;
      } else if (short && spec.out.some((o) => o.length === 2 && v.slice(1).includes(o[1]!))) {
        // attached value: `-o/tmp/x`, `-qO/tmp/x`
        const o = spec.out.find((o) => o.length === 2 && v.slice(1).includes(o[1]!))!;
        const rest = v.slice(v.indexOf(o[1]!) + 1);
        explicit = true;
        if (rest && rest !== '-') out.push(resolveLexical(rest, ctx));
      } else if (v.startsWith('--output=') || v.startsWith('--output-document=')) {
        explicit = true;
        const p = v.slice(v.indexOf('=') + 1);
        if (p !== '-') out.push(resolveLexical(p, ctx));
      } else if (spec.remote.includes(last) || spec.remote.includes(v)) {
        explicit = true;
        for (const u of urls) out.push(resolveLexical(urlName(u), ctx));
      }
    }
    if (!explicit && spec.bare) for (const u of urls) out.push(resolveLexical(urlName(u), ctx));
  }
  for (const r of inv.redirs) {
    if (!r.target || r.heredoc || !/^(?:>|>>|>\||&>)$/.test(r.op) || (r.fd !== null && r.fd !== '1'))
      continue;
    const t = staticValue(r.target);
    if (t !== null) out.push(resolveLexical(t, ctx));
  }
  return out;
}

/** Every file a tool call's invocations download, or null when none does (computed once per call by decide). */
export function downloadedFiles(invs: readonly Invocation[]): Set<string> | null {
  let set: Set<string> | null = null;
  for (const inv of invs)
    if (DOWNLOADERS[inv.name]) for (const f of savedFiles(inv)) (set ??= new Set()).add(f);
  return set;
}

/** The downloaded file this invocation runs, or null. */
function runsDownloaded(inv: Invocation, ctx: RuleContext, got: ReadonlySet<string>): string | null {
  const at = { cwd: inv.cwd, home: ctx.home };
  const word = inv.display.split(' ')[0] ?? '';
  if (word.includes('/') && got.has(resolveLexical(word, at))) return word;
  if (SCRIPT_RUNNERS.has(inv.name)) {
    const first = inv.args.find((a) => a.value === null || !a.value.startsWith('-'));
    if (first?.value && got.has(resolveLexical(first.value, at))) return `${inv.name} ${first.value}`;
  }
  const req = (inv.name === 'pip' || inv.name === 'pip3') && inv.args.findIndex((a) => a.value === '-r');
  if (typeof req === 'number' && req !== -1) {
    const f = inv.args[req + 1]?.value;
    if (f && got.has(resolveLexical(f, at))) return `${inv.name} -r ${f}`;
  }
  for (const f of PROJECT_RUNNERS[inv.name] ?? [])
    if (got.has(resolveLexical(f, at))) return `${inv.name} with a downloaded ${f}`;
  return null;
}

/** Inline code that evaluates text. */
const EVAL =
  /\b(?:exec|eval|instance_eval|class_eval|module_eval|Function|runInThisContext|runInNewContext)\s*\(|\beval\s+[\w$"']|\(\s*eval\s*\)|\bnew\s+Function\b|\bload\s*\(\s*(?:fetch|http)/;
/** Inline code that fetches from the network. */
const FETCH =
  /\b(?:urlopen|urllib|requests\.(?:get|post|request)|httpx\.|http\.client|Net::HTTP|URI\.open|OpenURI|open-uri|LWP|HTTP::Tiny|curl_exec|socket\.http|http\.request|https?\.get)\b|\bfetch\s*\(|\bget\s*\(\s*["']https?:|file_get_contents\s*\(\s*["'](?:https?|ftp):/;
/** Inline code that reads its standard input. */
const READS_STDIN =
  /sys\.stdin|readFileSync\(\s*(?:0|["']\/dev\/stdin)|\bSTDIN\b|\$stdin|php:\/\/stdin|<STDIN>|io\.read\b|\bstdin\b/;

export const remoteCodeRules: Rule[] = [
  {
    id: 'exec.run-downloaded',
    pack: 'exec',
    reason:
      'runs a file the same command downloads, before anyone read it; download it, read it, then run it in a separate step',
    match: (inv, ctx) => {
      const got = ctx.downloads;
      return got ? (runsDownloaded(inv, ctx, got) ?? false) : false;
    },
  },
  {
    id: 'code.eval-remote',
    pack: 'code',
    reason: 'inline code evaluates code it fetches from the network; download it, read it, then run the file',
    match: (inv) => {
      const t = inv.code?.text;
      // a cheap marker first: most inline code evaluates nothing
      if (!t || !/eval|exec|Function|runIn|load/.test(t) || !EVAL.test(t)) return false;
      if (FETCH.test(t)) return `${inv.name} ${inv.code!.flag}: evaluates fetched code`;
      if (inv.stdin?.kind === 'network' && READS_STDIN.test(t))
        return `${inv.stdin.desc} → ${inv.name} ${inv.code!.flag}`;
      return false;
    },
  },
];
