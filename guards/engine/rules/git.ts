/** Pack `git`: commands that lose commits, uncommitted work or remote history. */
import { gitConfigEnvRunsCommand } from '../shell/run-options.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import type { Rule, RuleContext } from './types.js';
import { inScratchCopy } from './scratch-dirs.js';
import { isWithin, resolveLexical } from '../paths.js';

/**
 * A pathspec naming the whole work tree: `.`, `:/`, `*`, `:(top)`, `:/*`, or a path that is the workspace root or
 * above it (`..` from a subdirectory, `"$PWD"` at the root, `/work/ws`, `../ws`).
 */
function wholeTree(a: Arg, ctx: RuleContext, cwd: string): boolean {
  const v = a.value;
  if (v === null) return false;
  if (/^(?:\.\/?|:\/\*?|\*|:\(top\)\*?|:\(top\)\.)$/.test(v)) return true;
  if (v.startsWith(':') || v.startsWith('-')) return false;
  const abs = resolveLexical(v.replace(/\/+$/, '') || '/', { cwd, home: ctx.home });
  return (
    abs === ctx.workspace ||
    (abs !== '/' && isWithin(ctx.workspace, abs) && abs.length < ctx.workspace.length)
  );
}

const GLOBAL_WITH_ARG = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
  '--super-prefix',
]);

/** The git subcommand and its arguments, global options skipped. */
export function gitSub(inv: Invocation): { sub: string; args: Arg[] } | null {
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) return null;
    if (GLOBAL_WITH_ARG.has(v)) {
      i++;
      continue;
    }
    if (v.startsWith('-')) continue;
    return { sub: v, args: a.slice(i + 1) };
  }
  return null;
}

function subFlags(args: Arg[]): { short: Set<string>; long: Map<string, string | null>; pos: Arg[] } {
  const short = new Set<string>();
  const long = new Map<string, string | null>();
  const pos: Arg[] = [];
  let end = false;
  for (const a of args) {
    const v = a.value;
    if (!end && v !== null && v.startsWith('-') && v.length > 1) {
      if (v === '--') {
        end = true;
        continue;
      }
      if (v.startsWith('--')) {
        const eq = v.indexOf('=');
        long.set(eq === -1 ? v.slice(2) : v.slice(2, eq), eq === -1 ? null : v.slice(eq + 1));
      } else for (const c of v.slice(1)) short.add(c);
      continue;
    }
    pos.push(a);
  }
  return { short, long, pos };
}

/** A long option given by a unique prefix git accepts (`--disc` for `--discard-changes`), at least `min` letters. */
function longPrefix(long: Map<string, string | null>, full: string, min: number): boolean {
  for (const k of long.keys()) if (k.length >= min && full.startsWith(k)) return true;
  return false;
}

/** `git switch -f` / `--force` / `--discard-changes` throws away local changes to switch. */
function switchDiscards(f: ReturnType<typeof subFlags>): boolean {
  return f.short.has('f') || longPrefix(f.long, 'force', 3) || longPrefix(f.long, 'discard-changes', 3);
}

const git = (
  id: string,
  reason: string,
  match: (sub: string, args: Arg[], ctx: RuleContext, inv?: Invocation) => boolean | string,
): Rule => ({
  id,
  pack: 'git',
  reason,
  commands: ['git'],
  match: (inv, ctx) => {
    const s = gitSub(inv);
    return s ? match(s.sub, s.args, ctx, inv) : false;
  },
});

const TRUE = /^(?:true|yes|on|1)$/i;

/** `git -c remote.origin.mirror=true push`: a plain push that mirrors. */
function mirrorByConfig(inv: Invocation): string | false {
  for (let i = 0; i < inv.args.length - 1; i++) {
    if (inv.args[i]!.value !== '-c') continue;
    const kv = inv.args[i + 1]!.value ?? '';
    const m = /^remote\.(.+)\.mirror=(.*)$/i.exec(kv);
    if (m && TRUE.test(m[2]!)) return `-c ${kv}`;
    // a forced push refspec in config: `-c remote.origin.push=+refs/heads/*:refs/heads/*`
    const r = /^remote\..+\.push=\+[^:]*:?(.*)$/i.exec(kv);
    if (r && (r[1]!.includes('*') || PROTECTED.test(r[1]!))) return `-c ${kv}`;
  }
  return false;
}

