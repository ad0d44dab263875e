import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { RuntimeError } from '../../errors.js';
import { podman } from './engine.js';

export interface ImageBuild {
  image: string;
  containerfile: string;
  /** Overrides the Containerfile's ARG BASE_IMAGE when set. */
  baseImage?: string;
  ociRuntime?: string;
  ulimits: string[];
}

/** The `podman build` argv for an ImageBuild. Pure. The build context is the Containerfile's directory. */
export function podmanBuildArgv(b: ImageBuild): string[] {
  const argv = ['build', '--tag', b.image, '--file', b.containerfile];
  if (b.baseImage) argv.push('--build-arg', `BASE_IMAGE=${b.baseImage}`);
  if (b.ociRuntime) argv.push(`--runtime=${b.ociRuntime}`);
  for (const u of b.ulimits) argv.push(`--ulimit=${u}`);
  argv.push(dirname(b.containerfile));
  return argv;
}

/** Builds the sandbox image, streaming podman's progress to stderr (stdout stays the agent's). */
export async function buildImage(b: ImageBuild): Promise<void> {
  if (!existsSync(b.containerfile)) {
    throw new RuntimeError(
      `Containerfile not found: ${b.containerfile}`,
      'fix sandbox.containerfile in the config',
    );
  }
  process.stderr.write(`ags: building image ${b.image} from ${b.containerfile}\n`);
  const r = await podman(podmanBuildArgv(b), { stdin: 'ignore', stdout: process.stderr, stderr: 'inherit' });
  if (r.exitCode !== 0) {
    throw new RuntimeError(
      `building image ${b.image} failed (podman build exit ${r.exitCode})`,
      'read the build output above; `ags update-image --base-image REF` picks another base image',
    );
  }
}
