import { readFileSync, readlinkSync } from 'node:fs';

/**
 * A process named so that a later process cannot take its place: pid, start time (clock ticks since boot), boot
 * id and pid namespace. A bare pid is reused; with these four, "is the owner still running?" has a safe answer.
 * Rendered as `pid:start:boot:pidns`, for a file in a session dir or a container label.
 */
export type ProcessIdentity = string;

function readOrNull(read: () => string): string | null {
  try {
    return read().trim();
  } catch {
    return null;
  }
}

let host: { boot: string; pidns: string } | null | undefined;

/** This boot and this pid namespace, read once; null where /proc cannot tell (then nothing is judged stale). */
function hostContext(): { boot: string; pidns: string } | null {
  if (host !== undefined) return host;
  const boot = readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidns = readOrNull(() => readlinkSync('/proc/self/ns/pid'))?.replace(/\D/g, '');
  host = boot && pidns ? { boot, pidns } : null;
  return host;
}

/** The start time of `pid` from /proc/PID/stat (field 22), or null when no such process runs (a zombie has ended). */
function startTime(pid: number): string | null {
  const stat = readOrNull(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return null;
  // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

/** The identity of a running process, or null when it is gone or /proc is unavailable. */
export function identityOf(pid: number): ProcessIdentity | null {
  const ctx = hostContext();
  const start = startTime(pid);
  return ctx && start ? `${pid}:${start}:${ctx.boot}:${ctx.pidns}` : null;
}

function parse(id: ProcessIdentity) {
  const m = /^(\d+):(\d+):([0-9a-f-]+):(\d+)$/.exec(id);
  return m ? { pid: Number(m[1]), start: m[2]!, boot: m[3]!, pidns: m[4]! } : null;
}

/** True when `id` names a process that is running now (the same one, not a later holder of its pid). */
export function isRunning(id: ProcessIdentity): boolean {
  const p = parse(id);
  const ctx = hostContext();
  if (!p || !ctx || p.boot !== ctx.boot || p.pidns !== ctx.pidns) return false;
  return startTime(p.pid) === p.start;
}

/**
 * True when the process `id` names has certainly ended: it ran in an earlier boot, or in this boot and pid
 * namespace with a pid that is now free or held by a process started at another time. What this process cannot
 * judge (another pid namespace's process, a malformed identity, no /proc) counts as not ended, so nothing that
 * may still be in use is cleaned up.
 */
export function hasEnded(id: ProcessIdentity): boolean {
  const p = parse(id);
  const ctx = hostContext();
  if (!p || !ctx) return false;
  if (p.boot !== ctx.boot) return true;
  if (p.pidns !== ctx.pidns) return false;
  return startTime(p.pid) !== p.start;
}

/** The pid an identity names, when it is well formed. */
export function pidOf(id: ProcessIdentity): number | null {
  return parse(id)?.pid ?? null;
}
