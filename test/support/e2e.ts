import { runAgs } from './ags.js';
import type { TestHost } from './host.js';

/** The image the e2e tier builds from config/Containerfile on the offline base. */
export const E2E_IMAGE = 'localhost/ags-e2e:latest';

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
  const tools = await runAgs(host, ['--config', config, 'update-agents', ...agents], {
    cwd,
    timeout: 900_000,
  });
  if (tools.exitCode !== 0) throw new Error(`update-agents failed: ${tools.stderr}`);
}
