import type { Config } from '../config/index.js';
import type { SandboxBackend } from './backend.js';
import { podmanBackend } from './podman/backend.js';

export type { SandboxBackend } from './backend.js';

/** The sandbox backend `[runtime] engine` selects (Podman is the only one so far). */
export function sandboxBackend(config: Config): SandboxBackend {
  switch (config.runtime.engine) {
    case 'podman':
      return podmanBackend(podmanOptions(config));
  }
}

function podmanOptions(config: Config) {
  return {
    ...(config.runtime.oci_runtime ? { ociRuntime: config.runtime.oci_runtime } : {}),
    ulimits: Object.entries(config.runtime.ulimits).map(([name, value]) => `${name}=${value}`),
  };
}
