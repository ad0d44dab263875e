import type { AgentName } from '../../../agents/types.js';
import { executeLaunch, planText, prepareLaunch } from '../../launch/launch.js';
import type { NetworkModeName } from '../../launch/network.js';
import { mark } from '../../util/timing.js';

export interface RunFlags {
  agent: AgentName;
  addDir: string[];
  defaults: boolean;
  tmux: boolean;
  root: boolean;
  yolo: boolean;
  dryRun: boolean;
  config?: string | undefined;
  network?: NetworkModeName | undefined;
  allowDomain: string[];
  lockdown: boolean;
  secret: string[];
}

/** `ags --agent <name> [flags] -- [agent args]`: the launch, or with --dry-run its plan. Returns the exit code. */
export async function runAgent(flags: RunFlags, agentArgs: string[]): Promise<number> {
  mark('cli parsed');
  const { dryRun, ...rest } = flags;
  const launch = await prepareLaunch({ ...rest, agentArgs }, dryRun);
  if (dryRun) {
    process.stdout.write(planText(launch));
    return 0;
  }
  return executeLaunch(launch);
}
