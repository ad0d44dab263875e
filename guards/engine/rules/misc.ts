/** Pack `misc`: fork bombs, killing every process, wiping shell history, and deleting the home's config and data. */
import { posix } from 'node:path';
import { argPath, hasFlag, operands } from './args.js';
import type { Rule } from './types.js';
import { writesOf } from './writes.js';
import { codeForkLoop, fillsDisk } from './exhaustion.js';
import { codeKillsEveryProcess, pidsOfEveryProcess } from './processes.js';

const HISTORY =
  /^\.(?:bash|zsh|sh|ksh|python|node_repl|psql|mysql|sqlite|lesshst|rediscli)_?history$|^\.zhistory$|^\.histfile$/;
const HISTORY_COMMANDS = new Set(['history', 'unset', 'export', 'declare', 'typeset']);
const DELETERS = new Set(['rm', 'shred', 'unlink', 'truncate', 'ln']);
/** Where every tool keeps its settings and data: deleting them whole is deleting the home in all but name. */
export const HOME_DATA = ['.config', '.local', '.local/share', '.local/state', '.cache'];
/** The coding agents' own homes: settings, memory, sessions, and the hooks the user relies on. */
const AGENT_HOMES = [
  '.claude',
  '.codex',
  '.gemini',
  '.pi',
  '.pi/agent',
  '.config/opencode',
  '.local/share/opencode',
  '.local/state/opencode',
  '.opencode',
  '.cursor',
  '.aider',
  '.continue',
  '.config/claude',
];
/** Agent state kept in one file in the home. */
const AGENT_FILES = ['.claude.json'];

