import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ADAPTERS, AGENT_NAMES } from '../../../agents/index.js';
import { installState } from '../../host/agent-install.js';
import { decideLimits } from '../../plan/limits.js';
import { containersConfFiles, podmanInitPath } from '../../runtime/podman/containers-conf.js';
import { podman } from '../../runtime/podman/engine.js';
import { displayPath } from '../../util/paths.js';
import { safeJson, scrubText } from '../../util/terminal-text.js';
import type { AgsError, ConfigError } from '../../errors.js';
import type { SandboxContext } from '../../launch/context.js';
import type { PodmanOptions } from '../../runtime/podman/argv.js';
import { startProbe } from './doctor-probe.js';
import type { NetworkModeName } from '../../launch/network.js';
import {
  allowlistFacts,
  allowlistNetworkFinding,
  noneNetworkFinding,
  openNetworkFinding,
} from './doctor-network.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** What one check found. */
export interface Finding {
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** What doctor knows before its checks, and what earlier checks learnt for later ones. */
export interface DoctorState {
  /** The config and what a run would take from it; absent when the config cannot be loaded. */
  sandbox?: Pick<SandboxContext, 'facts' | 'settings' | 'backend'> & {
    configFile: string | null;
    /** `[runtime.podman]`, which the checks name in their findings. */
    podman: PodmanOptions;
  };
  configError?: ConfigError;
  /** The network modes the config gives runs: `[network] mode` and every `[agents.X.network] mode`. */
  networkModes?: readonly NetworkModeName[];
  /** Config mounts a run would refuse; the probe runs without them. */
  mountProblems: ConfigError[];
  /** Mount sources a run would create (create = true); doctor creates nothing. */
  mountsToCreate: number;
  info?: PodmanInfo;
}

interface PodmanInfo {
  rootless: boolean;
  ociRuntime?: string;
  slirp4netns?: string;
  storageDriver?: string;
}

/** One row of the table: `needs` names the checks that must not have failed (or been left out) first. */
export interface Check {
  id: string;
  title: string;
  needs: readonly string[];
  run(state: DoctorState): Finding | Promise<Finding>;
}

const INIT_FIX =
  'install catatonit (Debian/Ubuntu: sudo apt install catatonit), or set [runtime] init = false in the config';

/** Known podman start failures and the config option that fixes each. */
export function diagnoseStartFailure(stderr: string): string | undefined {
  if (/container-init binary not found/i.test(stderr)) return INIT_FIX;
  if (/cgroups? in hybrid mode|crun.*cgroup/i.test(stderr)) {
    return 'this host needs another OCI runtime: set [runtime.podman] oci_runtime = "runc" in the config';
  }
  if (/setrlimit|RLIMIT_|ulimit/i.test(stderr)) {
    return 'podman\'s default ulimits cannot be applied here: set [runtime.podman] ulimits = { nofile = "1024:1024", nproc = "1024:1024" } (at or below `ulimit -Hn` / `ulimit -Hu`)';
  }
  if (/slirp4netns/i.test(stderr) && /not found|no such file/i.test(stderr)) {
    return 'install slirp4netns (Debian/Ubuntu: sudo apt install slirp4netns)';
  }
  if (/\/dev\/net\/tun/i.test(stderr)) return '/dev/net/tun must be readable and writable by your user';
  if (/seccomp profile is missing/i.test(stderr)) {
    return 'install the containers-common package (Debian and Ubuntu: golang-github-containers-common)';
  }
  if (/newuidmap|subuid|subgid|uid_map/i.test(stderr)) {
    return 'add subordinate id ranges for your user to /etc/subuid and /etc/subgid (sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER)';
  }
  return undefined;
}

const ok = (detail: string): Finding => ({ status: 'ok', detail });
const fail = (detail: string, fix?: string): Finding => ({ status: 'fail', detail, ...(fix ? { fix } : {}) });
const warn = (detail: string, fix: string): Finding => ({ status: 'warn', detail, fix });

/** The settings of checks that run only after `config` passed. */
function sandboxOf(state: DoctorState): NonNullable<DoctorState['sandbox']> {
  if (!state.sandbox) throw new Error('doctor: a check that needs the config ran without it');
  return state.sandbox;
}

function usesMode(state: DoctorState, mode: NetworkModeName): boolean {
  return state.networkModes?.includes(mode) ?? false;
}

function infoOf(state: DoctorState): PodmanInfo {
  if (!state.info) throw new Error('doctor: a check that needs podman info ran without it');
  return state.info;
}

function hasSubordinateRange(file: string, user: string, uid: number): boolean {
  if (!existsSync(file)) return false;
  return readFileSync(file, 'utf8')
    .split('\n')
    .some((line) => {
      const [who, , count] = line.split(':');
      return (who === user || who === String(uid)) && Number(count) > 0;
    });
}

function subordinateCheck(file: string): Check {
  return {
    id: file === '/etc/subuid' ? 'subuid' : 'subgid',
    title: file,
    needs: [],
    run: () => {
      const { username } = userInfo();
      return hasSubordinateRange(file, username, process.getuid!())
        ? ok(`range for ${username}`)
        : fail(
            `no range for ${username}`,
            `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${username}`,
          );
    },
  };
}

function configCheck(state: DoctorState): Finding {
  if (state.configError) {
    return fail(state.configError.message, state.configError.hint ?? 'run `ags config validate`');
  }
  const file = sandboxOf(state).configFile;
  return ok(file === null ? 'built-in defaults (no config file)' : displayPath(file));
}

function mountsCheck(state: DoctorState): Finding {
  const problems = state.mountProblems;
  const later =
    state.mountsToCreate > 0 ? `; ${state.mountsToCreate} created by the first run that needs it` : '';
  if (problems.length === 0) return ok(`${sandboxOf(state).settings.mounts.length} host paths ready${later}`);
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return fail(`${first.message}${more}: a run refuses to start`, first.hint);
}

async function podmanVersionCheck(): Promise<Finding> {
  try {
    const r = await podman(['version', '--format', '{{.Client.Version}}'], { stdin: 'ignore' });
    return ok(`version ${String(r.stdout).trim()}`);
  } catch (err) {
    const e = err as AgsError;
    return fail(e.message, e.hint);
  }
}

async function podmanInfoCheck(state: DoctorState): Promise<Finding> {
  const r = await podman(['info', '--format', 'json'], { stdin: 'ignore' });
  if (r.exitCode !== 0) {
    return fail(
      String(r.stderr).trim().split('\n').pop() ?? 'failed',
      diagnoseStartFailure(String(r.stderr)) ?? 'run `podman info` to see the full error',
    );
  }
  const raw = JSON.parse(String(r.stdout)) as {
    host?: {
      security?: { rootless?: boolean };
      ociRuntime?: { name?: string };
      slirp4netns?: { executable?: string };
    };
    store?: { graphDriverName?: string };
  };
  state.info = {
    rootless: Boolean(raw.host?.security?.rootless),
    ...(raw.host?.ociRuntime?.name ? { ociRuntime: raw.host.ociRuntime.name } : {}),
    ...(raw.host?.slirp4netns?.executable ? { slirp4netns: raw.host.slirp4netns.executable } : {}),
    ...(raw.store?.graphDriverName ? { storageDriver: raw.store.graphDriverName } : {}),
  };
  return ok('answers');
}

/** Which configured resource limits this host's cgroups cannot enforce: runs leave those flags out. */
function cgroupsCheck(state: DoctorState): Finding {
  const { facts, settings } = sandboxOf(state);
  const cg = facts.cgroups;
  const { unenforced } = decideLimits(settings.runtime, cg);
  if (unenforced.length === 0) return ok(cg.version);
  const limits = unenforced.map((u) => `${u.setting} (${u.value})`).join(', ');
  const reasons = [...new Set(unenforced.map((u) => u.reason))].join('; ');
  return warn(
    `runs leave out ${limits}: ${reasons}`,
    cg.version === 'v1'
      ? 'boot with the unified cgroup hierarchy (systemd.unified_cgroup_hierarchy=1) to enforce them'
      : 'delegate the controllers to your user (a systemd user@.service drop-in with Delegate=cpu memory pids)',
  );
}

/** Every run starts podman's init (--init) unless [runtime] init = false: its binary must exist. */
function initCheck(state: DoctorState): Finding {
  const { facts, settings } = sandboxOf(state);
  if (!settings.runtime.init) return ok('off ([runtime] init = false): the agent runs as PID 1');
  const files = containersConfFiles(facts.env, facts.home, infoOf(state).rootless);
  const { path, from } = podmanInitPath(files);
  try {
    accessSync(path, constants.X_OK);
    return ok(path);
  } catch {
    return fail(
      `${path} (podman's init_path${from ? `, set in ${from}` : ''}) is missing: every run starts it with --init`,
      INIT_FIX,
    );
  }
}

async function imageCheck(state: DoctorState): Promise<Finding> {
  const { image } = sandboxOf(state).settings;
  const exists = await podman(['image', 'exists', image], { stdin: 'ignore' });
  return exists.exitCode === 0 ? ok(image) : fail(`${image} is missing`, 'run `ags update-image`');
}

/** Started exactly as a run starts its container (same plan and podman command), in a scratch workspace. */
async function sandboxStartCheck(state: DoctorState): Promise<Finding> {
  const probe = await startProbe(sandboxOf(state));
  if (probe.exitCode === 0) return ok(`a rootless container ran node ${probe.stdout}`);
  const err = probe.stderr.trim();
  return fail(
    err.split('\n').pop() ?? `exit ${probe.exitCode}`,
    diagnoseStartFailure(err) ??
      'run `ags --agent shell --dry-run` and try the printed podman command by hand',
  );
}

function agentClisCheck(state: DoctorState): Finding {
  const { toolsDir } = sandboxOf(state).settings;
  const installable = AGENT_NAMES.filter((n) => ADAPTERS[n].npmPackage);
  const states = installable.map((n) => ({ n, s: installState(toolsDir, ADAPTERS[n].npmPackage!) }));
  const damaged = states.filter((x) => x.s.state === 'damaged').map((x) => x.n);
  const anyInstalled = states.some((x) => x.s.state === 'installed');
  const shown = states.map(({ n, s: st }) =>
    st.state === 'installed'
      ? `${n} ${st.version}`
      : st.state === 'damaged'
        ? `${n} DAMAGED (${st.why})`
        : `${n} -`,
  );
  if (anyInstalled && damaged.length === 0) return ok(shown.join(', '));
  return warn(
    shown.join(', '),
    damaged.length > 0
      ? `run \`ags update-agents ${damaged.join(' ')}\` to reinstall`
      : 'run `ags update-agents` (or `ags update-agents claude`)',
  );
}

/** Every check, in the order doctor runs and prints them. None throws for a host problem; each says the fix. */
export const CHECKS: readonly Check[] = [
  { id: 'config', title: 'config', needs: [], run: configCheck },
  { id: 'mounts', title: 'mounts', needs: ['config'], run: mountsCheck },
  { id: 'podman', title: 'podman', needs: [], run: podmanVersionCheck },
  { id: 'podman-info', title: 'podman info', needs: ['podman'], run: podmanInfoCheck },
  {
    id: 'rootless',
    title: 'rootless',
    needs: ['podman-info'],
    run: (s) =>
      infoOf(s).rootless
        ? ok('podman runs unprivileged')
        : fail(
            'podman runs as root: containers would not be rootless',
            'run ags as your normal user, not with sudo',
          ),
  },
  {
    id: 'oci-runtime',
    title: 'OCI runtime',
    needs: ['podman-info', 'config'],
    run: (s) => {
      const configured = sandboxOf(s).podman.ociRuntime;
      return ok(
        configured
          ? `${configured} (from [runtime.podman] oci_runtime)`
          : (infoOf(s).ociRuntime ?? 'unknown'),
      );
    },
  },
  // what each network mode needs here: a "fail" only for a mode the config gives runs
  {
    id: 'network-open',
    title: 'network open',
    needs: ['podman-info'],
    run: (s) => openNetworkFinding(infoOf(s).slirp4netns, usesMode(s, 'open')),
  },
  {
    id: 'network-allowlist',
    title: 'network allowlist',
    needs: [],
    run: async (s) =>
      allowlistNetworkFinding(await allowlistFacts(process.env, process.getuid!()), usesMode(s, 'allowlist')),
  },
  { id: 'network-none', title: 'network none', needs: [], run: () => noneNetworkFinding() },
  subordinateCheck('/etc/subuid'),
  subordinateCheck('/etc/subgid'),
  {
    id: 'tun',
    title: '/dev/net/tun',
    needs: [],
    run: () => {
      try {
        accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
        return ok('usable');
      } catch {
        return fail('not usable by this user', 'sudo chmod 666 /dev/net/tun');
      }
    },
  },
  {
    id: 'storage',
    title: 'storage',
    needs: ['podman-info'],
    run: (s) => {
      const driver = infoOf(s).storageDriver;
      return driver === 'overlay'
        ? ok('overlay')
        : warn(
            `${driver ?? 'unknown'}: every container start is slow`,
            'set driver = "overlay" under [storage] in ~/.config/containers/storage.conf, then `podman system reset`',
          );
    },
  },
  { id: 'cgroups', title: 'cgroups', needs: ['config'], run: cgroupsCheck },
  { id: 'init', title: 'init', needs: ['config', 'podman-info'], run: initCheck },
  { id: 'image', title: 'image', needs: ['config', 'podman-info'], run: imageCheck },
  { id: 'sandbox-start', title: 'sandbox start', needs: ['image'], run: sandboxStartCheck },
  { id: 'agent-clis', title: 'agent CLIs', needs: ['config'], run: agentClisCheck },
];

export interface CheckResult extends Finding {
  id: string;
  title: string;
}

/**
 * The one loop: runs each check whose `needs` all ran and did not fail, in table order. A check that
 * throws is a bug in ags and propagates.
 */
export async function runChecks(
  state: DoctorState,
  checks: readonly Check[] = CHECKS,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const passed = new Set<string>();
  for (const check of checks) {
    if (!check.needs.every((id) => passed.has(id))) continue;
    const finding = await check.run(state);
    results.push({ id: check.id, title: check.title, ...finding });
    if (finding.status !== 'fail') passed.add(check.id);
  }
  return results;
}

const MARK: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check, and the fix under each that is not ok. Text from the host and config is escaped. */
export function renderText(results: readonly CheckResult[]): string {
  return results
    .map((r) => {
      const line = `${MARK[r.status]} ${r.title}: ${scrubText(r.detail)}\n`;
      return r.fix && r.status !== 'ok' ? `${line}     fix: ${scrubText(r.fix)}\n` : line;
    })
    .join('');
}

/** `--json`: one object per check, `fix` null when there is nothing to do. */
export function renderJson(results: readonly CheckResult[]): string {
  const rows = results.map((r) => ({ id: r.id, status: r.status, detail: r.detail, fix: r.fix ?? null }));
  return `${safeJson(rows, 2)}\n`;
}
