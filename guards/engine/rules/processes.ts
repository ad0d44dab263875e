/**
 * Which commands list every process (`ps -e`, `ps aux`, `pgrep .`, `ls /proc`), so that `kill $(ps -eo pid=)` or
 * `ps aux | awk '{print $2}' | xargs kill` is a kill of every process even though no `-1` is written; and inline
 * code that does the same (`os.kill(-1, 9)`, a loop over `/proc`). A stage that selects by name in between
 * (`grep node`, `awk '/vite/ …'`, `pgrep -f "vite --port"`) narrows the list: that is how one stops a dev server.
 */
import type { Invocation } from '../shell/invocation.js';
import { operands } from './args.js';

/** A pattern that matches any process name or pid line (`.`, `.*`, `''`, `^[0-9]+$`). */
const MATCHES_ALL = /^(?:\^?(?:\.[*+]?|\[0-9\][*+]?|\\d[*+]?)?\$?|\.\*|)$/;
/** ps options that select processes rather than format them. */
const PS_SELECT = /^(?:-[Cpqst]|--(?:pid|ppid|sid|tty|quick-pid)(?:=.*)?|-C\S+|-?[pq]\d[\d,]*)$/;

function psListsAll(inv: Invocation): boolean {
  const vals = inv.args.map((a) => a.value ?? '');
  if (vals.some((v) => PS_SELECT.test(v))) return false;
  return vals.some((v) =>
    /^-[a-zA-Z]*[eAa]|^-?[a-z]*[ax][a-z]*$|^--(?:everyone|all)$|^-[a-zA-Z]*[uU]$/.test(v),
  );
}

function pgrepListsAll(inv: Invocation): boolean {
  const ops = operands(inv, ['-u', '-U', '-g', '-G', '-P', '-s', '-t', '--euid', '--uid', '--parent', '-d']);
  const byUser = inv.args.some((a) => /^(?:-u|-U|--euid|--uid)$/.test(a.value ?? ''));
  if (ops.length === 0) return byUser;
  return ops.every((o) => o.value !== null && MATCHES_ALL.test(o.value));
}

function listsProc(inv: Invocation): boolean {
  if (inv.name !== 'ls' && inv.name !== 'find') return false;
  return inv.args.some((a) => /^\/proc\/?(?:\[0-9\]\*|\*)?$/.test(a.value ?? a.text));
}

/** A stage of a pipeline that keeps only some lines by a name (not `grep -v`, not a pid-shaped pattern). */
function narrows(inv: Invocation): boolean {
  if (['grep', 'egrep', 'fgrep', 'rg'].includes(inv.name)) {
    if (inv.args.some((a) => /^-[a-zA-Z]*v|^--invert-match$/.test(a.value ?? ''))) return false;
    const ops = operands(inv, ['-e', '-f', '-m', '-A', '-B', '-C', '--regexp']);
    const pat = inv.args.find((a, i) => inv.args[i - 1]?.value === '-e')?.value ?? ops[0]?.value ?? null;
    return pat === null || /[A-Za-z]{2}/.test(pat);
  }
  if (inv.name === 'awk' || inv.name === 'gawk' || inv.name === 'mawk') {
    const prog = inv.code?.text ?? operands(inv, ['-F', '-v', '-f'])[0]?.value ?? null;
    return prog === null || /\/[^/]*[A-Za-z]{2}[^/]*\/|~|==\s*"|\$[0-9]+\s*[=!]=|index\(|match\(/.test(prog);
  }
  if (inv.name === 'head') return true;
  return false;
}

/** True when the output of `inv` (with its upstream stages) is a list of every process. */
function listsEveryProcess(inv: Invocation): boolean {
  const stages = [...inv.upstream, inv];
  let all = false;
  for (const s of stages) {
    if ((s.name === 'ps' && psListsAll(s)) || (s.name === 'pgrep' && pgrepListsAll(s)) || listsProc(s))
      all = true;
    else if (all && narrows(s)) all = false;
  }
  return all;
}

/** `kill $(ps -eo pid=)`, `… | xargs kill`, `kill ${p#/proc/}` over `/proc/[0-9]*`: what lists every pid, or null. */
export function pidsOfEveryProcess(inv: Invocation): string | null {
  for (const s of inv.subs) if (listsEveryProcess(s)) return `pids from ${s.upstream[0]?.name ?? s.name}`;
  if (inv.appendsArgs && inv.upstream.length > 0 && listsEveryProcess(inv.upstream[inv.upstream.length - 1]!))
    return `pids from ${inv.upstream[0]!.name}`;
  for (const a of operands(inv, ['-s', '-n', '--signal']))
    if (a.glob && a.value === null) return `pids matching ${a.text}`;
    else if (a.glob && /[*?[]/.test(a.value ?? '')) return `pids matching ${a.text}`;
  return null;
}

/** Inline code that signals every process: pid -1 or 0, a process group 0/1, or a loop over `/proc` or psutil. */
const CODE_KILL_SPECIAL =
  /\b(?:os\.kill|os\.killpg|process\.kill|Process\.kill|posix_kill|Process\.kill)\s*\(\s*-?\s*[01]\s*[,)]|\bkill\s*\(?\s*(?:-?\d+|['"]?(?:-?[A-Z]+|\d+)['"]?)\s*,\s*-\s*1\b|\bsyscall\.Kill\(\s*-1\b/;
const CODE_KILL_CALL =
  /\b(?:os\.kill|os\.killpg|process\.kill|Process\.kill|posix_kill)\s*\(|\.kill\(\s*\)|\.terminate\(\s*\)|\bkill\s*\(?\s*['"]?(?:-?\d+|[A-Z]+)['"]?\s*,/;
const CODE_EVERY_PID =
  /['"]\/proc\/?\*?['"]|\bpsutil\.(?:process_iter|pids)\s*\(\s*\)|\bglob\s*\(?\s*['"]\/proc\//;

export function codeKillsEveryProcess(code: string): string | null {
  const special = CODE_KILL_SPECIAL.exec(code);
  if (special) return special[0];
  if (CODE_KILL_CALL.test(code) && CODE_EVERY_PID.test(code)) return 'kills each pid it lists';
  return null;
}
