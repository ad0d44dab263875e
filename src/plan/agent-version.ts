import type { AgentAdapter } from '../../agents/types.js';

/** Whether dotted version `a` is older than `b` (numeric parts; a pre-release suffix is ignored). */
export function olderVersion(a: string, b: string): boolean {
  const parts = (v: string) =>
    v
      .split('-')[0]!
      .split('.')
      .map((x) => Number.parseInt(x, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}

/**
 * What is wrong with guarding `version` of the agent, when it predates the oldest version whose guard wiring fails
 * closed (AgentAdapter.guardNeeds); null when it does not, or when the version is not known. A normal run says it
 * as a warning, a lockdown run refuses with it.
 */
export function guardVersionGap(adapter: AgentAdapter, version: string | undefined): string | null {
  const needs = adapter.guardNeeds;
  if (!needs || !version || !olderVersion(version, needs.version)) return null;
  return `${adapter.title} ${version} is older than ${needs.version}: ${needs.otherwise}; run \`ags update-agents ${adapter.name}\``;
}

/**
 * A lockdown run's line when it cannot tell the version of an agent whose guard needs one (a Containerfile or
 * PATH of the user's own, or a tools volume without the package's manifest); null otherwise.
 */
export function guardVersionUnknown(adapter: AgentAdapter, version: string | undefined): string | null {
  const needs = adapter.guardNeeds;
  if (!needs || version) return null;
  return `lockdown: ags cannot tell the version of the ${adapter.title} this run starts: if it is older than ${needs.version}, ${needs.otherwise}`;
}
