import { closeSync, constants, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Alias } from '../config/schema.js';
import { aliasWords } from './alias-set.js';
import { shQuote } from './quote.js';

/** The second line of every wrapper ags writes; only a regular file with it is ags's to update or remove. */
export const WRAPPER_MARKER =
  '# ags-managed-wrapper: written by `ags create-aliases`; `ags remove-aliases` removes it';

/** A POSIX sh script that runs the alias's ags command with the user's arguments after it, unchanged. */
export function renderWrapper(launcher: string, alias: Alias): string {
  const words = aliasWords(launcher, alias).map(shQuote).join(' ');
  return `#!/bin/sh\n${WRAPPER_MARKER}\nexec ${words} "$@"\n`;
}

export type TargetState =
  { kind: 'absent' } | { kind: 'managed'; content: string } | { kind: 'unmanaged'; why: string };

/** The most a wrapper ags wrote can be; a larger file is not one. */
const MAX_WRAPPER_BYTES = 64 * 1024;

/**
 * What is at `path`, never following a symlink: a symlink, a directory or any other non-regular file is not
 * ags's; a regular file is ags's only when its second line is the marker.
 */
export function wrapperTarget(path: string): TargetState {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  if (st.isSymbolicLink()) return { kind: 'unmanaged', why: 'a symbolic link' };
  if (!st.isFile())
    return { kind: 'unmanaged', why: st.isDirectory() ? 'a directory' : 'not a regular file' };
  if (st.size > MAX_WRAPPER_BYTES) return { kind: 'unmanaged', why: 'not made by ags' };
  const content = readNoFollow(path, st.size);
  if (content === null) return { kind: 'unmanaged', why: 'not readable' };
  return content.split('\n')[1] === WRAPPER_MARKER
    ? { kind: 'managed', content }
    : { kind: 'unmanaged', why: 'not made by ags' };
}

/** Reads a regular file without following a symlink swapped in since the lstat (O_NOFOLLOW). */
function readNoFollow(path: string, size: number): string | null {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(Math.min(size, MAX_WRAPPER_BYTES) + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export type WrapperAction = 'created' | 'updated' | 'unchanged' | 'skipped' | 'replaced';

export interface WrapperStep {
  name: string;
  path: string;
  action: WrapperAction;
  /** Why it is skipped or replaced. */
  why?: string;
  content: string;
}

/** What create-aliases does with each wrapper; pure given the targets' states. */
export function planWrappers(
  dir: string,
  aliases: readonly Alias[],
  launcher: string,
  force: boolean,
  stateOf: (path: string) => TargetState = wrapperTarget,
): WrapperStep[] {
  return aliases.map((alias) => {
    const path = join(dir, alias.name);
    const content = renderWrapper(launcher, alias);
    const state = stateOf(path);
    const step = { name: alias.name, path, content };
    if (state.kind === 'absent') return { ...step, action: 'created' };
    if (state.kind === 'managed')
      return { ...step, action: state.content === content ? 'unchanged' : 'updated' };
    // a directory is never replaced, even with --force
    if (force && state.why !== 'a directory') return { ...step, action: 'replaced', why: state.why };
    return { ...step, action: 'skipped', why: state.why };
  });
}
