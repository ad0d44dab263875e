import { loadConfig } from '../../config/index.js';
import { currentDirectory } from '../../host/cwd.js';
import { hostFacts } from '../../host/facts.js';
import { ConfigError } from '../../errors.js';
import type { DoctorState } from './doctor-checks.js';
import { mountSafety } from '../../launch/run-paths.js';
import { type MountResolution, runSettingsFromConfig } from '../../launch/run-settings.js';
import { podmanOptions, sandboxBackend } from '../../runtime/index.js';

/**
 * What doctor starts from: the config and the settings a shell run would take from it, read without side
 * effects. A config that does not load, or a mount a run would refuse, becomes a finding, never an exit
 * before the checks; a `create = true` mount source is counted, not created.
 */
export async function doctorState(configPath: string | undefined): Promise<DoctorState> {
  const cwd = currentDirectory();
  const mounts: MountResolution = { mode: 'inspect', problems: [], wouldCreate: [] };
  try {
    const loaded = await loadConfig({
      ...(configPath !== undefined ? { configPath } : {}),
      cwd,
      env: process.env,
      interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    });
    const facts = hostFacts(cwd, loaded.repoRoot);
    const safety = mountSafety(loaded.config, loaded.userConfigPath, facts.env, facts.uid, facts.home);
    const settings = runSettingsFromConfig(loaded.config, 'shell', safety, mounts);
    return {
      sandbox: {
        facts,
        settings,
        backend: sandboxBackend(loaded.config),
        podman: podmanOptions(loaded.config),
        configFile: loaded.userConfigPath,
      },
      networkModes: [
        ...new Set([
          loaded.config.network.mode,
          ...Object.values(loaded.config.agents).flatMap((a) => (a.network.mode ? [a.network.mode] : [])),
        ]),
      ],
      mountProblems: mounts.problems,
      mountsToCreate: mounts.wouldCreate.length,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { configError: err, mountProblems: [], mountsToCreate: 0 };
  }
}
