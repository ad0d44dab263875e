/**
 * Overwrites that destroy without deleting a tree: git's own bookkeeping (`: > .git/HEAD`, `> .git/index`,
 * `cp /dev/null .git/packed-refs`, `rm -f .git/index`) and emptying files whose names come from a command's
 * output (`for f in $(git ls-files); do : > "$f"; done`), which empties the whole checkout one file at a time.
 */
import { argPath, hasFlag, operands } from './args.js';
import type { Rule } from './types.js';
import { writesOf } from './writes.js';
import { nullProto } from '../null-proto.js';

/** The files git cannot work without: the current branch, the index, the refs and the object store. */
const GIT_INTERNAL = /(?:^|\/)\.git\/(?:HEAD|index|packed-refs|(?:objects|refs)(?:\/.+)?)$/;
const REMOVERS: Record<string, readonly string[]> = nullProto({
  rm: [],
  unlink: [],
  shred: ['-n', '--iterations', '-s', '--size'],
  truncate: ['-s', '--size', '-r', '--reference'],
  mv: ['-S', '--suffix', '-t', '--target-directory'],
});
/** Commands that write nothing of their own: their redirection only empties the target. */
const EMPTIERS = new Set([':', 'true', 'false']);

export const overwriteRules: Rule[] = [
  {
    id: 'git.corrupt-internals',
    pack: 'git',
    reason:
      "overwrites or deletes git's own files (.git/HEAD, .git/index, refs, objects), which breaks the repository; use git commands, or ask the user",
    match: (inv, ctx) => {
      for (const w of writesOf(inv, ctx)) if (GIT_INTERNAL.test(w.path)) return `${w.path} via ${w.via}`;
      const withArg = REMOVERS[inv.name];
      // a recursive rm of .git/objects is fs.rm-git-dir's
      if (!withArg || (inv.name === 'rm' && hasFlag(inv, 'rR', ['recursive']))) return false;
      const ops = operands(inv, withArg);
      // mv moves its sources away; the others act on every operand
      for (const a of inv.name === 'mv' ? ops.slice(0, -1) : ops) {
        const p = argPath(a, ctx);
        if (p !== null && GIT_INTERNAL.test(p)) return `${inv.name} ${a.text}`;
      }
      return false;
    },
  },
  {
    id: 'fs.empty-computed',
    pack: 'fs',
    reason:
      'empties files named by a command\'s output (: > "$f" over git ls-files or find), which can wipe the checkout; edit the files you mean by name',
    match: (inv) => {
      if (!EMPTIERS.has(inv.name) || inv.args.length > 0) return false;
      const truncating = inv.redirs.some((r) => (r.op === '>' || r.op === '>|') && r.target !== null);
      if (!truncating) return false;
      if (inv.targetFed) return 'a target from a command';
      // run once per found or listed file
      const per = inv.via.find((v) => v === 'find -exec' || v === 'find -execdir' || v === 'xargs');
      return per ? `per file via ${per}` : false;
    },
  },
];
