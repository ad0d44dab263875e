import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
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
import { z } from 'zod';
import { ConfigError, RuntimeError } from '../errors.js';

/**
 * The trust store: which overlay content the user accepted for which repository. An entry holds the
 * repository root (real path) and the SHA-256 of the exact overlay bytes; any edit to the overlay changes
 * the hash, so ags asks again. The file is JSON, mode 0600, replaced atomically on every write.
 */

const EntrySchema = z.object({
  repo: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  overlay: z.string(),
  trusted_at: z.string(),
});
const StoreSchema = z.object({ version: z.literal(1), entries: z.array(EntrySchema) });

export type TrustEntry = z.infer<typeof EntrySchema>;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readTrustStore(path: string): TrustEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`cannot read the trust store ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = StoreSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(
      `the trust store ${path} is damaged`,
      'delete it; ags will ask again before applying each repo overlay',
    );
  }
  return parsed.data.entries;
}

export function writeTrustStore(path: string, entries: TrustEntry[]): void {
  try {
    writeAtomically(path, entries);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new RuntimeError(
      `cannot write the trust store ${path}: ${(err as Error).message}`,
      'check that the directory is writable (it is $XDG_STATE_HOME/ags, normally ~/.local/state/ags)',
    );
  }
}

function writeAtomically(path: string, entries: TrustEntry[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.trust.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function isTrusted(entries: readonly TrustEntry[], repo: string, hash: string): boolean {
  return entries.some((e) => e.repo === repo && e.sha256 === hash);
}

/** Records that the user trusts this overlay content for this repository (replacing older content). */
export function addTrust(path: string, entry: Omit<TrustEntry, 'trusted_at'>, now = new Date()): void {
  const entries = readTrustStore(path).filter((e) => e.repo !== entry.repo);
  entries.push({ ...entry, trusted_at: now.toISOString() });
  entries.sort((a, b) => a.repo.localeCompare(b.repo));
  writeTrustStore(path, entries);
}

/** Forgets a repository; returns whether it was trusted. */
export function removeTrust(path: string, repo: string): boolean {
  const entries = readTrustStore(path);
  const kept = entries.filter((e) => e.repo !== repo);
  if (kept.length === entries.length) return false;
  writeTrustStore(path, kept);
  return true;
}
