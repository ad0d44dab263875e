import { PINNED_AGENTS } from './agents.js';
import { runAgs } from './ags.js';
import type { TestHost } from './host.js';

/** The image the e2e tier builds from config/Containerfile on the offline base. */
export const E2E_IMAGE = 'localhost/ags-e2e:latest';

/**
 * Agent versions the e2e tests install with `ags update-agents NAME@VERSION` into their persistent tools volume.
 * pi stays at 0.87.1: its 1.x releases depend on @earendil-works/pi-codemode and pi-mcp versions the registry here
 * lacks.
 */
export const E2E_AGENT_VERSIONS = {
  pi: '0.87.1',
  codex: '0.169.0',
  gemini: '0.61.0',
  opencode: '1.18.33',
} as const;

/** The e2e image and tools volume persist in the test user's home between runs; update-* keep them current. */
export async function prepareE2eSandbox(
  host: TestHost,
  config: string,
  cwd: string,
  /** `ags update-agents` arguments: names, optionally pinned (`pi@0.87.1`) */
  agents: string[],
): Promise<void> {
  const image = await runAgs(host, ['--config', config, 'update-image', '--base-image', host.image], {
    cwd,
    timeout: 900_000,
  });
  if (image.exitCode !== 0) throw new Error(`update-image failed: ${image.stderr}`);
  if (agents.length === 0) return;
  const tools = await runAgs(host, ['--config', config, 'update-agents', ...agents.map(pinnedAgent)], {
    cwd,
    timeout: 900_000,
  });
  if (tools.exitCode !== 0) throw new Error(`update-agents failed: ${tools.stderr}`);
}

/**
 * A bare name of an agent test/agents.json pins (Claude Code) becomes NAME@VERSION, so every e2e test runs the
 * version the tests were written against (the guard's http hook with `onFailure` needs 2.1.295 or later).
 */
function pinnedAgent(name: string): string {
  const pinned = PINNED_AGENTS[name];
  return pinned && !name.includes('@') ? `${name}@${pinned.version}` : name;
}

/** Config lines that point Claude Code in the sandbox at the mock model listening on the host's loopback. */
export function claudeAtMockToml(port: number): string {
  return [
    '[network]',
    'allow_host_loopback = true # test only: the mock model listens on the host loopback',
    '[agents.claude]',
    `env = { ANTHROPIC_BASE_URL = "http://10.0.2.2:${port}", ANTHROPIC_API_KEY = "sk-ant-test-not-a-secret", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1" }`,
  ].join('\n');
}
