import { resolve } from 'node:path';
import type { AgentAdapter } from '../../agents/types.js';
import { SANDBOX_NODE_BINARIES } from '../../agents/sandbox-node.js';
import { isWithin } from '../util/paths.js';

/** Where the session directory (hint, hook settings, policy) appears inside the sandbox, read-only. */
export const SANDBOX_SESSION_DIR = '/run/ags';
/** Where the bundled in-sandbox programs (guards, shims) appear, read-only. */
export const SANDBOX_BIN_DIR = '/opt/ags/sandbox';
/** Where the persistent agent CLI installs appear, read-only. */
export const SANDBOX_TOOLS_DIR = '/opt/ags/tools';
/**
 * Where the directory of the secrets env file appears, read-only, in runs with secrets: apart from the
 * session dir, whose files the agent adapters point the agent at.
 */
export const SANDBOX_SECRETS_DIR = '/run/ags-secrets';
/** The directory of the dedicated ssh-agent's socket. */
export const SANDBOX_SSH_DIR = '/run/ags-ssh';
/** Where an in-process guard (pi, opencode) writes its load marker: a fresh, writable directory of the run. */
export const SANDBOX_GUARD_LOAD_DIR = '/run/ags-guard';
/** The marker's name in that directory. */
export const GUARD_LOAD_MARKER = 'loaded';
/** The directory of the auth proxy's socket and token (the sandbox's browser talks to the host through it). */
export const SANDBOX_AUTH_DIR = '/run/ags-auth';
/** The directory of the egress proxy's socket (the sandbox's only way out under the allowlist network). */
export const SANDBOX_NET_DIR = '/run/ags-net';

/** A container path no configured mount, workspace or -d directory may take over. */
export interface ReservedPath {
  path: string;
  what: string;
  /** Mounts below it are fine (the sandbox home); it may only not be replaced or covered. */
  insideAllowed?: boolean;
}

/**
 * ags's own control paths inside the sandbox: what holds the guard, its policy, the hook wiring and the agent
 * CLIs, plus each agent's system-wide settings directory (those outrank ags's wiring and could switch the guard
 * off). A mount that is one of them, lies inside one or contains one could replace what the guard relies on.
 */
export function reservedContainerPaths(home: string, adapters: readonly AgentAdapter[]): ReservedPath[] {
  const reserved: ReservedPath[] = [
    { path: SANDBOX_SESSION_DIR, what: "ags's session files: hook settings, guard policy" },
    { path: SANDBOX_SECRETS_DIR, what: "ags's secrets file" },
    { path: SANDBOX_SSH_DIR, what: "ags's ssh-agent socket" },
    { path: SANDBOX_GUARD_LOAD_DIR, what: "ags's guard load marker" },
    { path: SANDBOX_AUTH_DIR, what: "ags's auth proxy socket and token" },
    { path: SANDBOX_NET_DIR, what: "ags's egress proxy socket" },
    { path: '/opt/ags', what: "ags's guard bundles and agent CLIs" },
    { path: resolve(home), what: 'the sandbox home', insideAllowed: true },
    ...SANDBOX_NODE_BINARIES.map((path) => ({ path, what: 'what the guard hooks run with' })),
  ];
  for (const a of adapters) {
    for (const p of a.reservedPaths.home)
      reserved.push({ path: resolve(home, p), what: `ags's ${a.name} wiring` });
    for (const p of a.reservedPaths.system)
      reserved.push({ path: p, what: `${a.title}'s system-wide settings` });
  }
  return reserved;
}

/** How `target` collides with a reserved path, as words for a message, or null when it does not. */
export function reservedCollision(target: string, reserved: readonly ReservedPath[]): string | null {
  const t = resolve(target);
  for (const r of reserved) {
    if (t === r.path) return `is ${r.path} (${r.what})`;
    if (isWithin(r.path, t)) return `contains ${r.path} (${r.what})`;
    if (!r.insideAllowed && isWithin(t, r.path)) return `is inside ${r.path} (${r.what})`;
  }
  return null;
}
