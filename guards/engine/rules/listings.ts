/**
 * Listings fed into destructive commands: `git ls-files | xargs rm`, `docker rmi -f $(docker images -q)`. A listing
 * with no filter names everything (every tracked file, image, container, volume); one narrowed by a filter option,
 * an operand or a filter command in between (`--filter name=test-db`, `'*.orig'`, `| grep x`) names a chosen set.
 */
import type { Invocation } from '../shell/invocation.js';
import { operands } from './args.js';
import type { Rule } from './types.js';

interface Listing {
  /** The command and its subcommand words (`docker images`, `docker image ls`). */
  heads: readonly string[][];
  /** Options that narrow the list. */
  narrow: readonly string[];
  /** Options that take a separate value (so it is not read as an operand). */
  withArg?: readonly string[];
  /** How many operands (after the subcommand words) still list everything; more narrow it. */
  freeOperands?: number;
}

const CONTAINER = ['docker', 'podman', 'nerdctl'];
const each = (clis: string[], ...subs: string[][]) => clis.flatMap((c) => subs.map((s) => [c, ...s]));

/** Listing commands, as data. */
const LISTINGS: readonly Listing[] = [
  {
    heads: [['git', 'ls-files']],
    narrow: [
      '-m',
      '--modified',
      '-d',
      '--deleted',
      '-o',
      '--others',
      '-i',
      '--ignored',
      '-u',
      '--unmerged',
      '-k',
    ],
    withArg: ['-x', '--exclude', '-X', '--exclude-from', '--format'],
  },
  { heads: [['git', 'ls-tree']], narrow: [], withArg: ['--format', '--abbrev'], freeOperands: 1 },
  {
    heads: each(CONTAINER, ['images'], ['image', 'ls'], ['image', 'list']),
    narrow: ['-f', '--filter'],
    withArg: ['--format'],
  },
  {
    heads: each(CONTAINER, ['ps'], ['container', 'ls'], ['container', 'list']),
    narrow: ['-f', '--filter', '-l', '--latest', '--last', '-n'],
    withArg: ['--format'],
  },
  {
    heads: each(CONTAINER, ['volume', 'ls'], ['network', 'ls'], ['volume', 'list'], ['network', 'list']),
    narrow: ['-f', '--filter'],
    withArg: ['--format'],
  },
  {
    heads: [['kubectl', 'get']],
    narrow: ['-l', '--selector', '--field-selector'],
    withArg: ['-o', '--output', '-n', '--namespace', '--context'],
    freeOperands: 1,
  },
  // `ls | xargs rm -f` (the files of one directory, not recursive) is left to the rm rules
];

/** Commands that pass the list through a choice (`grep`, `head`, `sed`, `awk`). */
const FILTERS = /^(?:grep|egrep|fgrep|rg|ag|ack|awk|gawk|sed|head|tail|comm|join|cut|jq)$/;

function words(inv: Invocation): string[] {
  return [inv.name, ...inv.args.map((a) => a.value ?? '\0')];
}

/** 'everything' when `inv` is a listing without filters, 'filtered' when one with, null when no listing. */
export function listingScope(inv: Invocation): 'everything' | 'filtered' | null {
  const w = words(inv);
  for (const l of LISTINGS) {
    const head = l.heads.find((h) => h.every((x, i) => w[i] === x));
    if (!head) continue;
    const from = head.length - 1;
    const opts = inv.args.slice(from).map((a) => (a.value ?? '').split('=')[0]!);
    if (
      opts.some(
        (o) =>
          l.narrow.includes(o) ||
          (o.startsWith('-') &&
            !o.startsWith('--') &&
            [...o.slice(1)].some((c) => l.narrow.includes(`-${c}`))),
      )
    )
      return 'filtered';
    const ops = operands(inv, l.withArg ?? [], from);
    return ops.length > (l.freeOperands ?? 0) ? 'filtered' : 'everything';
  }
  return null;
}

/** What feeds a command's computed operands or xargs input: the listings behind them, filtered or not. */
export function feedScope(inv: Invocation): 'everything' | 'filtered' | null {
  const producers = [...inv.subs];
  if (inv.appendsArgs && inv.via.includes('xargs') && inv.upstream.length > 0)
    producers.push(inv.upstream[inv.upstream.length - 1]!);
  let scope: 'everything' | 'filtered' | null = null;
  for (const p of producers) {
    const chain = [...p.upstream, p];
    if (chain.some((c) => FILTERS.test(c.name))) {
      scope ??= 'filtered';
      continue;
    }
    for (const c of chain) {
      const s = listingScope(c);
      if (s === 'everything') return 'everything';
      if (s === 'filtered') scope = 'filtered';
    }
  }
  return scope;
}

/** Commands that delete what they are given, by the words that start them. */
const CONSUMERS: readonly string[][] = [
  ['rm'],
  ['shred'],
  ['unlink'],
  ['git', 'rm'],
  ...each(
    CONTAINER,
    ['rm'],
    ['rmi'],
    ['kill'],
    ['image', 'rm'],
    ['container', 'rm'],
    ['volume', 'rm'],
    ['network', 'rm'],
  ),
  ['kubectl', 'delete'],
];

export const listingRules: Rule[] = [
  {
    id: 'fs.delete-every-listed',
    pack: 'fs',
    reason:
      'deletes everything a listing names (every tracked file, image, container or volume); filter the list (a pathspec, --filter) or name what to delete',
    commands: ['rm', 'shred', 'unlink', 'git', 'kubectl', ...CONTAINER],
    match: (inv) => {
      const w = words(inv).filter((x, i) => i === 0 || !x.startsWith('-'));
      if (!CONSUMERS.some((c) => c.every((x, i) => w[i] === x))) return false;
      return feedScope(inv) === 'everything' ? `${w.slice(0, 2).join(' ')} of an unfiltered listing` : false;
    },
  },
];
