import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';

/** What scripts/provision-test-host.sh found and set up on this machine. */
export interface TestHost {
  /** The rootless user every container runs as. */
  user: string;
  uid: number;
  home: string;
  /** The offline base image in that user's store. */
  image: string;
  /** Engine options this host needs (OCI runtime, ulimits), probed by the provisioning script. */
  engineArgs: string[];
  /** Where expensive downloads (rootfs tarball, agent CLIs) are cached. */
  cache: string;
}

export const TEST_STATE = process.env.AGS_TEST_STATE ?? '/var/lib/ags-test';
export const REPO_ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export function hostFactsPath(): string {
  return join(TEST_STATE, 'host.json');
}

export function loadTestHost(): TestHost {
  const path = hostFactsPath();
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`sudo bash scripts/provision-test-host.sh\` first`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as TestHost;
}

/**
 * Prefixes a command so it runs as the rootless test user. When the tests already run as that user
 * (a developer's own account) the command runs unchanged.
 */
export function asTestUser(host: TestHost, command: string[]): string[] {
  if (process.getuid?.() !== 0) return command;
  return ['runuser', '-u', host.user, '--', ...command];
}

/** Runs a command as the test user from its home directory; never throws on a non-zero exit. */
export function runAsTestUser(host: TestHost, command: string[], options: Options = {}) {
  const [file, ...args] = asTestUser(host, command);
  return execa(file!, args, { cwd: host.home, reject: false, ...options });
}

/** `podman <args>` as the rootless test user. */
export function podman(host: TestHost, args: string[], options: Options = {}) {
  return runAsTestUser(host, ['podman', ...args], options);
}
