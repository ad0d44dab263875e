/**
 * Code the per-language tables do not see: source files the same command wrote and then hands to a compiler or
 * runner (`go run`, `cargo -Zscript`, `rustc`, `javac`/`java X.java`, `kotlinc -script`, `dotnet script`, `swift`,
 * `deno run`, `bun run`, `tsx`, `ts-node`, `gcc`), inline code of languages without a table (PowerShell, Julia, Tcl,
 * Elixir, Haskell, Groovy…), and any interpreter whose inline code is text fetched from the network.
 * The code is scanned as generic code (code-generic.ts): recursive deletes and rm commands of home, workspace or
 * system directories. Compiling counts as running: the build exists to be run, and `rustc x.rs && ./x` is one step.
 */
import { GENERIC_HOME, genericCommands, genericDeletes } from '../code-generic.js';
import { deleteCalls, langOf, pathLiterals } from '../inline-code.js';
import { resolveLexical } from '../paths.js';
import { NETWORK } from '../shell/commands.js';
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import { pathDanger } from './args.js';
import { HOME_DATA } from './misc.js';
import type { Rule, RuleContext } from './types.js';
import { nullProto } from '../null-proto.js';

/** Runners and compilers: the source extensions they take, the inline-code flags, and whether stdin is code. */
interface Runner {
  ext: RegExp;
  inline?: RegExp;
  stdin?: boolean;
}
const SRC = {
  go: /\.go$/,
  rust: /\.rs$/,
  jvm: /\.(?:java|kt|kts|scala|sc|groovy)$/,
  cs: /\.(?:cs|csx|fsx)$/,
  ts: /\.(?:[cm]?[jt]sx?)$/,
  c: /\.(?:c|cc|cpp|cxx|m)$/,
  any: /\.[A-Za-z0-9]+$/,
};
const RUNNERS: Record<string, Runner> = nullProto({
  go: { ext: SRC.go },
  cargo: { ext: SRC.rust },
  rustc: { ext: SRC.rust },
  'rust-script': { ext: SRC.rust, inline: /^(?:-e|--expr)$/ },
  javac: { ext: SRC.jvm },
  java: { ext: SRC.jvm },
  jshell: { ext: /\.(?:jsh|java)$/, stdin: true },
  kotlinc: { ext: SRC.jvm, inline: /^-e$/ },
  kotlin: { ext: SRC.jvm, inline: /^-e$/ },
  scala: { ext: SRC.jvm, inline: /^-e$/ },
  'scala-cli': { ext: SRC.jvm, inline: /^(?:-e|--execute-script)$/ },
  groovy: { ext: SRC.jvm, inline: /^-e$/ },
  dotnet: { ext: SRC.cs },
  'dotnet-script': { ext: SRC.cs },
  csi: { ext: SRC.cs },
  swift: { ext: /\.swift$/, inline: /^-e$/, stdin: true },
  swiftc: { ext: /\.swift$/ },
  deno: { ext: SRC.ts },
  bun: { ext: SRC.ts },
  tsx: { ext: SRC.ts, inline: /^(?:-e|--eval)$/ },
  'ts-node': { ext: SRC.ts, inline: /^(?:-e|--eval)$/ },
  esno: { ext: SRC.ts },
  gcc: { ext: SRC.c },
  cc: { ext: SRC.c },
  clang: { ext: SRC.c },
  'g++': { ext: SRC.c },
  'clang++': { ext: SRC.c },
  tcc: { ext: SRC.c },
  pwsh: { ext: /\.ps1$/, inline: /^-(?:c|command|Command|co|com)$/i, stdin: true },
  powershell: { ext: /\.ps1$/, inline: /^-(?:c|command)$/i, stdin: true },
  julia: { ext: /\.jl$/, inline: /^-[eE]$|^--eval$/, stdin: true },
  tclsh: { ext: /\.tcl$/, stdin: true },
  wish: { ext: /\.tcl$/, stdin: true },
  expect: { ext: /\.(?:exp|tcl)$/, inline: /^-c$/, stdin: true },
  elixir: { ext: /\.exs?$/, inline: /^(?:-e|--eval)$/ },
  iex: { ext: /\.exs?$/, inline: /^(?:-e|--eval)$/ },
  runghc: { ext: /\.l?hs$/, inline: /^-e$/ },
  runhaskell: { ext: /\.l?hs$/, inline: /^-e$/ },
  ghc: { ext: /\.l?hs$/, inline: /^-e$/ },
  ghci: { ext: /\.l?hs$/, stdin: true },
  crystal: { ext: /\.cr$/, inline: /^(?:eval)$/ },
  nim: { ext: /\.nim$/ },
  zig: { ext: /\.zig$/ },
  dart: { ext: /\.dart$/ },
  v: { ext: /\.v$/ },
  racket: { ext: /\.rkt$/, inline: /^-e$/ },
  guile: { ext: /\.scm$/, inline: /^-c$/ },
  clojure: { ext: /\.cljs?$/, inline: /^-e$/ },
  bb: { ext: /\.clj$/, inline: /^-e$/ },
  ocaml: { ext: /\.ml$/ },
  raku: { ext: /\.raku$/, inline: /^-e$/ },
});

