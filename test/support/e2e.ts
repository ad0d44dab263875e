import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installAgentsArgv } from '../../src/runtime/podman/install-agents.js';
import { runAgs } from './ags.js';
import { type TestHost, podman, runAsTestUser } from './host.js';

/** The image the e2e tier builds from config/Containerfile on the offline base. */
export const E2E_IMAGE = 'localhost/ags-e2e:latest';

/** The e2e image and tools volume persist in the test user's home between runs; update-* keep them current. */
export async function prepareE2eSandbox(
  host: TestHost,
  config: string,
  cwd: string,
  agents: string[],
  pinned: string[] = [],
): Promise<void> {
  const image = await runAgs(host, ['--config', config, 'update-image', '--base-image', host.image], {
    cwd,
    timeout: 900_000,
  });
  if (image.exitCode !== 0) throw new Error(`update-image failed: ${image.stderr}`);
  if (pinned.length > 0) {
    const dataDir = /^data_dir = "(.+)"$/m.exec(readFileSync(config, 'utf8'))?.[1];
    if (!dataDir) throw new Error(`${config} names no data_dir`);
    await installPinnedAgents(host, dataDir, pinned);
  }
  if (agents.length === 0) return;
  const tools = await runAgs(host, ['--config', config, 'update-agents', ...agents], {
    cwd,
    timeout: 900_000,
  });
  if (tools.exitCode !== 0) throw new Error(`update-agents failed: ${tools.stderr}`);
}

/**
 * Installs exact agent versions (`pkg@version`) into the e2e tools volume, for agents whose `@latest` does not
 * install from this machine's registry (`ags update-agents` always takes `@latest`). The same npm-in-the-sandbox
 * install `ags update-agents` does (installAgentsArgv), skipped when that version is already there.
 */
export async function installPinnedAgents(host: TestHost, dataDir: string, specs: string[]): Promise<void> {
  const toolsDir = join(dataDir, 'tools');
  const missing = specs.filter((spec) => {
    const at = spec.lastIndexOf('@');
    const manifest = join(toolsDir, 'lib', 'node_modules', spec.slice(0, at), 'package.json');
    return (
      !existsSync(manifest) ||
      (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version !== spec.slice(at + 1)
    );
  });
  if (missing.length === 0) return;
  const npmCacheDir = join(dataDir, 'npm-cache');
  await runAsTestUser(host, ['mkdir', '-p', toolsDir, npmCacheDir]);
  const caFile = '/etc/ssl/certs/ca-certificates.crt';
  const argv = installAgentsArgv({
    image: E2E_IMAGE,
    toolsDir,
    npmCacheDir,
    packages: missing,
    ulimits: [],
    ...(existsSync(caFile) ? { caFile } : {}),
  });
  // this host's engine options (OCI runtime, ulimits) go right after `run`
  argv.splice(1, 0, ...host.engineArgs);
  const r = await podman(host, argv, { timeout: 900_000 });
  if (r.exitCode !== 0) throw new Error(`installing ${missing.join(' ')} failed: ${r.stderr}`);
}
