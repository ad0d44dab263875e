import type { AgentAdapter } from '../../agents/types.js';
import type { Config } from '../config/index.js';
import { agentCommandLocation, assertAgentInstalled } from '../host/agent-install.js';
import type { HostFacts, RunRequest, RunSettings } from '../plan/inputs.js';
import type { LaunchPlan } from '../plan/types.js';
import { UsageError } from '../errors.js';

/** Whether the host can tell where the agent's command is: not with a Containerfile or a PATH of the user's own. */
function hostDecidesAgent(settings: RunSettings, config: Config): boolean {
  return !config.sandbox.containerfile && !settings.agent.env.PATH;
}

/** Where the run starts the agent's command from (see HostFacts.agentCommandAt). */
export function agentCommandAt(
  adapter: AgentAdapter,
  settings: RunSettings,
  config: Config,
): HostFacts['agentCommandAt'] {
  if (!hostDecidesAgent(settings, config)) return 'unknown';
  const at = agentCommandLocation(adapter, settings.toolsDir, settings.agentHome);
  return at === 'tools' || at === 'home' ? at : 'unknown';
}

/** What a run refuses before it prepares anything or starts a container. */
export function preflight(
  request: RunRequest,
  plan: LaunchPlan,
  adapter: AgentAdapter,
  settings: RunSettings,
  config: Config,
): void {
  if (request.tmux && !plan.tty) {
    throw new UsageError(
      '--tmux needs a terminal: stdin and stdout must both be one',
      'run it from a terminal, or without --tmux',
    );
  }
  // with a Containerfile of your own (or a PATH of your own for the agent) the image may carry the agent
  assertAgentInstalled(adapter, settings, hostDecidesAgent(settings, config));
}
