/**
 * Programs that run a command given as their operands or as a string inside another language, as a table:
 * terminal multiplexers (`tmux new 'CMD'`, `tmux send-keys 'CMD' Enter`, `screen -dm CMD…`), file watchers
 * (`entr -s 'CMD'`), `git submodule foreach 'CMD'`, `make --eval '…$(shell CMD)…'`, the mysql client's
 * `system CMD` / `\! CMD`, and package scripts set to be run (`npm pkg set scripts.x='CMD'`). The walker parses each
 * as shell (text) or as an argv (words), one level deeper, so every rule applies to it.
 */
import type { Word } from './ast.js';
import type { Invocation } from './invocation.js';
import { nullProto } from '../null-proto.js';

export interface CommandString {
  how: string;
  /** A shell string, or null when it is computed at run time. */
  text?: string | null;
  /** An argv run without a shell. */
  words?: Word[];
}

interface Runner {
  /** Subcommands that run a command (empty: the command itself does). */
  subs: readonly string[];
  /** Options (before or after the subcommand) that take a value. */
  withArg: readonly string[];
  /** One operand is a shell string, several an argv (tmux); `shell`: always a string (joined); `argv`: always an argv. */
  form: 'one-string' | 'shell' | 'argv';
  /** Operands dropped from the end (`send-keys … Enter`). */
  trailing?: RegExp;
  /** An option that turns the operands into one shell string (`entr -s`). */
  shellFlag?: string;
}

const TMUX: Runner = {
  subs: [
    'new',
    'new-session',
    'new-window',
    'neww',
    'split-window',
    'splitw',
    'respawn-pane',
    'respawnp',
    'respawn-window',
    'respawnw',
    'run-shell',
    'run',
    'display-popup',
    'popup',
  ],
  withArg: ['-s', '-n', '-t', '-c', '-x', '-y', '-F', '-e', '-l', '-p', '-L', '-S', '-T'],
  form: 'one-string',
};
const TMUX_KEYS: Runner = {
  subs: ['send-keys', 'send'],
  withArg: ['-t', '-N', '-L', '-S', '-f'],
  form: 'shell',
  trailing: /^(?:Enter|C-m|C-j|KPEnter|\\n|\\r)$/,
};

const RUNNERS: Readonly<Record<string, readonly Runner[]>> = nullProto({
  tmux: [TMUX, TMUX_KEYS],
  byobu: [TMUX, TMUX_KEYS],
  screen: [{ subs: [], withArg: ['-S', '-c', '-e', '-h', '-p', '-T', '-t', '-s', '-X'], form: 'argv' }],
  entr: [{ subs: [], withArg: [], form: 'argv', shellFlag: '-s' }],
});

/** npm lifecycle scripts: run by `npm install`/`ci`/`pack`/`publish` without being asked for by name. */
export const LIFECYCLE =
  /^(?:pre|post)?(?:install|uninstall|prepare|preprepare|prepublish|prepublishOnly|pack|publish|dependencies|restart|shrinkwrap)$/;

/** The value-taking options of `make` and `mysql` that hold code. */
const MAKE_EVAL = ['--eval', '-E'];
const MYSQL_EXEC = ['-e', '--execute'];

function skip(a: Invocation['args'], i: number, withArg: readonly string[]): number {
  while (i < a.length && (a[i]!.value ?? '').startsWith('-') && a[i]!.value !== '-') {
    const v = a[i]!.value!;
    if (v === '--') return i + 1;
    // a value-taking option may end a cluster of flags (`screen -dmS name`)
    if (withArg.includes(v) || (/^-[A-Za-z]{2,}$/.test(v) && withArg.includes(`-${v[v.length - 1]}`))) i++;
    i++;
  }
  return i;
}

function fromRunner(inv: Invocation, r: Runner): CommandString | null {
  const a = inv.args;
  let i = skip(a, 0, r.withArg);
  if (r.subs.length > 0) {
    if (!r.subs.includes(a[i]?.value ?? '')) return null;
    i = skip(a, i + 1, r.withArg);
  }
  let rest = a.slice(i);
  if (r.trailing)
    while (rest.length > 0 && r.trailing.test(rest[rest.length - 1]!.value ?? '')) rest = rest.slice(0, -1);
  if (rest.length === 0) return null;
  const how = `${inv.name}${r.subs.length ? ' ' + a[i - 1]?.value : ''}`;
  const shellFlag = r.shellFlag !== undefined && a.slice(0, i).some((x) => x.value === r.shellFlag);
  if (shellFlag || (r.form === 'one-string' && rest.length === 1)) return { how, text: rest[0]!.value };
  if (r.form === 'shell')
    return { how, text: rest.every((x) => x.value !== null) ? rest.map((x) => x.value).join(' ') : null };
  return { how, words: rest.map((x) => x.word) };
}

