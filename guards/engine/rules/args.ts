/** Argument predicates the rule packs are built from. */
import { expandHome, isWithin, resolveLexical, stripProcAliases } from '../paths.js';
import { posix } from 'node:path';
import { globMatches } from '../glob.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import { DecisionMemo } from './memo.js';
import type { RuleContext } from './types.js';

/** Static argument values (null for computed ones), up to `--` included. */
export function values(inv: Invocation): Array<string | null> {
  return inv.args.map((a) => a.value);
}

/** Short flag letters and long option names given before `--`. */
export function flags(inv: Invocation, from = 0): { short: Set<string>; long: Set<string> } {
  const short = new Set<string>();
  const long = new Set<string>();
  for (let i = from; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    if (v === null) continue;
    if (v === '--') break;
    if (v.startsWith('--')) long.add(v.slice(2).split('=')[0]!);
    else if (v.startsWith('-') && v.length > 1 && !/^-[0-9]/.test(v))
      for (const c of v.slice(1)) short.add(c);
  }
  return { short, long };
}

/** Whether any of the short flag letters or long option names is given before `--` (`flags`, without its Sets). */
export function hasFlag(inv: Invocation, short: string, long: readonly string[] = [], from = 0): boolean {
  for (let i = from; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    if (v === null) continue;
    if (v === '--') break;
    if (v.startsWith('--')) {
      if (long.length > 0 && long.includes(v.slice(2).split('=')[0]!)) return true;
    } else if (v.startsWith('-') && v.length > 1 && !/^-[0-9]/.test(v)) {
      for (const c of v.slice(1)) if (short.includes(c)) return true;
    }
  }
  return false;
}

/** Operands: arguments that are not options (everything after `--`). */
export function operands(inv: Invocation, withArg: readonly string[] = [], from = 0): Arg[] {
  const out: Arg[] = [];
  let endOfOpts = false;
  for (let i = from; i < inv.args.length; i++) {
    const a = inv.args[i]!;
    const v = a.value;
    if (!endOfOpts && v !== null) {
      if (v === '--') {
        endOfOpts = true;
        continue;
      }
      if (v.startsWith('-') && v.length > 1) {
        if (withArg.includes(v)) i++;
        continue;
      }
    }
    out.push(a);
  }
  return out;
}

/** Positional words (subcommands) of a CLI with global options that take values. */
export function positionals(inv: Invocation, withArg: readonly string[] = []): string[] {
  return operands(inv, withArg).map((a) => a.value ?? '\0');
}

/** The absolute path an argument names, or null when computed at run time. `$HOME`/`$PWD` are known. */
export function argPath(a: Arg, ctx: RuleContext, value: string | null = a.value): string | null {
  let v = value;
  if (v === null) {
    // $HOME/… and $PWD/… are known; anything else is not
    let s = '';
    for (const p of a.word.parts) {
      if (p.k === 'lit') s += p.v;
      else if (p.k === 'param' && p.name === 'HOME' && p.op === '') s += ctx.home;
      else if (p.k === 'param' && p.name === 'PWD' && p.op === '') s += ctx.cwd;
      // `/proc/$$/cwd`: the shell's own pid is a /proc entry like `self`
      else if (p.k === 'param' && (p.name === '$' || p.name === 'BASHPID') && p.op === '') s += 'self';
      else return null;
    }
    v = s;
  } else if (!a.tilde && v.startsWith('~')) {
    // a quoted tilde is a literal directory name
    v = './' + v;
  }
  if (v === '') return null;
  return throughLinks(resolveLexical(v, { cwd: ctx.cwd, home: ctx.home }), ctx, v.endsWith('/'));
}

/** A path under a symlink the same command made (`ln -s ~/.config cfg && rm -rf cfg/*`) names the link's target. */
export function throughLinks(abs: string, ctx: RuleContext, follow = false): string {
  if (!ctx.links || ctx.links.size === 0) return abs;
  // the link itself (`rm h`, `ln -sf X h`) is the link; `h/` and `h/x` go through it
  for (const [link, target] of ctx.links)
    if (abs.startsWith(link + '/') || (follow && abs === link)) return target + abs.slice(link.length);
  return abs;
}

const SYSTEM_DIRS = new Set(
  '/bin /boot /dev /etc /home /lib /lib32 /lib64 /libx32 /media /mnt /opt /proc /root /run /sbin /snap /srv /sys /usr /var /usr/bin /usr/lib /usr/lib64 /usr/local /usr/sbin /usr/share /usr/include /var/lib /var/log /etc/ssl'.split(
    ' ',
  ),
);

export type Danger = 'root' | 'home' | 'parent' | 'workspace' | 'git' | 'unset-var';

/** Why deleting (recursively) this path would be a disaster, or null. */
export function pathDanger(abs: string, ctx: RuleContext): Danger | null {
  if (abs === ctx.home || /^\/home\/[^/]+$/.test(abs) || abs === '/root') return 'home';
  if (abs === '/' || SYSTEM_DIRS.has(abs)) return 'root';
  if (posix.basename(abs) === '.git' || /\/\.git\/(?:objects|refs)(?:\/|$)/.test(abs)) return 'git';
  if (abs === ctx.workspace || abs === ctx.startCwd) return 'workspace';
  if (isWithin(ctx.startCwd, abs) || isWithin(ctx.workspace, abs)) return 'parent';
  return null;
}

const dangerCache = new DecisionMemo<Arg, Danger | null>();

