/**
 * Programs that run a shell command given as an option's value (`tar --checkpoint-action=exec=…`, `--to-command`,
 * `-I`; `rsync -e`; `ssh -o ProxyCommand=…`; `git -c core.pager=…`; `zip -TT`; `man -P`; `gdb -ex 'shell …'`;
 * `less +!…`; `rg --pre`; `sed`'s `e` command), and environment variables whose value programs run as a command
 * (`GIT_PAGER`, `GIT_SSH_COMMAND`, `PAGER`, `LESSOPEN`, `EDITOR`, …). The tables are data; the walker parses each
 * command found as shell, one level deeper, so every rule applies to it.
 */
import type { Arg, Invocation } from './invocation.js';
import { nullProto } from '../null-proto.js';

interface OptionSpec {
  /** The option names: `--long` (also `--long=value`), `-s` (also `-svalue`), or `+` for a `+value` argument. */
  opts: readonly string[];
  /** When given, only a value it matches runs, and its first group is the command (`exec=CMD`). */
  re?: RegExp;
}

const SSH_COMMAND_OPTION: OptionSpec = {
  opts: ['-o'],
  re: /^\s*(?:ProxyCommand|LocalCommand|KnownHostsCommand)\s*(?:=|\s)\s*([\s\S]+)$/i,
};

/** git config keys whose value git runs as a shell command (`-c KEY=VALUE` before the subcommand). */
const GIT_COMMAND_KEY =
  /^(?:core\.(?:pager|editor|sshcommand|fsmonitor|askpass|gitproxy)|diff\.external|sequence\.editor|pager\.[^=]+|(?:diff|merge)tool\.[^=]+\.cmd|diff\.[^=]+\.(?:command|textconv)|merge\.[^=]+\.driver|filter\.[^=]+\.(?:clean|smudge|process)|gpg\.(?:[^=]+\.)?program|credential\.(?:[^=]+\.)?helper|uploadpack\.packobjectshook)=!?([\s\S]+)$/i;

const OPTION_COMMANDS: Record<string, readonly OptionSpec[]> = nullProto({
  tar: [
    { opts: ['--checkpoint-action'], re: /^exec=([\s\S]+)$/ },
    {
      opts: [
        '--to-command',
        '-I',
        '--use-compress-program',
        '--info-script',
        '--new-volume-script',
        '-F',
        '--rsh-command',
      ],
    },
  ],
  rsync: [{ opts: ['-e', '--rsh'] }],
  ssh: [SSH_COMMAND_OPTION],
  scp: [SSH_COMMAND_OPTION, { opts: ['-S'] }],
  sftp: [SSH_COMMAND_OPTION, { opts: ['-S'] }],
  zip: [{ opts: ['-TT', '--unzip-command'] }],
  man: [{ opts: ['-P', '--pager', '-H', '--html'] }],
  flock: [{ opts: ['-c', '--command'] }],
  gdb: [
    {
      opts: ['-ex', '--ex', '-eval-command', '--eval-command', '-iex', '--init-eval-command'],
      re: /^\s*(?:shell|!)\s*([\s\S]+)$/,
    },
  ],
  less: [{ opts: ['+'], re: /^!([\s\S]+)$/ }],
  rg: [{ opts: ['--pre'] }],
  npx: [{ opts: ['-c', '--call'] }],
  npm: [{ opts: ['-c', '--call'] }],
  'nix-shell': [{ opts: ['--run', '--command'] }],
});

const RUNS_OPTIONS = new Set([...Object.keys(OPTION_COMMANDS), 'git', 'sed', 'gsed']);
const NONE: readonly OptionCommand[] = [];

export interface OptionCommand {
  /** The command text, or null when the value is computed at run time. */
  text: string | null;
  /** The argument that holds it. */
  arg: Arg;
  /** How it was reached, for messages (`tar --to-command`). */
  how: string;
}

function valueOf(opt: string, v: string, next: Arg | undefined): { value: string | null; arg?: Arg } | null {
  if (v === opt) return next ? { value: next.value, arg: next } : null;
  if (opt === '+') return v.startsWith('+') ? { value: v.slice(1) } : null;
  if (opt.startsWith('--')) return v.startsWith(opt + '=') ? { value: v.slice(opt.length + 1) } : null;
  if (opt.length === 2 && v.startsWith(opt) && v.length > 2 && !v.startsWith('--'))
    return { value: v.slice(2) };
  return null;
}

/** The shell commands `inv` runs through its options (empty for most commands). */
/** Subcommand options whose value git runs as a shell command: `rebase --exec/-x`, `difftool -x/--extcmd`, `bisect run`. */
function gitSubCommands(inv: Invocation): OptionCommand[] {
  const a = inv.args;
  const at = a.findIndex((x) => x.value !== null && !x.value.startsWith('-'));
  const sub = at === -1 ? null : a[at]!.value;
  const out: OptionCommand[] = [];
  if (sub === 'rebase' || sub === 'difftool' || sub === 'mergetool') {
    const opts = sub === 'rebase' ? ['--exec', '-x'] : ['--extcmd', '-x'];
    for (let i = at + 1; i < a.length; i++) {
      const v = a[i]!.value;
      if (v === null) continue;
      for (const opt of opts) {
        const got = valueOf(opt, v, a[i + 1]);
        if (got) out.push({ text: got.value, arg: got.arg ?? a[i]!, how: `git ${sub} ${opt}` });
      }
    }
  }
  if (sub === 'bisect' && a[at + 1]?.value === 'run' && a.length > at + 2) {
    const rest = a.slice(at + 2);
    const words = rest.map((x) => x.value);
    if (words.every((w): w is string => w !== null))
      out.push({ text: words.join(' '), arg: rest[0]!, how: 'git bisect run' });
    else out.push({ text: null, arg: rest[0]!, how: 'git bisect run' });
  }
  return out;
}

