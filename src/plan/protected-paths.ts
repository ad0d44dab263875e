import { dirname, join, relative } from 'node:path';
import type { ProtectedEntry, ProtectedGroup } from '../host/protected-facts.js';
import { ConfigError } from '../errors.js';
import { displayPath, isWithin } from '../util/paths.js';
import type { Mount } from './types.js';

/**
 * What the host executes later must not be writable from the sandbox: git's config and hooks (the user's next
 * `git status` runs `core.fsmonitor`, a checkout runs `post-checkout`) and the project settings a host agent or
 * editor loads. Pure: the protected host paths (src/host/protected-facts.ts) and the run's mounts in, the
 * read-only mounts that cover them out. A path is covered wherever a read-write mount makes it visible; a path
 * that does not exist is covered by an empty placeholder, so it cannot be created either.
 */
export interface Protections {
  /** `[sandbox] git_config = "writable"` turns the git protection off. */
  git: boolean;
  /** `[sandbox] writable_agent_config = true` turns the agent config protection off. */
  agentConfig: boolean;
}

export interface Placeholders {
  /** An empty read-only directory and an empty read-only file on the host (in the session dir). */
  dir: string;
  file: string;
  /** A read-only file holding PLACEHOLDER_GITIGNORE (for `.opencode/.gitignore`). */
  gitignore: string;
  /** A read-only file holding PLACEHOLDER_COMMONDIR (for an absent `.git/commondir`). */
  commondir: string;
}

/** The placeholders' names in the session dir (the file is a session file; run.ts makes the directory). */
export const PLACEHOLDER_FILE = 'protected-empty';
export const PLACEHOLDER_DIR = 'protected-empty.d';
export const PLACEHOLDER_GITIGNORE_FILE = 'protected-gitignore';
/** What the placeholder directory holds: what opencode writes into `.opencode/.gitignore`, ignoring itself too. */
export const PLACEHOLDER_GITIGNORE = 'node_modules\npackage.json\nbun.lock\n.gitignore\n';
export const PLACEHOLDER_COMMONDIR_FILE = 'protected-commondir';
/** `.git/commondir` naming the git dir itself: git reads it as it would no file (an empty one is an error). */
export const PLACEHOLDER_COMMONDIR = '.\n';

export const DEFAULT_PROTECTIONS: Protections = { git: true, agentConfig: true };

export const PROTECTION_OFF_WARNINGS: Record<ProtectedGroup, string> = {
  git: '[sandbox] git_config = "writable": the agent can change .git/config, .git/hooks and the hook managers\' files (.husky/, .pre-commit-config.yaml, lefthook, the scripts they name), which git on your host runs (ags lists what changed in .git after the run)',
  'agent-config':
    '[sandbox] writable_agent_config = true: the agent can change the project settings (.claude/, .vscode/, .envrc and what it loads, ...) that agents, editors and shells on your host load',
};

const isOn = (group: ProtectedGroup, p: Protections) => (group === 'git' ? p.git : p.agentConfig);

function refuse(message: string, group: ProtectedGroup): never {
  throw new ConfigError(
    message,
    group === 'git'
      ? 'ags keeps git config and hooks read-only; mount that path read-only, or set `[sandbox] git_config = "writable"` in your user config'
      : 'ags keeps agent project settings read-only; mount that path read-only, or set `[sandbox] writable_agent_config = true` in your user config',
  );
}

/**
 * The mounts that protect `entries` inside the read-write `mounts` (those from outside ags: workspace, -d,
 * [[mount]]), to be added after them. Refuses a read-write mount whose source is or lies inside a protected
 * path, a mount (any mode) that would land on or inside a protected path, and a protected path that is a
 * symbolic link (a link is not a mount point: the agent could replace it).
 */
