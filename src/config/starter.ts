import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RuntimeError, UsageError } from '../errors.js';
import { PACKAGE_ROOT } from '../util/package-root.js';
import { escapeText } from '../util/terminal-text.js';

/** The commented starter config `ags config init` writes; the same file ships as config/config.example.toml. */
export const STARTER_PATH = join(PACKAGE_ROOT, 'config', 'config.example.toml');

export function starterConfig(): string {
  return readFileSync(STARTER_PATH, 'utf8');
}

function shown(path: string): string {
  return escapeText(path, 4096);
}

/** Why a path cannot be written, in words, and whether that is the path's fault (usage) or the host's. */
function writeFailure(err: unknown, path: string): UsageError | RuntimeError {
  const code = (err as NodeJS.ErrnoException).code;
  const usage: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is not a directory',
    EEXIST: 'a part of the path is not a directory',
    EISDIR: 'it is a directory',
    ENAMETOOLONG: 'the path is too long',
    ELOOP: 'the path has a loop of symbolic links',
  };
  const hint = 'choose a path you can write: ags --config PATH config init';
  const reason = usage[code ?? ''];
  if (reason) return new UsageError(`cannot write the starter config ${shown(path)}: ${reason}`, hint);
  return new RuntimeError(
    `cannot write the starter config ${shown(path)}: ${code ?? (err as Error).message}`,
    hint,
  );
}

/**
 * `ags config init`: writes the starter file to `path`, creating its directory. An existing file is kept
 * unless `force`; a directory, device or FIFO at `path` is never written to. Every failure is one line.
 */
export function writeStarterConfig(path: string, force: boolean): void {
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) {
    throw new UsageError(
      `cannot write the starter config ${shown(path)}: it is a directory`,
      `give the file's path, for example: ags --config ${shown(join(path, 'config.toml'))} config init`,
    );
  }
  if (existing && !existing.isFile()) {
    throw new UsageError(
      `cannot write the starter config ${shown(path)}: it exists and is not a regular file`,
      'choose another path: ags --config PATH config init',
    );
  }
  if (existing && !force) {
    throw new UsageError(`${shown(path)} already exists`, 'use `ags config init --force` to overwrite it');
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw writeFailure(err, path);
  }
  try {
    // without --force, 'wx' also refuses a file that appeared since the check above
    writeFileSync(path, starterConfig(), { mode: 0o644, flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${shown(path)} already exists`, 'use `ags config init --force` to overwrite it');
    }
    throw writeFailure(err, path);
  }
}
