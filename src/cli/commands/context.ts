import { join } from 'node:path';
import type { AgentName } from '../../../agents/types.js';
import { type BasicHostFacts, gatherHostFacts } from '../../host/facts.js';
import { imageExists } from '../../runtime/podman/engine.js';
import { buildImage } from '../../runtime/podman/image.js';
import { PACKAGE_ROOT } from '../../util/package-root.js';
import { xdgDirs } from '../../host/xdg.js';
import type { RunSettings } from '../../plan/inputs.js';
import type { SecretSpec } from '../../session/secrets.js';

export type RunSettingsWithSecrets = RunSettings & { secrets: SecretSpec[] };

/** The settings of a run on ags's built-in defaults (the config layer overrides them). */
export function defaultRunSettings(facts: BasicHostFacts, agent: AgentName): RunSettingsWithSecrets {
  const dirs = xdgDirs(facts.env, facts.home);
  return {
    image: 'localhost/ags:latest',
    network: { mode: 'slirp4netns', allowHostLoopback: false },
    runtime: { ulimits: [], pidsLimit: 4096, extraArgs: [] },
    agentHome: join(dirs.data, 'homes', agent),
    toolsDir: join(dirs.data, 'tools'),
    mounts: [],
    passthroughEnv: [],
    secretNames: [],
    secrets: [],
    agent: { args: [], env: {}, hostHome: false },
    guard: true,
  };
}

/** What every podman-using command starts from: host facts, and the settings from the merged config. */
export interface RunContext {
  facts: BasicHostFacts;
  settings: RunSettingsWithSecrets;
  /** The Containerfile to build the image from, and an optional BASE_IMAGE override. */
  containerfile: string;
  baseImage?: string;
}

export async function loadRunContext(agent: AgentName): Promise<RunContext> {
  const facts = await gatherHostFacts();
  return {
    facts,
    settings: defaultRunSettings(facts, agent),
    containerfile: join(PACKAGE_ROOT, 'config', 'Containerfile'),
  };
}

/** Builds the sandbox image when it is missing, saying so first. */
export async function ensureImage(ctx: RunContext): Promise<void> {
  if (await imageExists(ctx.settings.image)) return;
  process.stderr.write(`ags: image ${ctx.settings.image} is missing; building it now (first run only)\n`);
  await buildContextImage(ctx);
}

export async function buildContextImage(ctx: RunContext, baseImage = ctx.baseImage): Promise<void> {
  await buildImage({
    image: ctx.settings.image,
    containerfile: ctx.containerfile,
    ...(baseImage ? { baseImage } : {}),
    ...(ctx.settings.runtime.ociRuntime ? { ociRuntime: ctx.settings.runtime.ociRuntime } : {}),
    ulimits: ctx.settings.runtime.ulimits,
  });
}