/** `git config remote.origin.mirror true`: every later plain push to that remote mirrors. */
function configSetsMirror(args: Arg[]): boolean {
  const pos = args.map((a) => a.value ?? '').filter((v) => !v.startsWith('-'));
  const [key, value] = pos[0] === 'set' ? [pos[1], pos[2]] : [pos[0], pos[1]];
  return !!key && /^remote\..+\.mirror$/i.test(key) && value !== undefined && TRUE.test(value);
}

const PROTECTED =
  /^(?:refs\/heads\/)?(?:main|master|trunk|develop|production|prod|release(?:[-/_.].*)?|releases\/.*)$/;

function pushTargets(pos: Arg[], ctx: RuleContext): { dsts: string[]; forcedRefspec: boolean } {
  const dsts: string[] = [];
  let forcedRefspec = false;
  for (const a of pos.slice(1)) {
    let v = a.value ?? '\0';
    if (v.startsWith('+')) {
      forcedRefspec = true;
      v = v.slice(1);
    }
    const colon = v.lastIndexOf(':');
    let dst = colon === -1 ? v : v.slice(colon + 1);
    if (dst === 'HEAD' || dst === '@') dst = ctx.gitBranch() ?? '\0';
    dsts.push(dst);
  }
  return { dsts, forcedRefspec };
}

/** Git config keys whose value git runs as a command (or that point git at commands to run). */
const EXEC_KEY =
  /^(?:core\.(?:fsmonitor|hookspath|sshcommand|pager|editor|askpass|gitproxy|worktree)|sequence\.editor|credential\..*helper|gpg\.(?:.*\.)?program|diff\..+\.(?:textconv|command)|merge\..+\.driver|filter\..+\.(?:clean|smudge|process)|pager\..+|alias\..+|uploadpack\.packobjectshook|receive\.procreceiverefs|include\.path|includeif\..+\.path|init\.templatedir|remote\..+\.(?:uploadpack|receivepack)|protocol\.ext\.allow)$/i;

