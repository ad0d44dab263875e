import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHost } from './host.js';

interface PinnedAgent {
  package: string;
  version: string;
  bin: string;
}

/** Agent CLIs pinned for the e2e tier (test/agents.json), installed by the provisioning script. */
export const PINNED_AGENTS = JSON.parse(
  readFileSync(new URL('../agents.json', import.meta.url), 'utf8'),
) as Record<string, PinnedAgent>;

/** The host directory holding one pinned agent CLI's node_modules. */
export function agentInstallDir(host: TestHost, name: string): string {
  const pinned = PINNED_AGENTS[name];
  if (!pinned) throw new Error(`agent ${name} is not pinned in test/agents.json`);
  return join(host.cache, 'agents', `${name}-${pinned.version}`);
}
