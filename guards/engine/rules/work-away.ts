/**
 * Data loss without rm: the project's sources moved out of the workspace (`mv -t /tmp src`, `mv ./* /tmp`,
 * `rsync --remove-source-files`), or every name collapsed into one (`rename -f 's/.*\/x/' *`). Moving one file or
 * a build directory is ordinary; moving the workspace itself, the home or .git is fs.mv-away's.
 */
import { posix } from 'node:path';
import { isWithin } from '../paths.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import { argPath, operands, pathDanger } from './args.js';
import type { Rule, RuleContext } from './types.js';

/** Top-level directories that hold a project's own work, as opposed to build output or caches. */
const SOURCE_DIRS = new Set(
  'src lib libs source sources test tests spec specs app apps packages pkg cmd internal docs scripts include components crates modules'.split(
    ' ',
  ),
);
/** The last segment of a glob that stands for every entry of its directory. */
const EVERY = /^(?:\*|\.\*|\.\[!.\]\*|\.\?\*|\{\*,\.\*\}|\{\.\*,\*\})$/;

/** Why moving this source away loses work, or null (one file, a build directory, a path outside the workspace). */
function work(a: Arg, ctx: RuleContext): string | null {
  const raw = a.value ?? '';
  // a glob is checked before expansion: `./*` is every entry of the workspace
  const dir = raw.includes('/') ? raw.slice(0, raw.lastIndexOf('/')) || '/' : '.';
  const abs = argPath(a, ctx, a.glob ? dir : raw);
  if (abs === null) return null;
  const d = pathDanger(abs, ctx);
  if (a.glob && EVERY.test(raw.slice(raw.lastIndexOf('/') + 1))) {
    if (isWithin(abs, ctx.workspace) || d === 'home' || d === 'parent') return `${a.text} (every entry)`;
    return null;
  }
  // a narrower glob (`*.log`) is some files, not the work
  if (a.glob && /[*?[]/.test(raw)) return null;
  if (d === 'workspace' || d === 'home' || d === 'parent' || d === 'git' || d === 'root')
    return `${a.text} (${d})`;
  if (!isWithin(abs, ctx.workspace)) return null;
  const rel = posix.relative(ctx.workspace, abs).split('/');
  return rel.length <= 2 && SOURCE_DIRS.has(rel[rel.length - 1]!) ? `${a.text} (source directory)` : null;
}

const outside = (dest: Arg | undefined, ctx: RuleContext): boolean => {
  const p = dest ? argPath(dest, ctx) : null;
  return p !== null && !isWithin(p, ctx.workspace);
};

const MV_WITH_ARG = ['-t', '--target-directory', '-S', '--suffix'];

function mvAway(inv: Invocation, ctx: RuleContext): string | null {
  const ops = operands(inv, MV_WITH_ARG);
  let dest: Arg | undefined;
  inv.args.forEach((a, i) => {
    if (a.value === '-t' || a.value === '--target-directory') dest = inv.args[i + 1];
    else if (a.value?.startsWith('--target-directory=')) {
      const v = a.value.slice('--target-directory='.length);
      dest = { ...a, value: v, text: v, tilde: v.startsWith('~') };
    } else if (/^-t./.test(a.value ?? '')) {
      const v = a.value!.slice(2);
      dest = { ...a, value: v, text: v, tilde: v.startsWith('~') };
    }
  });
  const sources = dest ? ops : ops.slice(0, -1);
  dest ??= ops[ops.length - 1];
  if (!outside(dest, ctx)) return null;
  for (const s of sources) {
    const w = work(s, ctx);
    if (w) return `mv ${w} to ${dest!.text}`;
  }
  return null;
}

function rsyncAway(inv: Invocation, ctx: RuleContext): string | null {
  if (!inv.args.some((a) => a.value === '--remove-source-files')) return null;
  const ops = operands(inv, [
    '-e',
    '--rsh',
    '--exclude',
    '--include',
    '--filter',
    '-f',
    '--files-from',
    '-T',
  ]);
  const dest = ops[ops.length - 1];
  if (ops.length < 2 || (!outside(dest, ctx) && !/^[^/]*:/.test(dest?.value ?? ''))) return null;
  for (const s of ops.slice(0, -1)) {
    const v = s.value ?? '';
    // `dir/` sends the directory's contents: the same as `dir`
    const w = work(v.endsWith('/') && v.length > 1 ? { ...s, value: v.replace(/\/+$/, '') } : s, ctx);
    if (w) return `rsync --remove-source-files ${w}`;
  }
  return null;
}

/** perl rename: an expression that gives every name the same result (`s/.*\/x/`), or one that moves names out. */
function renameAway(inv: Invocation, ctx: RuleContext): string | null {
  const v = inv.args.map((a) => a.value);
  if (v.some((x) => x === '-n' || x === '--nono' || x === '--dry-run' || x === '--just-print')) return null;
  const ops = operands(inv, ['-e', '-E']);
  const e = v.indexOf('-e');
  const expr = e === -1 ? (ops.shift()?.value ?? null) : (inv.args[e + 1]?.value ?? null);
  if (expr === null) return null;
  const m = /^s(.)(.*?)\1(.*?)\1[gimsx]*$/.exec(expr);
  if (!m) return null;
  const [, , pat, repl] = m;
  const collapses = /^\^?\.[*+]\$?$/.test(pat!) && !/\$|\\\d/.test(repl!);
  const movesOut = /^(?:\\\/|\/)/.test(repl!) && !repl!.replace(/\\\//g, '/').startsWith(ctx.workspace + '/');
  if (!collapses && !movesOut) return null;
  for (const s of ops) {
    const w = work(s, ctx);
    if (w) return `rename ${expr} ${w}`;
  }
  return null;
}

export const workAwayRules: Rule[] = [
  {
    id: 'fs.move-work-away',
    pack: 'fs',
    reason:
      "moves the project's sources out of the workspace, or renames every file to one name (a delete by another name); move specific files or a build directory",
    commands: ['mv', 'rsync', 'rename', 'prename', 'perl-rename', 'file-rename'],
    match: (inv, ctx) =>
      (inv.name === 'mv'
        ? mvAway(inv, ctx)
        : inv.name === 'rsync'
          ? rsyncAway(inv, ctx)
          : renameAway(inv, ctx)) ?? false,
  },
];
