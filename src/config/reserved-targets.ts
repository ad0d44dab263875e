import { ADAPTERS } from '../../agents/index.js';
import { reservedCollision, reservedContainerPaths } from '../plan/reserved.js';
import { errorAt, type SourceFile } from './errors.js';
import { isTable } from './merge.js';
import type { PathSegment } from './positions.js';

interface Target {
  /** The key to point at: `container`, or `host` when the container path defaults to it. */
  key: PathSegment[];
  target: string;
}

/** Every container path a file's mounts, agent mounts, tools and tool directories would mount at. */
function targets(raw: Record<string, unknown>): Target[] {
  const out: Target[] = [];
  const entry = (e: unknown, at: PathSegment[], fallback: (e: Record<string, unknown>) => unknown) => {
    if (!isTable(e)) return;
    const given = typeof e.container === 'string';
    const target = given ? e.container : fallback(e);
    if (typeof target === 'string') out.push({ key: [...at, given ? 'container' : 'host'], target });
  };
  const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  list(raw.mount).forEach((m, i) => entry(m, ['mount', i], (e) => e.host));
  list(raw.agent_mount).forEach((m, i) => entry(m, ['agent_mount', i], (e) => e.host));
  list(raw.tool).forEach((t, i) => {
    if (!isTable(t)) return;
    const name = t.name;
    out.push(
      typeof t.container === 'string'
        ? { key: ['tool', i, 'container'], target: t.container }
        : { key: ['tool', i, 'name'], target: `/usr/local/bin/${String(name)}` },
    );
    list(t.directory).forEach((d, j) => entry(d, ['tool', i, 'directory', j], (e) => e.host));
  });
  return out;
}

/**
 * Refuses (located, like every config error) a mount whose container path is, lies inside or contains one of
 * ags's control paths (src/plan/reserved.ts): the session files, the guard bundles and agent CLIs, the ssh
 * socket, the sandbox home, each agent's hook wiring and system-wide settings. `raw` is the file's keys with
 * host paths expanded (a missing `container` is the host path); `home` is the sandbox home.
 */
export function checkReservedTargets(file: SourceFile, raw: Record<string, unknown>, home: string): void {
  const reserved = reservedContainerPaths(home, Object.values(ADAPTERS));
  for (const { key, target } of targets(raw)) {
    const collision = reservedCollision(target, reserved);
    if (collision === null) continue;
    const what = key.at(-1) === 'container' ? `container path ${target}` : `mounted at ${target}, which`;
    throw errorAt(
      file.path,
      file.positions.locate(key),
      key,
      `${what} ${collision}`,
      'ags keeps that path for its own files; choose another `container` path',
    );
  }
}
