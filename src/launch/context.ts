import { join } from 'node:path';
import type { Command } from 'commander';
import type { AgentName } from '../../agents/types.js';
import { type Config, type LoadOptions, type LoadedConfig, loadConfig } from '../config/index.js';
import { currentDirectory } from '../host/cwd.js';
import { type BasicHostFacts, hostFacts } from '../host/facts.js';
import { type SandboxBackend, sandboxBackend } from '../runtime/index.js';
import { PACKAGE_ROOT } from '../util/package-root.js';
import type { MountSafety } from '../host/mount-safety.js';
import { mountSafety } from './run-paths.js';
import { lockdownWanted } from './lockdown.js';
import { type RunSettingsWithSecrets, runSettingsFromConfig } from './run-settings.js';

/** What every podman-using command starts from: host facts, the merged config, and the settings it implies. */
export interface SandboxContext {
  facts: BasicHostFacts;
  loaded: LoadedConfig;
  config: Config;
  settings: RunSettingsWithSecrets;
  /** How this config runs sandboxes (src/runtime/). */
  backend: SandboxBackend;
  /** What the run's host paths (workspace, -d, mount sources) are checked against. */
  safety: MountSafety;
  /** A lockdown run (src/launch/lockdown.ts): decided from the flag and the user config, before any overlay. */
  lockdown: boolean;
  /** The Containerfile to build the image from, and the BASE_IMAGE to pass when it is ags's own. */
  containerfile: string;
  baseImage?: string;
}

/** The global --config value, wherever on the command line it was given. */
export function configPathOf(cmd: Command): string | undefined {
  return (cmd.optsWithGlobals() as { config?: string }).config;
}

/** What a run asks beyond the config: `--lockdown` and the `--secret` names. */
export interface RunAsk {
  lockdown: boolean;
  secrets: readonly string[];
}

export async function loadSandboxContext(
  agent: AgentName,
  configPath: string | undefined,
  checkWorkspace?: LoadOptions['checkWorkspace'],
  ask: RunAsk = { lockdown: false, secrets: [] },
): Promise<SandboxContext> {
  const cwd = currentDirectory();
  let lockdown = ask.lockdown;
  const loaded = await loadConfig({
    ...(configPath !== undefined ? { configPath } : {}),
    cwd,
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    ...(checkWorkspace ? { checkWorkspace } : {}),
    // lockdown is for repositories you do not trust: their overlay is not even opened
    readOverlay: (userConfig) => {
      lockdown = lockdownWanted(ask.lockdown, userConfig, agent);
      return !lockdown;
    },
  });
  const facts = hostFacts(cwd, loaded.repoRoot);
  const config = loaded.config;
  const own = config.sandbox.containerfile;
  const safety = mountSafety(config, loaded.userConfigPath, facts.env, facts.uid, facts.home);
  return {
    facts,
    loaded,
    config,
    safety,
    lockdown,
    settings: runSettingsFromConfig(
      config,
      agent,
      safety,
      { mode: 'create' },
      { lockdown, secrets: ask.secrets },
    ),
    backend: sandboxBackend(config),
    containerfile: own ?? join(PACKAGE_ROOT, 'config', 'Containerfile'),
    ...(own ? {} : { baseImage: config.sandbox.base_image }),
  };
}

/** Builds the sandbox image when it is missing, saying so first. */
export async function ensureImage(ctx: SandboxContext): Promise<void> {
  if (!(await ctx.backend.imageExists(ctx.settings.image))) await buildMissingImage(ctx);
}

export async function buildMissingImage(ctx: SandboxContext): Promise<void> {
  process.stderr.write(`ags: image ${ctx.settings.image} is missing; building it now (first run only)\n`);
  await buildContextImage(ctx);
}

export async function buildContextImage(ctx: SandboxContext, baseImage = ctx.baseImage): Promise<void> {
  await ctx.backend.buildImage({
    image: ctx.settings.image,
    containerfile: ctx.containerfile,
    ...(baseImage ? { baseImage } : {}),
  });
}
