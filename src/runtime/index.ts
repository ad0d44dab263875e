import type { Config } from '../config/index.js';
import type { SandboxBackend } from './backend.js';
import type { PodmanOptions } from './podman/argv.js';
import { podmanBackend } from './podman/backend.js';

export type { SandboxBackend } from './backend.js';

/** The sandbox backend `[runtime] engine` selects (Podman is the only one so far). */
export function sandboxBackend(config: Config): SandboxBackend {
  switch (config.runtime.engine) {
    case 'podman':
      return podmanBackend(podmanOptions(config));
  }
}

/** `[runtime.podman]` as the backend's options. */
export function podmanOptions(config: Config): PodmanOptions {
  const p = config.runtime.podman;
  return {
    ...(p.oci_runtime ? { ociRuntime: p.oci_runtime } : {}),
    ulimits: Object.entries(p.ulimits).map(([name, value]) => `${name}=${value}`),
    extraArgs: p.extra_args,
  };
}
