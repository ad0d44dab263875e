import { realpathSync } from 'node:fs';
import { delimiter, isAbsolute } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether `dir` is one of $PATH's directories (compared by real path). */
export function onPath(dir: string, pathVar: string | undefined): boolean {
  const target = real(dir);
  return (pathVar ?? '')
    .split(delimiter)
    .filter((d) => isAbsolute(d))
    .some((d) => real(d) === target);
}