/** `$(shell CMD)` calls and recipe lines of make text given with --eval. */
function makeShellCalls(text: string): string {
  const out: string[] = [];
  for (const m of text.matchAll(/\$[({]shell\s+([^)}]*)[)}]/g)) out.push(m[1]!);
  for (const line of text.split('\n')) {
    const r = /^[^:=#]+::?[^;=]*;(.*)$/.exec(line);
    if (r) out.push(r[1]!.replace(/^\s*[@+-]+/, ''));
    else if (line.startsWith('\t')) out.push(line.slice(1).replace(/^[@+-]+/, ''));
  }
  return out.join('\n');
}

/** Values of `OPT VALUE`, `OPT=VALUE` and `-OVALUE`. */
function optionValues(inv: Invocation, opts: readonly string[]): Array<string | null> {
  const out: Array<string | null> = [];
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) continue;
    for (const o of opts) {
      if (v === o) out.push(a[i + 1]?.value ?? null);
      else if (o.startsWith('--') && v.startsWith(o + '=')) out.push(v.slice(o.length + 1));
      else if (o.length === 2 && !v.startsWith('--') && v.startsWith(o) && v.length > 2) out.push(v.slice(2));
    }
  }
  return out;
}

/** Emacs Lisp calls that run or delete, as the shell commands they amount to. */
function elispCommands(code: string): string[] {
  const t = code.replace(/\(expand-file-name\s+("[^"]*")\s*\)/g, '$1');
  const word = (s: string) => (/^[\w./~@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const out: string[] = [];
  for (const m of t.matchAll(/\((?:shell-command(?:-to-string)?|async-shell-command)\s+"((?:[^"\\]|\\.)*)"/g))
    out.push(m[1]!.replace(/\\(.)/g, '$1'));
  for (const m of t.matchAll(
    /\((?:call-process|start-process|process-lines)\s+((?:"(?:[^"\\]|\\.)*"|nil|t|\s)+)/g,
  )) {
    const strs = [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!);
    if (strs.length > 0) out.push(strs.map(word).join(' '));
  }
  for (const m of t.matchAll(/\(delete-directory\s+"([^"]*)"\s*(t|nil)?/g))
    out.push(`rm ${m[2] === 't' ? '-rf' : '-d'} -- ${word(m[1]!)}`);
  for (const m of t.matchAll(/\(delete-file\s+"([^"]*)"/g)) out.push(`rm -f -- ${word(m[1]!)}`);
  return out;
}

/** The commands `inv` runs through its operands or embedded strings (empty for most commands). */
export function commandStrings(inv: Invocation): CommandString[] {
  const n = inv.name;
  const out: CommandString[] = [];
  for (const r of RUNNERS[n] ?? []) {
    const c = fromRunner(inv, r);
    if (c) out.push(c);
  }
  const v0 = inv.args[0]?.value;
  if (n === 'git' && v0 === 'submodule') {
    const i = inv.args.findIndex((x) => x.value === 'foreach');
    if (i !== -1) {
      const rest = inv.args.slice(i + 1).filter((x) => !/^--(?:recursive|quiet)$/.test(x.value ?? ''));
      if (rest.length > 0)
        out.push({
          how: 'git submodule foreach',
          text: rest.every((x) => x.value !== null) ? rest.map((x) => x.value).join(' ') : null,
        });
    }
  }
  if (n === 'make' || n === 'gmake')
    for (const t of optionValues(inv, MAKE_EVAL))
      out.push({ how: `${n} --eval`, text: t === null ? null : makeShellCalls(t) });
  if (n === 'mysql' || n === 'mariadb')
    for (const t of optionValues(inv, MYSQL_EXEC)) {
      if (t === null) continue;
      for (const m of t.matchAll(/(?:^|[;\n])\s*(?:system|\\!)\s+([^;\n]*)/g))
        out.push({ how: `${n} system`, text: m[1]! });
    }
  if (n === 'emacs' || n === 'emacsclient')
    for (const t of optionValues(inv, ['--eval', '-eval'])) {
      if (t === null) out.push({ how: `${n} --eval`, text: null });
      else for (const c of elispCommands(t)) out.push({ how: `${n} --eval`, text: c });
    }
  if ((n === 'npm' || n === 'pnpm') && v0 === 'pkg' && inv.args[1]?.value === 'set')
    for (const a of inv.args.slice(2)) {
      // a lifecycle script runs unasked: write.tool-config-exec reports that; a named one runs when asked for
      const m = /^scripts\.([^=]+)=([\s\S]*)$/.exec(a.value ?? '');
      if (m && !LIFECYCLE.test(m[1]!)) out.push({ how: `${n} pkg set scripts`, text: m[2]! });
    }
  return out;
}
