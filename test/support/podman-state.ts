import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
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

/** The files under `dirs` that contain `needle` (binary files too; sockets and FIFOs skipped). */
export async function filesContaining(dirs: string[], needle: string): Promise<string[]> {
  const r = await execa('grep', ['-rlaF', '-D', 'skip', '--', needle, ...dirs], { reject: false });
  // 0: found, 1: not found; 2 also comes from unreadable files, which a root test process has none of
  expect([0, 1], String(r.stderr)).toContain(r.exitCode);
  return String(r.stdout).split('\n').filter(Boolean);
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
