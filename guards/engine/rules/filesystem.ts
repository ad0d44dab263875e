/** Pack `fs`: deleting or clobbering files that cannot be brought back. */
import { posix } from 'node:path';
import { argPath, flags, hasFlag, operands, pathDanger, targetDanger, type Danger } from './args.js';
import type { Rule, RuleContext } from './types.js';
import type { Arg, Invocation } from '../shell/invocation.js';

/** The workspace's test-data and scratch directories: what is in them is made up (`test/fixtures/fake_key.pem`). */
const TEST_DATA = /(?:^|\/)(?:tests?|spec|__tests__|fixtures|__fixtures__|testdata|test-data|tmp|\.tmp)\//;

/** A literal file path (no glob) in a temporary directory or in a test-data directory of the workspace. */
function shreddable(a: Arg, ctx: RuleContext): boolean {
  if (a.value === null || a.glob) return false;
  const abs = argPath(a, ctx);
  if (abs === null) return false;
  if (/^\/(?:var\/)?tmp\/./.test(abs)) return true;
  const rel = posix.relative(ctx.workspace, abs);
  return (
    !rel.startsWith('..') && !posix.isAbsolute(rel) && TEST_DATA.test(rel) && !/(?:^|\/)\.git\//.test(rel)
  );
}

function rmRecursive(inv: Invocation): boolean {
  return hasFlag(inv, 'rR', ['recursive']);
}

function rmHits(inv: Invocation, ctx: RuleContext, want: Danger): string | false {
  if (!rmRecursive(inv)) return false;
  for (const a of operands(inv)) {
    if (targetDanger(a, ctx) === want) return `target ${a.text}`;
  }
  return false;
}

const rm = (id: string, want: Danger, reason: string): Rule => ({
  id,
  pack: 'fs',
  reason,
  commands: ['rm'],
  match: (inv, ctx) => rmHits(inv, ctx, want),
});

/**
 * An operand built from a command substitution whose output the interpreter could not compute, with nothing
 * specific after it (`$(cat list)`, "$(git config x)/", `$(…)/*`): it could name anything, / included.
 */
