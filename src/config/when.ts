import type { AgentName } from './agents.js';
import { AGENT_NAMES } from './agents.js';

/** What a run is, as far as `when` conditions care. */
export interface RunContext {
  agent: AgentName;
  lockdown: boolean;
}

/**
 * Whether a [[mount]], [[agent_mount]] or [[tool]] entry applies to a run.
 * - Agent names in `when` limit the entry to those agents (none listed: every agent).
 * - "normal" / "lockdown" in `when` limit it to those run modes. With no mode listed, the entry applies to
 *   normal runs, and to lockdown runs only when `lockdown.allow_mounts` is true.
 * - An [[agent_mount]] applies only to its own agent.
 */
export function entryApplies(
  entry: { when?: readonly string[] | undefined; agent?: AgentName },
  run: RunContext,
  lockdownAllowMounts: boolean,
): boolean {
  if (entry.agent !== undefined && entry.agent !== run.agent) return false;
  const when = entry.when ?? [];
  const agents = when.filter((w) => (AGENT_NAMES as readonly string[]).includes(w));
  if (agents.length > 0 && !agents.includes(run.agent)) return false;
  const modes = when.filter((w) => w === 'normal' || w === 'lockdown');
  if (modes.length > 0) return modes.includes(run.lockdown ? 'lockdown' : 'normal');
  return run.lockdown ? lockdownAllowMounts : true;
}