/** The danger of an rm-style target argument, including globs that mean "everything in <dir>". */
export function targetDanger(a: Arg, ctx: RuleContext): Danger | null {
  // each rm rule asks about the same operands; the answer depends only on the argument and the context
  const cached = dangerCache.get(a, ctx);
  if (cached) return cached.value;
  const danger = findTargetDanger(a, ctx);
  dangerCache.set(a, ctx, danger);
  return danger;
}

function findTargetDanger(a: Arg, ctx: RuleContext): Danger | null {
  if (a.value === null) {
    const first = a.word.parts[0];
    if (
      first &&
      first.k === 'param' &&
      first.name !== 'HOME' &&
      first.name !== 'PWD' &&
      !/[?=-]/.test(first.op)
    ) {
      const rest = a.word.parts.slice(1);
      const restText = rest.map((p) => (p.k === 'lit' ? p.v : '\0')).join('');
      // "$DIR/" or $DIR/* turns into / or /* when DIR is empty
      if (
        /^\/+\*?$/.test(restText) ||
        (restText.startsWith('/') &&
          !restText.includes('\0') &&
          pathDanger(posix.normalize(restText.replace(/\/\*$/, '') || '/'), ctx) === 'root')
      )
        return 'unset-var';
    }
  }
  if (a.glob) {
    const full = argPath(a, ctx);
    if (full === null) return null;
    const dir = posix.dirname(full);
    const base = posix.basename(full);
    // "everything in <dir>" (`/*`, `~/*`) first; else what the pattern itself can name (`/home/de?`, `.[g]it`)
    const everything = !/[*?[]/.test(dir) && /^[.*?]*\*[.*?]*$/.test(base);
    const d = everything ? pathDanger(dir, ctx) : null;
    if (d && d !== 'git') return d;
    // `rm -rf .git/*`, `.git/o*`, `cd .git && rm -rf *`: everything in the repository's own .git, or its objects or refs
    if (
      isRepoGitDir(dir, ctx) &&
      (everything || ['objects', 'refs', 'HEAD'].some((e) => globMatches(full, `${dir}/${e}`)))
    )
      return 'git';
    return globDanger(full, ctx);
  }
  const abs = argPath(a, ctx);
  return abs === null ? null : pathDanger(abs, ctx);
}

/** The .git directory of the workspace (or of the directory the command started in or is in). */
function isRepoGitDir(dir: string, ctx: RuleContext): boolean {
  return dir === `${ctx.workspace}/.git` || dir === `${ctx.startCwd}/.git` || dir === `${ctx.cwd}/.git`;
}

/** Well-known entries of a home directory: a glob matching all of them takes every hidden file (`~/.[!.]*`). */
const HOME_ENTRIES = ['.ssh', '.config', '.bashrc', '.local', '.gitconfig'];

/** The danger of the paths a glob could expand to (`/home/de?`, `.[g]it`, `[.]git`, `~/.[!.]*`), or null. */
function globDanger(full: string, ctx: RuleContext): Danger | null {
  const homes = [ctx.home, '/root'];
  if (homes.some((h) => globMatches(full, h))) return 'home';
  if (globMatches(full, '/') || [...SYSTEM_DIRS].some((d) => globMatches(full, d))) return 'root';
  for (const d of new Set([ctx.cwd, ctx.workspace, ctx.startCwd]))
    if (globMatches(full, `${d}/.git`)) return 'git';
  if (globMatches(full, ctx.workspace) || globMatches(full, ctx.startCwd)) return 'workspace';
  for (let d = posix.dirname(ctx.workspace); d !== '/'; d = posix.dirname(d))
    if (globMatches(full, d)) return 'parent';
  if (homes.some((h) => HOME_ENTRIES.every((e) => globMatches(full, `${h}/${e}`)))) return 'home';
  return null;
}

/** Candidate paths inside an argument: itself, `@file`, `name=@file`, `--opt=value`. */
export function pathCandidates(v: string): string[] {
  const out = [v];
  if (v.startsWith('@') && v.length > 1) out.push(v.slice(1));
  const eq = /^[^=\s]*=[@<]?(.+)$/.exec(v);
  if (eq) out.push(eq[1]!);
  return out;
}

export { expandHome, stripProcAliases };

/**
 * The symlinks a command makes (`ln -s TARGET LINK`, `ln -s TARGET DIR/`, `ln -st DIR TARGET`), as absolute link
 * path → absolute target, so a later use of the link is judged as a use of its target. A relative target is
 * relative to the link's directory, as the kernel reads it.
 */
export function symlinksMade(invs: readonly Invocation[], ctx: RuleContext): Map<string, string> {
  const links = new Map<string, string>();
  for (const inv of invs) {
    if (inv.name !== 'ln' || links.size >= 16) continue;
    const at = inv.cwd === ctx.cwd ? ctx : { ...ctx, cwd: inv.cwd };
    const ops = operands(inv, ['-S', '--suffix', '-t', '--target-directory']);
    const tIdx = inv.args.findIndex((a) => a.value === '-t' || a.value === '--target-directory');
    const dirArg = tIdx !== -1 ? inv.args[tIdx + 1] : undefined;
    const target = ops[0];
    if (!target) continue;
    const linkArg = dirArg ?? ops[1];
    const tv = target.value ?? '';
    let link = linkArg ? argPath(linkArg, at) : inv.cwd;
    if (link === null) continue;
    if (dirArg || !linkArg || (linkArg.value ?? '').endsWith('/'))
      link = posix.join(link, posix.basename(tv));
    const rel = target.value !== null && !target.tilde && !tv.startsWith('/');
    const abs = rel ? posix.resolve(posix.dirname(link), tv) : argPath(target, at);
    if (abs !== null && abs !== link) links.set(link, abs);
  }
  return links;
}