export function computedTarget(a: Arg): boolean {
  // $OLDPWD / `~-` before any `cd` of the script: the directory the agent was in before, which could be any
  if (a.value !== null) return a.tilde && /^~-\/?$/.test(a.value);
  if (isOldpwdParam(a)) return true;
  const parts = a.word.parts;
  const last = parts
    .map((p) => p.k === 'cmdsub' || (p.k === 'param' && p.computed === true))
    .lastIndexOf(true);
  if (last === -1) return false;
  const before = parts.slice(0, last);
  const after = parts.slice(last + 1);
  const text = (ps: typeof parts) => ps.map((p) => (p.k === 'lit' ? p.v : '\0')).join('');
  return /^\/*$/.test(text(before).replace(/\0/g, '')) && /^(?:\/*|\/\*|\/\.{1,2}\/?)$/.test(text(after));
}

function isOldpwdParam(a: Arg): boolean {
  const [p, ...rest] = a.word.parts;
  return (
    !!p &&
    p.k === 'param' &&
    p.name === 'OLDPWD' &&
    p.op === '' &&
    rest.every((x) => x.k === 'lit' && /^\/*$/.test(x.v))
  );
}

/**
 * `find … -exec cp /dev/null {} \;`, `-exec sed -i d {} +`, `-exec tee {} \;`: the
 * command run on each file empties it, which is as good as deleting it.
 */
function emptiesEach(cmd: string[]): boolean {
  const end = cmd.findIndex((x) => x === ';' || x === '+');
  const w = end === -1 ? cmd : cmd.slice(0, end);
  const name = (w[0] ?? '').replace(/^.*\//, '');
  if (name === 'cp' || name === 'install') return w.includes('/dev/null');
  if (name === 'sed')
    return (
      w.some((x) => /^-[a-zA-Z]*i/.test(x) || x.startsWith('--in-place')) &&
      w.some((x) => /^(?:\d*,?\$?d|1,\$d|d)$/.test(x))
    );
  // truncate is judged by fs.truncate
  return name === 'tee';
}

const FILTERS = /^(?:grep|egrep|fgrep|rg|ag|ack|awk|gawk|sed|head|tail|comm|join|cut)$/;
const FIND_FILTER = /^-(?:i?name|i?path|i?wholename|i?regex|newer|mtime|mmin|size|empty|user|perm)$/;

/** What feeds an `xargs` command's appended arguments: everything in a directory, a filtered list, or unknown. */
function xargsFeed(inv: Invocation): 'everything' | 'filtered' | 'unknown' {
  const up = inv.upstream[inv.upstream.length - 1];
  if (!up) return 'unknown';
  if (up.upstream.some((u) => FILTERS.test(u.name)) || FILTERS.test(up.name)) return 'filtered';
  const ops = operands(up);
  if (up.name === 'ls')
    return ops.every((a) => a.value === '.' || a.value === './' || a.value === '*')
      ? 'everything'
      : 'filtered';
  if (up.name === 'find')
    return up.args.some((a) => FIND_FILTER.test(a.value ?? '')) ? 'filtered' : 'everything';
  if (up.name === 'git' && up.args[0]?.value === 'ls-files')
    return ops.length <= 1 ? 'everything' : 'filtered';
  return 'unknown';
}

/** Commands whose operands are destroyed or overwritten, for the lockdown check of computed operands. */
const DESTRUCTIVE_OPERANDS = [
  'rm',
  'shred',
  'unlink',
  'rmdir',
  'chmod',
  'chown',
  'chgrp',
  'truncate',
  'mv',
  'find',
];

export const filesystemRules: Rule[] = [
  {
    id: 'fs.find-delete',
    pack: 'fs',
    reason:
      'find deletes everything under a root, home or workspace directory; add -name/-path filters on a narrower directory',
    commands: ['find'],
    match: (inv, ctx) => {
      const deletes =
        inv.args.some((a) => a.value === '-delete') ||
        inv.args.some(
          (a, i) =>
            /^-(?:exec|execdir|ok|okdir)$/.test(a.value ?? '') &&
            (/^(?:rm|shred|unlink)$/.test((inv.args[i + 1]?.value ?? '').replace(/^.*\//, '')) ||
              emptiesEach(inv.args.slice(i + 1).map((x) => x.value ?? ''))),
        );
      if (!deletes) return false;
      const starts = [];
      for (const a of inv.args) {
        if (/^[-(!]/.test(a.value ?? '-')) break;
        starts.push(a);
      }
      // a negated filter (`-not -path './.git/*'`, `! -name x`) keeps everything else: it does not narrow, nor
      // does a pattern that matches every name (`-name '*'`)
      const filtered = inv.args.some(
        (a, i) =>
          /^-(?:i?name|i?path|i?wholename|i?regex|newer|mtime|mmin|size|empty|user)$/.test(a.value ?? '') &&
          !/^(?:-not|!)$/.test(inv.args[i - 1]?.value ?? '') &&
          !/^(?:\*+|\.\*|\.\*\*?|\*\.\*|\?\*|\*\?|\[[a-z]-[a-z]\]\*|\[[a-zA-Z]-[a-zA-Z]\]\*)$/.test(
            inv.args[i + 1]?.value ?? '',
          ) &&
          // `-prune -o -delete`: the prune's filter only spares what it matches; everything else is deleted
          !(inv.args[i + 2]?.value === '-prune' && /^-o(?:r)?$/.test(inv.args[i + 3]?.value ?? '')),
      );
      for (const s of starts.length > 0 ? starts : [{ value: '.', text: '.' }]) {
        const abs = 'word' in s ? argPath(s, ctx) : ctx.cwd;
        if (abs === null) continue;
        const d = pathDanger(abs, ctx);
        if (d === 'root' || d === 'home' || d === 'parent' || d === 'git') return `start ${s.text}`;
        if (d === 'workspace' && !filtered) return `start ${s.text} without filters`;
      }
      return false;
    },
  },
  rm(
    'fs.rm-recursive-root',
    'root',
    'recursive delete of / or a system directory; delete only the specific files you created',
  ),
  rm(
    'fs.rm-recursive-home',
    'home',
    'recursive delete of the home directory; name the exact subdirectory instead',
  ),
  rm(
    'fs.rm-recursive-parent',
    'parent',
    'recursive delete of a directory that contains the workspace; stay inside the workspace',
  ),
  rm(
    'fs.rm-recursive-workspace',
    'workspace',
    'recursive delete of the whole workspace (., *, the repo root); delete specific paths instead',
  ),
  rm('fs.rm-git-dir', 'git', 'deletes the .git directory and all history; ask the user'),
  {
    id: 'fs.rm-recursive-computed',
    pack: 'fs',
    reason:
      'recursive delete of a path computed at run time ($(…) or xargs input) that could be anything, / included; delete a literal path',
    commands: ['rm'],
    match: (inv) => {
      if (!rmRecursive(inv)) return false;
      const hit = operands(inv).find(computedTarget);
      if (hit) return `target ${hit.text}`;
      if (inv.appendsArgs && inv.via.includes('xargs') && xargsFeed(inv) !== 'filtered')
        return `targets from ${inv.upstream[inv.upstream.length - 1]?.name ?? 'stdin'} via xargs`;
      return false;
    },
  },
  {
    id: 'fs.computed-target-lockdown',
    pack: 'fs',
    reason: 'lockdown: deletes or changes a path computed at run time ($(…)); use a literal path',
    commands: DESTRUCTIVE_OPERANDS,
    match: (inv, ctx) => {
      if (!ctx.lockdown) return false;
      const hit = operands(inv).find(computedTarget);
      return hit ? `target ${hit.text}` : false;
    },
  },
  rm(
    'fs.rm-unset-var',
    'unset-var',
    'recursive delete of "$VAR/…" becomes / when VAR is empty; use ${VAR:?} or a literal path',
  ),
  {
    id: 'fs.rsync-delete',
    pack: 'fs',
    reason:
      'rsync --delete into /, the home directory, the workspace or a directory that contains it deletes whatever the source lacks; sync into a subdirectory',
    commands: ['rsync'],
    match: (inv, ctx) => {
      if (!inv.args.some((a) => /^--(?:delete|del$|delete-\w+|remove-source-files)/.test(a.value ?? '')))
        return false;
      const ops = operands(inv, [
        '-e',
        '--rsh',
        '--exclude',
        '--include',
        '--filter',
        '-f',
        '--files-from',
        '--exclude-from',
        '--include-from',
        '--log-file',
        '--partial-dir',
        '--temp-dir',
        '-T',
        '--backup-dir',
        '--chmod',
        '--rsync-path',
      ]);
      const dest = ops[ops.length - 1];
      if (!dest || ops.length < 2 || /^[^/]*:/.test(dest.value ?? '')) return false;
      const abs = argPath(dest, ctx);
      if (abs === null) return computedTarget(dest) ? `destination ${dest.text}` : false;
      const d = pathDanger(abs, ctx);
      return d && d !== 'unset-var' ? `destination ${dest.text}` : false;
    },
  },
  {
    id: 'fs.shred',
    pack: 'fs',
    reason:
      'shred overwrites files beyond recovery (allowed only for named files in /tmp or test-data directories); use rm on files you created, or ask the user',
    commands: ['shred', 'srm', 'wipe'],
    match: (inv, ctx) => {
      const ops = operands(inv, ['-n', '-s', '--iterations', '--size', '--random-source']);
      if (ops.length === 0) return false;
      if (inv.name !== 'shred' && hasFlag(inv, 'rR', ['recursive'])) return 'recursive';
      // a named scratch file in /tmp or a made-up key under test/fixtures is no one's data
      const bad = ops.find((a) => !shreddable(a, ctx));
      return bad ? `target ${bad.text}` : inv.appendsArgs ? 'arguments appended at run time' : false;
    },
  },
  {
    id: 'fs.chmod-recursive-root',
    pack: 'fs',
    reason:
      'recursive permission or owner change on / , a system or home directory; limit it to the files that need it',
    commands: ['chmod', 'chown', 'chgrp', 'setfacl'],
    match: (inv, ctx) => {
      if (!hasFlag(inv, 'R', ['recursive'])) return false;
      for (const a of operands(inv)) {
        const abs = argPath(a, ctx);
        if (abs === null) continue;
        const d = pathDanger(abs, ctx);
        if (d === 'root' || d === 'home' || d === 'parent') return `target ${a.text}`;
      }
      return false;
    },
  },
  {
    id: 'fs.chmod-recursive-workspace',
    pack: 'fs',
    reason:
      'recursive chmod/chown that locks the user out of the workspace or .git (chmod -R 000, a-rwx, u-w; chown -R to another user); change only what needs it',
    commands: ['chmod', 'chown', 'chgrp'],
    match: (inv, ctx) => {
      if (!hasFlag(inv, 'R', ['recursive'])) return false;
      // with --reference the mode or owner comes from a file: not read here
      if (inv.args.some((a) => (a.value ?? '').startsWith('--reference'))) return false;
      const [spec, ...targets] = operands(inv, ['--from']);
      if (!spec) return false;
      if (inv.name === 'chmod' ? !modeLocksOut(spec.value) : ownedByUser(spec, ctx)) return false;
      for (const a of targets) {
        const p = argPath(a, ctx);
        const d = targetDanger(a, ctx) ?? (p !== null && posix.basename(p) === '.git' ? 'git' : null);
        if (d === 'workspace' || d === 'git' || d === 'parent') return `${spec.text} ${a.text}`;
      }
      return false;
    },
  },
  {
    id: 'fs.overwrite-all',
    pack: 'fs',
    reason:
      'empties every file of the workspace, the home or .git at once (`: | tee *`, `sed -i d $(git ls-files)`); edit files by name',
    commands: ['tee', 'sponge', 'sed', 'gsed'],
    match: (inv, ctx) => {
      const v = inv.args.map((a) => a.value ?? '');
      if (inv.name === 'sed' || inv.name === 'gsed') {
        const inPlace = v.some((x) => /^-[a-zA-Z]*i/.test(x) || x.startsWith('--in-place'));
        if (!inPlace || !v.some((x) => /^(?:\d*,?\$?d|1,\$d|d)$/.test(x))) return false;
      } else if (v.some((x) => x === '-a' || x === '--append')) return false;
      const all = operands(inv).find((a) => {
        if (a.word.parts.some((p) => p.k === 'cmdsub' && /\bgit\s+ls-files\b|\bfind\b/.test(p.raw)))
          return true;
        if (!a.glob) return false;
        const d = targetDanger(a, ctx);
        return d === 'workspace' || d === 'home' || d === 'git' || d === 'root';
      });
      return all ? `${inv.name} ${all.text}` : false;
    },
  },
  {
    id: 'fs.truncate',
    pack: 'fs',
    reason: 'truncate -s 0 destroys file contents; edit or delete the file explicitly, or ask the user',
    commands: ['truncate'],
    match: (inv, ctx) => {
      const v = inv.args.map((a) => a.value ?? '');
      const size = v.findIndex((x) => x === '-s' || x === '--size');
      const sz =
        size !== -1 ? v[size + 1] : v.find((x) => /^(?:-s|--size=)/.test(x))?.replace(/^(?:-s|--size=)/, '');
      if (sz === undefined || !/^(?:0+[KMGTkmgt]?B?|<.*|-.*|\/.*)$/.test(sz)) return false;
      const targets = operands(inv, ['-s', '--size', '-r', '--reference']);
      // emptying a log (`truncate -s 0 app.log`) is routine; appended (xargs) or computed targets are not
      if (inv.appendsArgs) return true;
      return targets.some((a) => {
        const abs = argPath(a, ctx);
        if (abs === null || a.glob) return true;
        return !/^\/(?:tmp|var\/tmp)\//.test(abs) && !/\.(?:log|out|err)(?:\.\d+)?$/.test(abs);
      });
    },
  },
];

export const _test = { rmRecursive, flags };

/**
 * A chmod mode that takes from the owner what a checkout needs: an octal mode whose owner digit is not 7 (`000`,
 * `644` makes directories unlistable, `555` read-only), or a symbolic one that removes from the owner (`u-w`,
 * `a-rwx`, `-x`) or sets the owner's bits to less than rwx (`u=r`). A computed mode is taken as one.
 */
function modeLocksOut(mode: string | null): boolean {
  if (mode === null) return true;
  if (/^[0-7]{1,4}$/.test(mode)) {
    const owner = mode.length >= 3 ? mode[mode.length - 3]! : '0';
    return owner !== '7';
  }
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!m) continue;
    const [, who, op, perms] = m as unknown as [string, string, string, string];
    const owner = who === '' || who.includes('u') || who.includes('a');
    if (!owner) continue;
    if (op === '-' && /[rwxX]/.test(perms)) return true;
    if (op === '=' && !(perms.includes('r') && perms.includes('w') && /[xX]/.test(perms))) return true;
  }
  return false;
}

/** A chown/chgrp spec naming the user running the command (`$USER`, `$(id -u):$(id -g)`, the home's name). */
function ownedByUser(spec: Arg, ctx: RuleContext): boolean {
  const raw = spec.word.raw.replace(/["']/g, '');
  const me = `(?:\\$\\{?(?:USER|LOGNAME|UID)\\}?|\\$\\((?:id -u|id -un|whoami|id -g|id -gn)\\)|${posix.basename(ctx.home)})`;
  return new RegExp(`^${me}?(?:[:.]${me}?)?$`).test(raw) && raw !== '' && raw !== ':';
}