export function optionCommands(inv: Invocation): readonly OptionCommand[] {
  const n = inv.name;
  if (!RUNS_OPTIONS.has(n) || inv.args.length === 0) return NONE;
  // git's -c comes before the subcommand; sed's e command is rare
  if (n === 'git')
    return [...(inv.args[0]!.value?.startsWith('-') ? gitConfigCommands(inv) : NONE), ...gitSubCommands(inv)];
  if (n === 'sed' || n === 'gsed') return sedCommands(inv);
  const specs = OPTION_COMMANDS[n]!;
  const out: OptionCommand[] = [];
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) continue;
    if (v === '--') break;
    for (const spec of specs) {
      for (const opt of spec.opts) {
        const got = valueOf(opt, v, a[i + 1]);
        if (!got) continue;
        const arg = got.arg ?? a[i]!;
        if (got.value === null) {
          if (!spec.re) out.push({ text: null, arg, how: `${n} ${opt}` });
          continue;
        }
        const m = spec.re ? spec.re.exec(got.value) : null;
        if (spec.re && !m) continue;
        out.push({ text: m ? m[1]! : got.value, arg, how: `${n} ${opt}` });
      }
    }
  }
  return out;
}

/** `git -c KEY=CMD …` before the subcommand, for keys git runs as commands (aliases are followed elsewhere). */
function gitConfigCommands(inv: Invocation): OptionCommand[] {
  const out: OptionCommand[] = [];
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null || !v.startsWith('-')) break;
    if (v === '-C' || v === '--git-dir' || v === '--work-tree' || v === '--namespace') {
      i++;
      continue;
    }
    if (v !== '-c') continue;
    const next = a[++i];
    if (!next) break;
    if (next.value === null) {
      if (/^[A-Za-z.]+=/.test(next.word.raw) && GIT_COMMAND_KEY.test(next.word.raw.replace(/=.*$/s, '=x')))
        out.push({ text: null, arg: next, how: 'git -c' });
      continue;
    }
    const m = GIT_COMMAND_KEY.exec(next.value);
    if (m) out.push({ text: m[1]!, arg: next, how: `git -c ${next.value.split('=')[0]}` });
  }
  return out;
}

/** Whether `--config-env=KEY=VAR` names a key git runs as a command (its command comes from the environment). */
export function gitConfigEnvRunsCommand(v: string): boolean {
  const m = /^--config-env=([^=]+)=/.exec(v);
  return m !== null && GIT_COMMAND_KEY.test(`${m[1]}=x`);
}

/** GNU sed's `e COMMAND` and `s/…/…/e` (the replacement runs as a command) in its scripts. */
function sedCommands(inv: Invocation): OptionCommand[] {
  const a = inv.args;
  const scripts: Arg[] = [];
  let explicit = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === '-e' || v === '--expression') {
      explicit = true;
      if (a[i + 1]) scripts.push(a[++i]!);
    } else if (v !== null && v.startsWith('--expression=')) explicit = true;
    else if (v === '-f' || v === '--file') explicit = true;
  }
  if (!explicit) {
    const first = a.find((x) => x.value === null || !x.value.startsWith('-'));
    if (first) scripts.push(first);
  }
  const out: OptionCommand[] = [];
  for (const s of scripts) {
    if (s.value === null) continue;
    for (const piece of s.value.split(/[\n;]/)) {
      const t = piece.trim();
      const e = /^(?:\d+|\$|\/[^/]*\/)?(?:,(?:\d+|\$|\/[^/]*\/))?\s*e\s+([\s\S]+)$/.exec(t);
      if (e) out.push({ text: e[1]!, arg: s, how: 'sed e' });
      const sub =
        /^(?:\d+|\$|\/[^/]*\/)?(?:,(?:\d+|\$|\/[^/]*\/))?\s*s(.)(?:(?!\1).)*\1((?:(?!\1).)*)\1([a-zA-Z0-9]*)$/.exec(
          t,
        );
      if (sub && sub[3]!.includes('e') && sub[2] !== '')
        out.push({ text: sub[2]!, arg: s, how: 'sed s///e' });
    }
  }
  return out;
}

/** Environment variables whose value programs run as a shell command. */
const COMMAND_VARS = new Set([
  'GIT_PAGER',
  'PAGER',
  'MANPAGER',
  'SYSTEMD_PAGER',
  'GIT_EDITOR',
  'EDITOR',
  'VISUAL',
  'FCEDIT',
  'GIT_SEQUENCE_EDITOR',
  'GIT_SSH_COMMAND',
  'GIT_SSH',
  'GIT_EXTERNAL_DIFF',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'SUDO_ASKPASS',
  'GIT_PROXY_COMMAND',
  'LESSOPEN',
  'LESSCLOSE',
  'BASH_ENV',
  'ENV',
  'PROMPT_COMMAND',
  'RSYNC_RSH',
  'BROWSER',
  // not a command, but code: the dynamic loader runs the library in every program the command starts
  'LD_PRELOAD',
  'LD_AUDIT',
]);

/** For `NAME=VALUE` with NAME a command variable, the command programs will run; else null. */
export function commandVarText(name: string, value: string): string | null {
  // GIT_CONFIG_COUNT/KEY_n/VALUE_n inject config; a value may be a command (core.fsmonitor, core.sshCommand, alias)
  if ((!COMMAND_VARS.has(name) && !/^GIT_CONFIG_VALUE_\d+$/.test(name)) || value === '') return null;
  return name.startsWith('LESS') ? value.replace(/^\|\|?-?/, '') : value;
}
