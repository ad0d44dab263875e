import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { expansionEnv } from '../config/expand.js';
import { isWithin } from '../util/paths.js';

/**
 * The repositories ags has mounted as workspaces, so that one whose `.git` vanished is noticed: with the
 * `.git` gone (an agent inside can `rm -rf .git`), the walk up from a directory inside it reaches the next
 * repository above (a ~/projects holding every other project) and would mount that read-write. The file is
 * one real path a line, newest first, at most MAX_ENTRIES lines, mode 0600, replaced atomically; it is read
 * once per run and written only when the run's workspace is not already its first line.
 */

const MAX_ENTRIES = 256;
const MAX_BYTES = 256 * 1024;

export function workspaceMemoryPath(env: NodeJS.ProcessEnv): string {
  return join(expansionEnv(env).XDG_STATE_HOME!, 'ags', 'workspaces');
}

/** The remembered workspaces, newest first; none when the file is missing or unreadable. */
export function readWorkspaces(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .slice(0, MAX_BYTES)
    .split('\n')
    .filter((l) => l.startsWith('/'))
    .slice(0, MAX_ENTRIES);
}

/**
 * A former workspace that `workspace` (the directory this run would mount) strictly contains and that `cwd`
 * lies in: the run started inside a repository whose `.git` is gone, and the walk went on past it.
 */
export function formerWorkspaceAbove(workspace: string, cwd: string, remembered: string[]): string | null {
  return remembered.find((w) => w !== workspace && isWithin(w, workspace) && isWithin(cwd, w)) ?? null;
}

/** Puts `workspace` first in the file (a no-op when it is first already). */
export function rememberWorkspace(path: string, workspace: string, remembered: string[]): void {
  if (remembered[0] === workspace) return;
  const lines = [workspace, ...remembered.filter((w) => w !== workspace)].slice(0, MAX_ENTRIES);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.workspaces.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