export const miscRules: Rule[] = [
  {
    id: 'misc.fork-bomb',
    pack: 'misc',
    reason:
      'fork bomb: a function that runs itself concurrently, or an endless loop that starts processes, exhausts the sandbox; start a bounded number of jobs',
    match: (inv) => {
      if (inv.spawnsItself) return `${inv.name || 'a computed command'} started without bound`;
      const loop = inv.code?.text ? codeForkLoop(inv.code.text) : null;
      return loop ?? false;
    },
  },
  {
    id: 'misc.fill-disk',
    pack: 'misc',
    reason:
      'fills the disk from an endless source (dd from /dev/zero without count, yes or /dev/urandom into a file, fallocate of 1 GiB+); write a bounded amount',
    match: (inv, ctx) => fillsDisk(inv, ctx),
  },
  {
    id: 'misc.kill-all',
    pack: 'misc',
    reason:
      "kills every process you can signal (-1), init (1) or all of a user's processes, the agent included; kill the PIDs you started",
    commands: ['kill', 'pkill', 'killall', 'killall5', 'skill', 'slay'],
    match: (inv) => {
      if (inv.name === 'killall5') return true;
      if (inv.name === 'kill' || inv.name === 'skill') {
        const listed = pidsOfEveryProcess(inv);
        if (listed) return listed;
        const a = inv.args.map((x) => x.value);
        let i = 0;
        // the first option is the signal (-9, -KILL, -s KILL, -n 9)
        if (a[0] === '-s' || a[0] === '-n' || a[0] === '--signal') i = 2;
        else if (a[0] !== undefined && a[0] !== null && /^-[A-Za-z0-9]+$/.test(a[0]) && a.length > 1) i = 1;
        if (a[i] === '--') i++;
        const pids = a.slice(i);
        const all = pids.find((p) => p === '-1' || p === '1' || p === '0');
        return all !== undefined ? `pid ${all}` : false;
      }
      // pkill/killall -u USER without a pattern, or a pattern that matches every process name
      const ops = operands(inv, [
        '-u',
        '-U',
        '-g',
        '-G',
        '-P',
        '-s',
        '-t',
        '--signal',
        '--euid',
        '--uid',
        '--parent',
      ]);
      const byUser = inv.args.some((x) => /^(?:-u|-U|--euid|--uid|--user)$/.test(x.value ?? ''));
      if (byUser && ops.length === 0) return 'every process of a user';
      const every = ops.find((o) => o.value !== null && /^(?:\.\*?|\.\+|\^?\.?\*?\$?|''|)$/.test(o.value));
      return every ? `pattern ${every.text}` : false;
    },
  },
  {
    id: 'code.kill-all',
    pack: 'code',
    reason:
      'inline code kills every process you can signal (pid -1 or 0, or each pid of /proc), the agent included; kill the PIDs you started',
    match: (inv) => (inv.code?.text ? (codeKillsEveryProcess(inv.code.text) ?? false) : false),
  },
  {
    id: 'misc.history-wipe',
    pack: 'misc',
    reason: 'wipes shell history (the record of what ran); leave it, or ask the user',
    match: (inv, ctx) => {
      if (HISTORY_COMMANDS.has(inv.name)) {
        const v = inv.args.map((a) => a.value ?? '');
        if (inv.name === 'history' && v.some((x) => /^-[a-z]*[cdw]/.test(x))) return `history ${v.join(' ')}`;
        if (v.some((x) => x === 'HISTFILE' || /^HIST(?:FILE|FILESIZE|SIZE)=(?:\/dev\/null|0|)$/.test(x)))
          return v.join(' ');
      }
      const writes = writesOf(inv, ctx);
      if (writes.length === 0 && !DELETERS.has(inv.name)) return false;
      const paths: string[] = writes.map((w) => w.path);
      if (DELETERS.has(inv.name))
        for (const a of operands(inv, ['-s', '--size'])) {
          const p = argPath(a, ctx);
          if (p !== null) paths.push(p);
        }
      const hit = paths.find((p) => HISTORY.test(posix.basename(p)) && posix.dirname(p) === ctx.home);
      return hit ? hit : false;
    },
  },
  {
    id: 'misc.rm-home-data',
    pack: 'misc',
    reason:
      "recursive delete of ~/.config, ~/.local or ~/.cache as a whole (every tool's settings and data); name the exact subdirectory instead",
    commands: ['rm', 'find'],
    match: (inv, ctx) => {
      const starts =
        inv.name === 'rm' ? (hasFlag(inv, 'rR', ['recursive']) ? operands(inv) : []) : findDeleteStarts(inv);
      for (const a of starts) {
        const p = deletedDir(a, ctx);
        if (p !== null && HOME_DATA.some((d) => p === `${ctx.home}/${d}`)) return `target ${a.text}`;
      }
      return false;
    },
  },
  {
    id: 'misc.rm-agent-home',
    pack: 'misc',
    reason:
      "recursive delete of a coding agent's home (~/.claude, ~/.codex, ~/.gemini, ~/.pi, opencode's data: settings, memory, sessions); name the exact file",
    commands: ['rm', 'find', 'mv'],
    match: (inv, ctx) => {
      const recursive = hasFlag(inv, 'rR', ['recursive']);
      const starts =
        inv.name === 'rm'
          ? operands(inv)
          : inv.name === 'mv'
            ? operands(inv, ['-S', '--suffix', '-t', '--target-directory']).slice(0, -1)
            : findDeleteStarts(inv);
      for (const a of starts) {
        const p = deletedDir(a, ctx);
        if (p === null) continue;
        // the directories need -r to go (mv moves them whole); ~/.claude.json is one file
        if ((recursive || inv.name !== 'rm') && AGENT_HOMES.some((d) => p === `${ctx.home}/${d}`))
          return `target ${a.text}`;
        if (AGENT_FILES.some((f) => p === `${ctx.home}/${f}`)) return `target ${a.text}`;
      }
      return false;
    },
  },
];

/** The directory a delete argument removes: the path itself, or the directory of an "everything in" glob (`d/*`). */
function deletedDir(a: Parameters<typeof argPath>[0], ctx: Parameters<typeof argPath>[1]): string | null {
  const p = argPath(a, ctx);
  if (p === null) return null;
  if (a.glob && /^[.*?]*\*[.*?]*$/.test(posix.basename(p))) return posix.dirname(p);
  return p;
}

function findDeleteStarts(inv: Parameters<Rule['match']>[0]) {
  if (!inv.args.some((a) => a.value === '-delete' || a.value === '-exec')) return [];
  const out = [];
  for (const a of inv.args) {
    if (/^[-(!]/.test(a.value ?? '-')) break;
    out.push(a);
  }
  return out;
}
