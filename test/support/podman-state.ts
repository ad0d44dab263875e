import { existsSync } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type TestHost, podman } from './host.js';

/** Every directory where the test user's rootless podman keeps state, as podman itself reports it. */
export async function podmanStateDirs(host: TestHost, env: Record<string, string>): Promise<string[]> {
  const info = await podman(host, ['info', '--format', 'json'], { env });
  expect(info.exitCode, String(info.stderr)).toBe(0);
  const parsed = JSON.parse(String(info.stdout)) as {
    store: { graphRoot: string; runRoot: string; volumePath: string };
    host: { remoteSocket?: { path?: string } };
  };
  const socketDir = parsed.host.remoteSocket?.path ? join(parsed.host.remoteSocket.path, '..', '..') : null;
  const dirs = [
    join(parsed.store.graphRoot, '..'), // ~/.local/share/containers: storage, libpod/bolt_state.db
    parsed.store.runRoot,
    parsed.store.volumePath,
    join(host.home, '.config', 'containers'),
    `/tmp/podman-run-${host.uid}`,
    `/tmp/containers-user-${host.uid}`,
    `/run/user/${host.uid}`,
    env.XDG_RUNTIME_DIR!, // podman's libpod tmp dir (events, exit files) follows XDG_RUNTIME_DIR
    ...(socketDir ? [socketDir] : []),
  ];
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

/** When this test process began: a value made by the test cannot be in a file last written before it. */
const TEST_PROCESS_START_MS = Date.now() - performance.now();

/**
 * The regular files under `dirs` that contain `needle`. Searched in this process, so the needle never appears
 * in any process's argv (a test that looks for it there would find its own search), and only files written
 * since this test process began: a value it made up cannot be in an older file, and podman's image layers,
 * which grow with every image on the machine, are older.
 */
export async function filesContaining(dirs: string[], needle: string): Promise<string[]> {
  const wanted = Buffer.from(needle);
  const found: string[] = [];
  const visit = async (path: string): Promise<void> => {
    let st;
    try {
      st = await lstat(path);
    } catch {
      return; // removed while we looked
    }
    if (st.isDirectory()) {
      const entries = await readdir(path).catch(() => [] as string[]);
      for (const e of entries) await visit(join(path, e));
    } else if (st.isFile() && st.mtimeMs >= TEST_PROCESS_START_MS - 2000) {
      const content = await readFile(path).catch(() => null);
      if (content?.includes(wanted)) found.push(path);
    }
  };
  for (const d of new Set(dirs)) await visit(d);
  return found;
}

/** Polls `check` until it holds; throws after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
