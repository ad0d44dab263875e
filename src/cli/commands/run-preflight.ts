import type { AgentAdapter } from '../../../agents/types.js';
import type { Config } from '../../config/index.js';
import { assertAgentInstalled } from '../../host/agent-install.js';
import type { RunRequest, RunSettings } from '../../plan/inputs.js';
import type { LaunchPlan } from '../../plan/types.js';
import { UsageError } from '../errors.js';

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
  assertAgentInstalled(adapter, settings, !config.sandbox.containerfile && !settings.agent.env.PATH);
}
