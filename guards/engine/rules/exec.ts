/** Packs `exec` and `code`: running downloaded, decoded or computed scripts, and destructive inline code. */
import { deleteCalls, pathLiterals } from '../inline-code.js';
import { isShell } from '../shell/commands.js';
import type { Invocation, Producer } from '../shell/invocation.js';
import { pathDanger } from './args.js';
import { HOME_DATA } from './misc.js';
import type { Rule, RuleContext } from './types.js';
import { resolveLexical } from '../paths.js';

/** Interpreters not modelled as inline code that run their stdin as the program when given no file. */
const STDIN_PROGRAMS =
  /^(?:tclsh[0-9.]*|wish|expect|php[0-9.]*|lua[0-9.]*|luajit|Rscript|R|osascript|jshell|groovy|julia)$/;

/** Tree walks in inline code, with their root: `os.walk(R)`, `glob(R + '/**', recursive=True)`, `Path(R).rglob`. */
const WALK_ROOT =
  /\bos\.walk\(\s*((?:[^(),]|\([^()]*\))+)|\bglob(?:\.i?glob)?\(\s*((?:[^(),]|\([^()]*\))+)\s*,\s*recursive\s*=\s*True|\bPath\(\s*([^)]*)\)\.rglob\(/g;
/** What such a walk does to each entry: delete, truncate, or open it for writing. */
const WALK_MUTATES =
  /\bos\.(?:remove|unlink|truncate)\(|\.unlink\(|\bshutil\.rmtree\(|\bopen\((?:[^()]|\([^()]*\))*,\s*['"][wa]|\.write_(?:text|bytes)\(/;

/** A walk's root as a path (`'.'`, `os.path.expanduser('~')`, `'~/x/**'`), or null when computed. */
function walkRoot(expr: string): string | null {
  const e = expr.trim();
  const home = /^os\.path\.expanduser\(\s*(['"])(~[^'"]*)\1\s*\)$/.exec(e);
  const lit = /^(['"])([^'"]*)\1$/.exec(e);
  const p = home ? home[2]! : lit ? lit[2]! : /^os\.(?:getcwd|curdir)\b/.test(e) ? '.' : null;
  return p === null ? null : p.replace(/\/?\*\*.*$/, '') || '/';
}

/** A shell or interpreter that runs a script from its stdin or from a substituted string. */
function scriptSource(inv: Invocation): Producer | null {
  if (inv.evalDynamic) return inv.evalSource;
  const readsStdin =
    (isShell(inv.name) && shellReadsStdin(inv)) ||
    (STDIN_PROGRAMS.test(inv.name) && inv.args.every((a) => a.value !== null && a.value.startsWith('-'))) ||
    (inv.code?.readsStdin ?? false) ||
    ((inv.name === 'source' || inv.name === '.') && inv.stdin !== null);
  return readsStdin ? inv.stdin : null;
}

function shellReadsStdin(inv: Invocation): boolean {
  for (const a of inv.args) {
    const v = a.value;
    if (v === null) return false;
    if (v === '-s' || v === '-') return true;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(v)) return false;
    if (!v.startsWith('-') && !v.startsWith('+')) return false;
  }
  return true;
}

export const execRules: Rule[] = [
  {
    id: 'exec.remote-script',
    pack: 'exec',
    reason:
      'runs a script fetched from the network without saving it; download it, read it, then run the file',
    match: (inv) => {
      const s = scriptSource(inv);
      return s?.kind === 'network' ? `${s.desc} → ${inv.name}` : false;
    },
  },
  {
    id: 'exec.decode-to-shell',
    pack: 'exec',
    reason: 'runs decoded or obfuscated text as a script; write the commands out plainly',
    match: (inv) => {
      const s = scriptSource(inv);
      if (s?.kind === 'decoded') return `${s.desc} → ${inv.name}`;
      // the decoder's output is known but the text eval runs is not (a stage after it, a redirection, `||`):
      // that text was never read, so it counts as decoded (red team 10)
      if (inv.evalDynamic && s?.kind === 'literal' && s.desc.endsWith('(decoded)'))
        return `${s.desc} → ${inv.name}`;
      return false;
    },
  },
  {
    id: 'exec.pipe-to-shell',
    pack: 'exec',
    reason:
      'pipes the output of another program into a shell or interpreter; save it to a file, read it, then run the file',
    match: (inv) => {
      const s = scriptSource(inv);
      // eval of a computed string (`eval "$(ssh-agent -s)"`) is left to exec.dynamic-eval (lockdown only)
      if (!s || s.kind !== 'dynamic' || inv.evalDynamic) return false;
      return `${s.desc} → ${inv.name}`;
    },
  },
  {
    id: 'code.delete-dangerous-path',
    pack: 'code',
    reason: 'inline code deletes /, the home directory, the workspace or .git; delete only specific paths',
    match: (inv, ctx) => {
      if (!inv.code || inv.code.text === null) return false;
      for (const d of deleteCalls(inv.code.text)) {
        if (d.target === null) continue;
        const abs = resolveLexical(d.target, { cwd: ctx.cwd, home: ctx.home });
        const danger = pathDanger(abs, ctx);
        if (danger && (d.recursive || danger === 'root')) return `${d.api}(${d.target})`;
        // every tool's settings or data at once, as misc.rm-home-data judges `rm -rf ~/.config`
        if (d.recursive && HOME_DATA.some((h) => abs === `${ctx.home}/${h}`)) return `${d.api}(${d.target})`;
        // a credential directory (`rmtree("$ENV{HOME}/.ssh")`), as rm -rf ~/.ssh is judged
        if (d.recursive && abs.startsWith(ctx.home + '/') && ctx.sensitive.match(abs))
          return `${d.api}(${d.target})`;
      }
      return false;
    },
  },
  {
    id: 'code.walk-destroy',
    pack: 'code',
    reason:
      'inline code walks a whole tree (the home, the workspace, /) and deletes, truncates or overwrites every file in it; name the files',
    match: (inv, ctx) => {
      const text = inv.code?.text;
      if (!text || !WALK_MUTATES.test(text)) return false;
      for (const m of text.matchAll(WALK_ROOT)) {
        const root = walkRoot(m[1] ?? m[2] ?? m[3] ?? '');
        if (root === null) continue;
        const abs = resolveLexical(root, { cwd: inv.cwd, home: ctx.home });
        const danger = pathDanger(abs, ctx);
        if (
          danger === 'root' ||
          danger === 'home' ||
          danger === 'workspace' ||
          danger === 'parent' ||
          danger === 'git'
        )
          return `${m[0].slice(0, 40)} … ${WALK_MUTATES.exec(text)![0]}`;
      }
      return false;
    },
  },
  {
    id: 'code.recursive-delete-computed',
    pack: 'code',
    reason: 'inline code deletes a computed path recursively; use a literal path the user can check',
    match: (inv) => {
      if (!inv.code || inv.code.text === null) return false;
      const d = deleteCalls(inv.code.text).find((c) => c.recursive && c.target === null);
      return d ? d.api : false;
    },
  },
  {
    id: 'code.sensitive-path',
    pack: 'code',
    reason: 'inline code reads a credential file or the process environment file; ask the user instead',
    match: (inv, ctx: RuleContext) => {
      if (!inv.code || inv.code.text === null) return false;
      for (const lit of pathLiterals(inv.code.text)) {
        if (!/^[~/.]/.test(lit) && !lit.includes('/')) continue;
        const hit = ctx.sensitive.match(resolveLexical(lit, { cwd: ctx.cwd, home: ctx.home }));
        if (hit) return hit.entry;
      }
      return false;
    },
  },
  {
    id: 'exec.dynamic-eval',
    pack: 'exec',
    reason: 'lockdown: runs a string computed at run time (eval, sh -c "$X"); write the command literally',
    match: (inv, ctx) => ctx.lockdown && inv.evalDynamic,
  },
];
