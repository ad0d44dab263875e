import { type ReservedPath, reservedCollision } from '../plan/reserved.js';
import { hasControlChars, isWithin } from '../util/paths.js';
import type { AgsPath } from './ags-dirs.js';

/** The kernel's and devices' file systems: /proc shows the environment of the user's other processes. */
const KERNEL_DIRS = [
  { path: '/proc', what: "which exposes the user's other processes (their environment, memory, open files)" },
  { path: '/sys', what: "the kernel's settings and devices" },
  { path: '/dev', what: 'the devices of the host' },
];

/** What a host path handed to the sandbox is checked against. */
export interface MountSafety {
  /** The user's home directories (userHomes). */
  homes: string[];
  /** ags's own directories and files (agsOwnPaths). */
  agsPaths: AgsPath[];
  /** Container paths no mount may take over (reservedContainerPaths). */
  reserved: ReservedPath[];
}

/**
 * Why the host path `real` (a real path) must not be mounted into the sandbox, or null. The same rules hold
 * for the workspace, every -d directory and every configured mount source: never the file system root, nor
 * /proc, /sys, /dev (or anything inside them) or /run, never
 * the home directory or a directory containing it, nothing that is, contains or lies inside one of ags's own
 * directories. `samePath` adds the rule for directories mounted at their own path (the workspace and -d):
 * that path must not collide with ags's control paths inside the sandbox.
 */
export function hostPathProblem(real: string, s: MountSafety, samePath: boolean): string | null {
  if (hasControlChars(real)) return 'its name contains a control character';
  if (real === '/') return 'it is the root of the file system';
  for (const k of KERNEL_DIRS) {
    if (isWithin(real, k.path)) return `it ${real === k.path ? 'is' : 'is inside'} ${k.path}, ${k.what}`;
  }
  if (real === '/run') return "it is /run, which holds every user's runtime files (sockets, session secrets)";
  for (const home of s.homes) {
    if (real === home) return 'it is your home directory';
    if (isWithin(home, real)) return `it contains your home directory ${home}`;
  }
  for (const a of s.agsPaths) {
    const holds = a.holds ? ` (${a.holds})` : '';
    if (real === a.path) return `it is ${a.what}${holds}`;
    if (isWithin(a.path, real)) return `it contains ${a.what} ${a.path}${holds}`;
    if (isWithin(real, a.path)) return `it is inside ${a.what} ${a.path}${holds}`;
  }
  if (samePath) {
    const collision = reservedCollision(real, s.reserved);
    if (collision) return `it is mounted at the same path inside the sandbox, which ${collision}`;
  }
  return null;
}
