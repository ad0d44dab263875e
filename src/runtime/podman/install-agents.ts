import { SANDBOX_TOOLS_DIR } from '../../plan/reserved.js';
import { bindMountArg } from './mount-arg.js';

export interface AgentInstall {
  /** The container's name, and labels naming the ags process that owns it (see orphans.ts). */
  name: string;
  labels: Record<string, string>;
  image: string;
  toolsDir: string;
  npmCacheDir: string;
  packages: string[];
  ociRuntime?: string;
  ulimits: string[];
  /** The host's npm registry and CA bundle, so installs work behind the same proxies the host uses. */
  registry?: string;
  caFile?: string;
}

/**
 * The `podman run` argv that installs agent CLIs into the persistent tools volume. npm runs inside the sandbox
 * image (so native binaries match its libc), as the unprivileged user with every capability dropped, so the
 * packages' install scripts (Claude Code's puts its native binary in place) run in the sandbox, never on the host.
 */
export function installAgentsArgv(a: AgentInstall): string[] {
  // npm's output (a registry token in an error, say) is not kept in podman's storage either (see argv.ts)
  const argv = ['run', '--rm', '--log-driver=none', '--pull=never', `--name=${a.name}`];
  for (const [k, v] of Object.entries(a.labels)) argv.push(`--label=${k}=${v}`);
  if (a.ociRuntime) argv.push(`--runtime=${a.ociRuntime}`);
  for (const u of a.ulimits) argv.push(`--ulimit=${u}`);
  argv.push(
    '--userns=keep-id',
    '--cap-drop=all',
    '--security-opt=no-new-privileges',
    '--network=slirp4netns:allow_host_loopback=false',
    bindMountArg(a.toolsDir, SANDBOX_TOOLS_DIR, 'rw'),
    bindMountArg(a.npmCacheDir, '/tmp/ags-npm-cache', 'rw'),
    '--env=HOME=/tmp',
    '--env=npm_config_cache=/tmp/ags-npm-cache',
    '--env=npm_config_update_notifier=false',
    '--env=npm_config_fund=false',
    '--env=npm_config_audit=false',
  );
  if (a.registry) argv.push(`--env=npm_config_registry=${a.registry}`);
  if (a.caFile) {
    argv.push(
      bindMountArg(a.caFile, '/opt/ags/host-ca.pem', 'ro'),
      '--env=npm_config_cafile=/opt/ags/host-ca.pem',
      '--env=NODE_EXTRA_CA_CERTS=/opt/ags/host-ca.pem',
    );
  }
  argv.push(
    a.image,
    'npm',
    'install',
    '--global',
    `--prefix=${SANDBOX_TOOLS_DIR}`,
    '--no-audit',
    '--no-fund',
    ...a.packages,
  );
  return argv;
}