/** The text each file the command wrote holds: heredocs and here-strings into `cat`/`tee`, and `echo`/`printf`. */
const writtenCache = new WeakMap<readonly Invocation[], Map<string, string>>();
export function writtenFiles(ctx: RuleContext): Map<string, string> {
  const script = ctx.script ?? [];
  let files = writtenCache.get(script);
  if (files) return files;
  files = new Map();
  for (const inv of script) {
    let text: string | null = null;
    if ((inv.name === 'cat' || inv.name === 'tee') && inv.stdin?.kind === 'literal')
      text = inv.stdin.text ?? null;
    else if (inv.name === 'echo' || inv.name === 'printf') {
      const vals = inv.args.map((a) => a.value ?? a.text).filter((v, i) => i > 0 || !/^-[neE]+$/.test(v));
      text = inv.name === 'printf' ? vals.slice(1).join('\n') || (vals[0] ?? '') : vals.join(' ');
      text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    }
    if (text === null) continue;
    const targets = inv.redirs
      .filter((r) => /^(?:>|>>|>\|)$/.test(r.op) && r.target && (r.fd === null || r.fd === '1'))
      .map((r) => staticValue(r.target!));
    if (inv.name === 'tee')
      targets.push(...inv.args.map((a) => a.value).filter((v) => v && !v.startsWith('-')));
    for (const t of targets) {
      if (!t) continue;
      const abs = resolveLexical(t, { cwd: inv.cwd, home: ctx.home });
      if (files.size < 32) files.set(abs, ((files.get(abs) ?? '') + text).slice(0, 65536));
    }
  }
  writtenCache.set(script, files);
  return files;
}

/** The code a runner or compiler runs: inline, from stdin, or the source files the same command wrote. */
function runnerCode(inv: Invocation, ctx: RuleContext): string[] {
  const r = RUNNERS[inv.name];
  if (!r) return [];
  const out: string[] = [];
  const args = inv.args;
  if (r.inline) {
    const i = args.findIndex((a) => a.value !== null && r.inline!.test(a.value));
    if (i !== -1 && args[i + 1]?.value) out.push(args[i + 1]!.value!);
    // `pwsh -c 'Remove-Item …'` bundles the command after the flag; a bare `pwsh 'cmd'` too
  }
  if (/^(?:pwsh|powershell)$/.test(inv.name)) {
    const enc = args.findIndex((a) => /^-(?:e|ec|enc|encodedcommand)$/i.test(a.value ?? ''));
    if (enc !== -1 && args[enc + 1]?.value)
      out.push(Buffer.from(args[enc + 1]!.value!, 'base64').toString('utf16le'));
  }
  if (r.stdin && inv.stdin?.kind === 'literal' && inv.stdin.text) out.push(inv.stdin.text);
  const files = writtenFiles(ctx);
  if (files.size > 0) {
    const named = args
      .map((a) => a.value)
      .filter((v): v is string => v !== null && !v.startsWith('-') && !v.startsWith('+'));
    for (const [abs, text] of files) {
      if (!SRC.any.test(abs) || !r.ext.test(abs)) continue;
      const hit = named.some((v) => {
        const p = resolveLexical(v, { cwd: inv.cwd, home: ctx.home });
        // the file itself, or a directory (`go run .`, `cargo run`) holding it
        return p === abs || abs.startsWith(p.replace(/\/$/, '') + '/');
      });
      const runsProject = /^(?:go|cargo|dotnet)$/.test(inv.name) && abs.startsWith(inv.cwd + '/');
      if (hit || runsProject) out.push(text);
    }
  }
  return out;
}