export function protectedMounts(
  entries: readonly ProtectedEntry[],
  mounts: readonly Mount[],
  protections: Protections,
  placeholders: Placeholders,
): Mount[] {
  const out: Mount[] = [];
  const active = entries.filter((e) => isOn(e.group, protections));
  for (const m of mounts) {
    for (const e of active) {
      if (!e.pin && m.mode === 'rw' && isWithin(m.source, e.path)) {
        refuse(
          `${m.why} ${displayPath(m.source)} would make ${displayPath(e.path)} (${e.what}) writable in the sandbox`,
          e.group,
        );
      }
    }
  }
  const targets: { target: string; e: ProtectedEntry }[] = [];
  const pins = new Map<string, Mount>();
  for (const m of mounts) {
    if (m.mode !== 'rw') continue;
    for (const e of active) {
      if (e.path === m.source || !isWithin(e.path, m.source)) continue;
      if (e.kind === 'symlink' || e.kind === 'other') {
        refuse(
          `${displayPath(e.path)} (${e.what}) is ${e.kind === 'symlink' ? 'a symbolic link' : 'neither a file nor a directory'}: ags cannot keep it read-only (the agent could replace it)`,
          e.group,
        );
      }
      const target = join(m.target, relative(m.source, e.path));
      const absent = e.kind === 'absent';
      const source = absent ? placeholders[e.placeholder] : e.path;
      out.push({
        source,
        target,
        mode: e.pin ? 'rw' : 'ro',
        why: e.pin
          ? `pinned: ${e.what}`
          : `read-only: ${e.what}${absent ? ' (absent: an empty placeholder)' : ''}`,
        showInHint: false,
        ...(absent && e.placeholder === 'commondir' ? { pointContent: PLACEHOLDER_COMMONDIR } : {}),
      });
      targets.push({ target, e });
      for (const dir of ancestorsWithin(e, m.source)) {
        const pinTarget = join(m.target, relative(m.source, dir));
        if (shadowed(pinTarget, m, mounts)) continue;
        pins.set(pinTarget, {
          source: dir,
          target: pinTarget,
          mode: 'rw',
          why: `pinned: a directory above ${e.what}`,
          showInHint: false,
        });
      }
    }
  }
  // nothing configured may land on or inside a covered path (podman mounts deeper targets later, on top)
  for (const m of mounts) {
    for (const { target, e } of targets) {
      if (!e.pin && isWithin(m.target, target)) {
        refuse(
          `${m.why} mounted at ${displayPath(m.target)} would cover ${displayPath(target)} (${e.what})`,
          e.group,
        );
      }
    }
  }
  // pins first, outermost first, so every read-only mount lands above the pins of the directories holding it
  for (const m of out) if (m.mode === 'rw') pins.set(m.target, m);
  // a directory that is itself read-only (or lies in one) needs no pin, and a read-write one there would undo it
  const readOnly = out.filter((m) => m.mode === 'ro').map((m) => m.target);
  const byDepth = [...pins.values()]
    .filter((pin) => !readOnly.some((ro) => isWithin(pin.target, ro)))
    .sort((a, b) => depth(a.target) - depth(b.target));
  return [...byDepth, ...out.filter((m) => m.mode === 'ro')];
}

const depth = (p: string) => p.split('/').length;

/**
 * The directories between a mount's source (a mount point itself, so it cannot be renamed) and a protected path,
 * deepest first: each is pinned (a read-write mount onto itself) because renaming a directory moves the
 * read-only mounts inside it along, and the agent could then create a fresh copy at the original path. Above an
 * absent path, the directories that do not exist yet are pinned too: ags makes them (as the placeholder's mount
 * points, session/mountpoints.ts) before the sandbox starts and removes them after the run when still empty. An
 * absent path below something that is not a directory (no `existingParent`) has no mount point to pin.
 */
function ancestorsWithin(e: ProtectedEntry, root: string): string[] {
  const top = e.kind !== 'absent' || e.existingParent !== undefined ? dirname(e.path) : undefined;
  const out: string[] = [];
  if (top === undefined) return out;
  for (let d = top; d !== root && isWithin(d, root); d = dirname(d)) out.push(d);
  return out;
}

/** A pin target that another configured mount shows instead of `m` (or lands on) is left to that mount. */
function shadowed(target: string, m: Mount, mounts: readonly Mount[]): boolean {
  return mounts.some(
    (o) => o !== m && o.target !== m.target && isWithin(o.target, m.target) && isWithin(target, o.target),
  );
}

/** The warnings a run with a protection turned off prints at start. */
export function protectionWarnings(protections: Protections): string[] {
  return (['git', 'agent-config'] as const)
    .filter((g) => !isOn(g, protections))
    .map((g) => PROTECTION_OFF_WARNINGS[g]);
}