export const gitRules: Rule[] = [
  {
    id: 'git.config-env-exec',
    pack: 'git',
    reason:
      'git --config-env sets a key that makes git run a command (pager, editor, sshCommand, …) from a variable; ask the user',
    commands: ['git'],
    match: (inv) => {
      const hit = inv.args.find(
        (a) => a.value !== null && a.value.startsWith('--config-env=') && gitConfigEnvRunsCommand(a.value),
      );
      return hit ? hit.text : false;
    },
  },
  git(
    'git.rm-all',
    'git rm -r of the whole tree deletes every tracked file from disk; name the paths, or use --cached to untrack',
    (sub, args, ctx) => {
      if (sub !== 'rm') return false;
      const f = subFlags(args);
      if (!f.short.has('r') || f.long.has('cached') || f.short.has('n') || f.long.has('dry-run'))
        return false;
      const all = f.pos.find((a) => {
        const v = a.value;
        if (v === null) return false;
        if (v === '.' || v === './' || v === '*' || v === ':/' || v === ':' || v === '/') return true;
        const abs = v.startsWith('/') ? v : null;
        return abs !== null && (abs === ctx.workspace || abs === ctx.workspace + '/');
      });
      return all ? `pathspec ${all.text}` : false;
    },
  ),
  git(
    'git.config-exec',
    'sets a git config key that makes git run a command (hooksPath, fsmonitor, sshCommand, pager, ! aliases, filters, …); ask the user',
    (sub, args) => {
      if (sub !== 'config') return false;
      const f = subFlags(args);
      if (
        [...f.long.keys()].some((k) =>
          /^(?:get|get-all|get-regexp|list|unset|unset-all|remove-section|show-origin|name-only)$/.test(k),
        ) ||
        f.short.has('l')
      )
        return false;
      // the values of --file/-f, --blob, --type, --default, --comment are not the key
      const optValues = new Set(
        args.flatMap((a, i) =>
          /^(?:-f|--file|--blob|--type|--default|--comment)$/.test(a.value ?? '') ? [args[i + 1]] : [],
        ),
      );
      const pos = f.pos.filter((a) => a.value !== null && !optValues.has(a));
      // `git config set KEY VALUE` (git 2.46+) or `git config KEY VALUE`
      const [key, value] = pos[0]?.value === 'set' ? [pos[1], pos[2]] : [pos[0], pos[1]];
      if (!key?.value || !value) return false;
      if (/^alias\./i.test(key.value) && !(value.value ?? '!').startsWith('!')) return false;
      return EXEC_KEY.test(key.value) ? key.value : false;
    },
  ),
  git('git.reset-hard', 'discards uncommitted work; commit or stash first, or ask the user', (sub, args) => {
    if (sub !== 'reset') return false;
    return args.some((a) => a.value === '--hard' || a.value === '--merge');
  }),
  git(
    'git.push-mirror',
    'git push --mirror overwrites and deletes every remote ref; push named branches instead',
    (sub, args, ctx, inv) => {
      if (sub === 'push') return subFlags(args).long.has('mirror') || mirrorByConfig(inv!);
      return sub === 'config' && configSetsMirror(args) ? 'sets remote.*.mirror' : false;
    },
  ),
  git(
    'git.push-force',
    'force push rewrites a protected branch (main, master, release*) on the remote; push to a feature branch, or ask the user',
    (sub, args, ctx) => {
      if (sub !== 'push') return false;
      const f = subFlags(args);
      const flagForce =
        f.short.has('f') ||
        f.long.has('force') ||
        f.long.has('force-with-lease') ||
        f.long.has('force-if-includes');
      const { dsts, forcedRefspec } = pushTargets(f.pos, ctx);
      if (!flagForce && !forcedRefspec) return false;
      if (f.long.has('all') || f.long.has('branches')) return 'all branches';
      if (dsts.length === 0) {
        const cur = ctx.gitBranch();
        if (cur === null) return 'cannot tell which branch is pushed; name a non-protected branch explicitly';
        return PROTECTED.test(cur) ? `current branch ${cur}` : false;
      }
      const hit = dsts.find((d) => d === '\0' || d.includes('*') || PROTECTED.test(d));
      return hit === undefined ? false : hit === '\0' ? 'computed refspec' : `branch ${hit}`;
    },
  ),
  git('git.push-delete', 'deletes branches or tags on the remote; ask the user', (sub, args) => {
    if (sub !== 'push') return false;
    const f = subFlags(args);
    if (f.short.has('d') || f.long.has('delete')) return true;
    // --prune with a wildcard refspec deletes every remote ref the pattern covers that has no local match
    if (f.long.has('prune') && !f.short.has('n') && !f.long.has('dry-run')) {
      const wild = f.pos.slice(1).find((a) => (a.value ?? '').includes('*'));
      if (wild) return `--prune ${wild.text}`;
    }
    return f.pos.slice(1).some((a) => /^\+?:/.test(a.value ?? ''));
  }),
  git(
    'git.clean-force',
    'git clean -f deletes untracked files for good; run git clean -n first and delete specific files',
    (sub, args, ctx, inv) => {
      if (sub !== 'clean' || (inv && inScratchCopy(inv, ctx))) return false;
      const f = subFlags(args);
      if (f.short.has('n') || f.long.has('dry-run')) return false;
      return f.short.has('f') || f.long.has('force');
    },
  ),
  git(
    'git.branch-force-delete',
    'git branch -D deletes a branch even if it is not merged; use -d, or ask the user',
    (sub, args) => {
      if (sub !== 'branch') return false;
      const f = subFlags(args);
      return (
        f.short.has('D') ||
        ((f.short.has('d') || f.long.has('delete')) && (f.short.has('f') || f.long.has('force')))
      );
    },
  ),
  git(
    'git.checkout-discard',
    'discards uncommitted changes in the whole tree; commit or stash first, or name single files',
    (sub, args, ctx, inv) => {
      if (sub === 'switch') return switchDiscards(subFlags(args));
      if (sub !== 'checkout') return false;
      const f = subFlags(args);
      if (f.short.has('f') || longPrefix(f.long, 'force', 3)) return true;
      const dd = args.findIndex((a) => a.value === '--');
      const paths = dd === -1 ? f.pos : args.slice(dd + 1);
      return paths.some((a) => wholeTree(a, ctx, inv?.cwd ?? ctx.cwd));
    },
  ),
  git(
    'git.restore-worktree',
    'discards uncommitted changes in the whole tree; commit or stash first, or name single files',
    (sub, args, ctx, inv) => {
      if (sub !== 'restore') return false;
      const f = subFlags(args);
      if ((f.short.has('S') || f.long.has('staged')) && !(f.short.has('W') || f.long.has('worktree')))
        return false;
      return f.pos.some((a) => wholeTree(a, ctx, inv?.cwd ?? ctx.cwd));
    },
  ),
  git(
    'git.read-tree-reset',
    'replaces the work tree with another tree (read-tree -u --reset/-m), deleting tracked files and uncommitted changes; ask the user',
    (sub, args) => {
      if (sub !== 'read-tree') return false;
      const v = args.map((a) => a.value ?? '');
      return v.includes('-u') && (v.includes('--reset') || v.includes('-m'));
    },
  ),
  git(
    'git.stash-destroy',
    'drops stashed work for good; apply or list it first, or ask the user',
    (sub, args) => {
      if (sub !== 'stash') return false;
      const s = args.find((a) => !(a.value ?? '').startsWith('-'))?.value;
      return s === 'drop' || s === 'clear';
    },
  ),
  git(
    'git.reflog-expire',
    'expiring the reflog removes the way back to lost commits; ask the user',
    (sub, args) => sub === 'reflog' && args.some((a) => a.value === 'expire' || a.value === 'delete'),
  ),
  git(
    'git.gc-prune',
    'pruning unreachable objects now destroys recoverable commits; run plain git gc, or ask the user',
    (sub, args) => {
      if (sub === 'prune') return true;
      if (sub !== 'gc') return false;
      return args.some((a) => /^--prune=(?:now|all|0)/.test(a.value ?? '') || a.value === '--prune');
    },
  ),
  git(
    'git.filter-branch',
    'rewrites the whole history; ask the user',
    (sub) => sub === 'filter-branch' || sub === 'filter-repo',
  ),
  git(
    'git.update-ref-delete',
    'deletes a ref directly; use git branch -d, or ask the user',
    (sub, args, _ctx, inv) => {
      if (sub !== 'update-ref') return false;
      const f = subFlags(args);
      if (f.short.has('d') || f.long.has('delete')) return true;
      // `git update-ref refs/heads/main 000…0`: setting a ref to the null id deletes it
      if (f.pos.some((a, i) => i > 0 && /^0{40}(?:0{24})?$/.test(a.value ?? ''))) return 'set to the null id';
      if (!f.long.has('stdin')) return false;
      // `--stdin` reads commands: a literal `delete <ref>` line deletes; stdin the guard cannot read might
      const stdin = inv?.stdin;
      if (!stdin) return false;
      if (stdin.kind !== 'literal') return `--stdin from ${stdin.desc}`;
      return /(?:^|\n|\0)\s*delete\s/.test(stdin.text ?? '') ? 'delete via --stdin' : false;
    },
  ),
];
