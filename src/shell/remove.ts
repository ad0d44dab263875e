import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { wrapperTarget } from './wrappers.js';

/** The wrappers ags wrote in `dir`: regular files (never a symlink) whose second line is ags's marker. */
export function managedWrappers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => wrapperTarget(p).kind === 'managed');
}

/** Removes the wrappers ags wrote in `dir`; returns their paths. */
export function removeWrappers(dir: string, dryRun: boolean): string[] {
  const found = managedWrappers(dir);
  if (!dryRun) for (const p of found) rmSync(p);
  return found;
}