/** Why deleting `target` is dangerous (as code.delete-dangerous-path judges it), or null. */
export function dangerousTarget(target: string, ctx: RuleContext, cwd: string): string | null {
  const t = target.replace(/\/\*$/, '');
  const abs = resolveLexical(t, { cwd, home: ctx.home });
  const danger = pathDanger(abs, ctx);
  if (danger) return danger;
  if (HOME_DATA.some((h) => abs === `${ctx.home}/${h}`)) return 'home data';
  if (abs.startsWith(ctx.home + '/') && ctx.sensitive.match(abs)) return 'credentials';
  return null;
}

/** An rm of a dangerous directory in a command string the code runs (`exec.Command("rm", "-rf", h)`). */
function rmCommand(cmd: string, ctx: RuleContext, cwd: string): string | null {
  const w = cmd.split(/\s+/).filter((x) => x !== '');
  if (!/(?:^|\/)rm$/.test(w[0] ?? '')) return null;
  if (!w.some((x) => /^-[a-zA-Z]*[rR]|^--recursive$/.test(x))) return null;
  for (const x of w.slice(1)) if (!x.startsWith('-') && dangerousTarget(x, ctx, cwd)) return x;
  return null;
}

/** A destructive call in generic code, as `api(target)`, or null. */
export function genericDanger(code: string, ctx: RuleContext, cwd: string): string | null {
  for (const d of [...genericDeletes(code), ...deleteCalls(code).filter((c) => c.recursive)]) {
    if (d.target !== null && dangerousTarget(d.target, ctx, cwd)) return `${d.api}(${d.target})`;
  }
  for (const c of genericCommands(code)) {
    const t = rmCommand(c, ctx, cwd);
    if (t) return `runs ${c.slice(0, 60)}`;
  }
  return null;
}

const HOME_ANY = new RegExp(GENERIC_HOME.source, 'g');

/** The flag whose value is the code, for interpreters with a table and the runners above. */
function codeFlagArg(inv: Invocation) {
  const r = RUNNERS[inv.name];
  const i = inv.args.findIndex(
    (a) => a.value !== null && (r?.inline?.test(a.value) || (inv.code && a.value === inv.code.flag)),
  );
  if (i !== -1) return inv.args[i + 1];
  // `node --eval="$(curl …)"`, `ts-node --eval=…`: the flag and its value are one word
  const joined = inv.args.find((a) => /^--(?:eval|print|command|execute)=/.test(a.text));
  if (joined) return joined;
  if (inv.code && inv.code.flag === 'eval') return inv.args[1];
  return undefined;
}

export const codeRunnerRules: Rule[] = [
  {
    id: 'code.runner-delete',
    pack: 'code',
    reason:
      'the code this runs (a source file written above, or inline code) deletes home, the workspace, a system dir or credentials; delete specific paths',
    commands: Object.keys(RUNNERS),
    match: (inv, ctx) => {
      for (const code of runnerCode(inv, ctx)) {
        const hit = genericDanger(code, ctx, inv.cwd);
        if (hit) return `${inv.name}: ${hit}`;
      }
      return false;
    },
  },
  {
    id: 'code.runner-sensitive-path',
    pack: 'code',
    reason:
      'the code this runs (a source file written above, inline code or stdin) names a credential file or the sandbox secrets; ask the user instead',
    commands: Object.keys(RUNNERS),
    match: (inv, ctx) => {
      for (const text of runnerCode(inv, ctx)) {
        const code = text.replace(HOME_ANY, '~');
        // quoted literals, and the bare words of Tcl, PowerShell and shell-like languages (`open ~/.ssh/id_rsa`)
        const bare = code.match(/(?<![\w$])(?:~|\/)[\w.@%+=:,/-]*/g) ?? [];
        for (const lit of [...pathLiterals(code), ...bare.slice(0, 200)]) {
          if (!/^[~/.]/.test(lit) && !lit.includes('/')) continue;
          const hit = ctx.sensitive.match(resolveLexical(lit, { cwd: inv.cwd, home: ctx.home }));
          if (hit) return `${inv.name}: ${hit.entry}`;
        }
      }
      return false;
    },
  },
  {
    id: 'exec.remote-code-arg',
    pack: 'exec',
    reason:
      'runs code fetched from the network as an inline program (python -c "$(curl …)"); download it, read it, then run the file',
    match: (inv) => {
      if (!inv.code && !RUNNERS[inv.name]?.inline && !langOf(inv.name)) return false;
      const a = codeFlagArg(inv);
      if (!a || a.value !== null) return false;
      const net = inv.subs.find((s) => NETWORK.has(s.name) && s.name !== 'openssl');
      return net ? `$(${net.display.slice(0, 60)}) → ${inv.name}` : false;
    },
  },
];
