/**
 * A git command's directory that is a scratch copy: under /tmp or /var/tmp (`cd /tmp/repro && git clean -fdx`,
 * `git -C /tmp/build clean -fdx`), reached by no symlink this command made into the workspace or home. Cleaning a
 * throwaway clone loses nothing the user has.
 */
import { isWithin, resolveLexical } from '../paths.js';
import type { Invocation } from '../shell/invocation.js';
import type { RuleContext } from './types.js';

const SCRATCH_ROOT = /^\/(?:var\/)?tmp\/[^/]+/;

/** The directory git works in: the last `-C DIR` applied to the invocation's cwd. */
function gitDir(inv: Invocation, ctx: RuleContext): string | null {
  let dir = ctx.cwd;
  for (let i = 0; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    if (v === null) return null;
    if (v === '-C') {
      const d = inv.args[i + 1]?.value;
      if (d === null || d === undefined) return null;
      dir = resolveLexical(d, { cwd: dir, home: ctx.home });
      i++;
    } else if (v.startsWith('--git-dir') || v.startsWith('--work-tree')) return null;
    else if (!v.startsWith('-')) break;
  }
  return dir;
}

export function inScratchCopy(inv: Invocation, ctx: RuleContext): boolean {
  const dir = gitDir(inv, ctx);
  if (dir === null || !SCRATCH_ROOT.test(dir)) return false;
  if (isWithin(dir, ctx.workspace) || isWithin(dir, ctx.home)) return false;
  for (const [link, target] of ctx.links ?? []) {
    if (isWithin(dir, link) && !SCRATCH_ROOT.test(target)) return false;
  }
  return true;
}
