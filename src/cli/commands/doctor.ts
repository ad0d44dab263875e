import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { ADAPTERS, AGENT_NAMES } from '../../../agents/index.js';
import { decideLimits } from '../../plan/limits.js';
import { containersConfFiles, podmanInitPath } from '../../runtime/podman/containers-conf.js';
import { podman } from '../../runtime/podman/engine.js';
import { AgsError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';
import { type SandboxContext, configPathOf, loadSandboxContext } from './context.js';
import { installState } from '../../host/agent-install.js';
import { startProbe } from './doctor-probe.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const INIT_FIX =
  'install catatonit (Debian/Ubuntu: sudo apt install catatonit), or set [runtime] init = false in the config';

/** Known podman start failures and the config option that fixes each. */
export function diagnoseStartFailure(stderr: string): string | undefined {
  if (/container-init binary not found/i.test(stderr)) return INIT_FIX;
  if (/cgroups? in hybrid mode|crun.*cgroup/i.test(stderr)) {
    return 'this host needs another OCI runtime: set [runtime] oci_runtime = "runc" in the config';
  }
  if (/setrlimit|RLIMIT_|ulimit/i.test(stderr)) {
    return 'podman\'s default ulimits cannot be applied here: set [runtime] ulimits = { nofile = "1024:1024", nproc = "1024:1024" } (at or below `ulimit -Hn` / `ulimit -Hu`)';
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

function hasSubordinateRange(file: string, user: string, uid: number): boolean {
  if (!existsSync(file)) return false;
  return readFileSync(file, 'utf8')
    .split('\n')
    .some((line) => {
      const [who, , count] = line.split(':');
      return (who === user || who === String(uid)) && Number(count) > 0;
    });
}

/** Which configured resource limits this host's cgroups cannot enforce: runs leave those flags out. */
function cgroupsCheck(ctx: SandboxContext): CheckResult {
  const cg = ctx.facts.cgroups;
  const { unenforced } = decideLimits(ctx.settings.runtime, cg);
  if (unenforced.length === 0) return { name: 'cgroups', status: 'ok', detail: cg.version };
  const limits = unenforced.map((u) => `${u.setting} (${u.value})`).join(', ');
  const reasons = [...new Set(unenforced.map((u) => u.reason))].join('; ');
  return {
    name: 'cgroups',
    status: 'warn',
    detail: `runs leave out ${limits}: ${reasons}`,
    fix:
      cg.version === 'v1'
        ? 'boot with the unified cgroup hierarchy (systemd.unified_cgroup_hierarchy=1) to enforce them'
        : 'delegate the controllers to your user (a systemd user@.service drop-in with Delegate=cpu memory pids)',
  };
}

/** Every run starts podman's init (--init) unless [runtime] init = false: its binary must exist. */
function initCheck(ctx: SandboxContext, rootless: boolean): CheckResult {
  if (!ctx.settings.runtime.init) {
    return { name: 'init', status: 'ok', detail: 'off ([runtime] init = false): the agent runs as PID 1' };
  }
  const { path, from } = podmanInitPath(containersConfFiles(ctx.facts.env, ctx.facts.home, rootless));
  try {
    accessSync(path, constants.X_OK);
    return { name: 'init', status: 'ok', detail: path };
  } catch {
    return {
      name: 'init',
      status: 'fail',
      detail: `${path} (podman's init_path${from ? `, set in ${from}` : ''}) is missing: every run starts it with --init`,
      fix: INIT_FIX,
    };
  }
}

/** Every check, in order; none throws for a host problem, each says what to do. */
export async function runChecks(ctx: SandboxContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const s = ctx.settings;
  let version: string;
  try {
    const r = await podman(['version', '--format', '{{.Client.Version}}'], { stdin: 'ignore' });
    version = String(r.stdout).trim();
  } catch (err) {
    const e = err as AgsError;
    return [{ name: 'podman', status: 'fail', detail: e.message, ...(e.hint ? { fix: e.hint } : {}) }];
  }
  out.push({ name: 'podman', status: 'ok', detail: `version ${version}` });

  const info = await podman(['info', '--format', 'json'], { stdin: 'ignore' });
  if (info.exitCode !== 0) {
    out.push({
      name: 'podman info',
      status: 'fail',
      detail: String(info.stderr).trim().split('\n').pop() ?? 'failed',
      fix: diagnoseStartFailure(String(info.stderr)) ?? 'run `podman info` to see the full error',
    });
    return out;
  }
  const host = JSON.parse(String(info.stdout)) as {
    host: Record<string, unknown>;
    store: Record<string, unknown>;
  };
  const h = host.host as {
    security?: { rootless?: boolean };
    ociRuntime?: { name?: string; path?: string };
    slirp4netns?: { executable?: string };
  };
  const rootless = Boolean(h.security?.rootless);
  out.push(
    rootless
      ? { name: 'rootless', status: 'ok', detail: 'podman runs unprivileged' }
      : {
          name: 'rootless',
          status: 'fail',
          detail: 'podman runs as root: containers would not be rootless',
          fix: 'run ags as your normal user, not with sudo',
        },
  );
  out.push({
    name: 'OCI runtime',
    status: 'ok',
    detail: `${s.runtime.ociRuntime ?? h.ociRuntime?.name ?? 'unknown'}${s.runtime.ociRuntime ? ' (from [runtime] oci_runtime)' : ''}`,
  });
  const slirp = h.slirp4netns?.executable;
  out.push(
    slirp
      ? { name: 'slirp4netns', status: 'ok', detail: slirp }
      : {
          name: 'slirp4netns',
          status: 'fail',
          detail: 'not found: the sandbox network cannot be set up',
          fix: 'install slirp4netns (Debian/Ubuntu: sudo apt install slirp4netns)',
        },
  );
  const { username } = userInfo();
  const uid = process.getuid!();
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    out.push(
      hasSubordinateRange(file, username, uid)
        ? { name: file, status: 'ok', detail: `range for ${username}` }
        : {
            name: file,
            status: 'fail',
            detail: `no range for ${username}`,
            fix: `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${username}`,
          },
    );
  }
  let tun = false;
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    tun = true;
  } catch {
    tun = false;
  }
  out.push(
    tun
      ? { name: '/dev/net/tun', status: 'ok', detail: 'usable' }
      : {
          name: '/dev/net/tun',
          status: 'fail',
          detail: 'not usable by this user',
          fix: 'sudo chmod 666 /dev/net/tun',
        },
  );
  const driver = (host.store as { graphDriverName?: string }).graphDriverName;
  out.push(
    driver === 'overlay'
      ? { name: 'storage', status: 'ok', detail: 'overlay' }
      : {
          name: 'storage',
          status: 'warn',
          detail: `${driver}: every container start is slow`,
          fix: 'set driver = "overlay" under [storage] in ~/.config/containers/storage.conf, then `podman system reset`',
        },
  );
  out.push(cgroupsCheck(ctx));
  out.push(initCheck(ctx, rootless));

  const exists = await podman(['image', 'exists', s.image], { stdin: 'ignore' });
  if (exists.exitCode !== 0) {
    out.push({
      name: 'image',
      status: 'fail',
      detail: `${s.image} is missing`,
      fix: 'run `ags update-image`',
    });
    return out;
  }
  out.push({ name: 'image', status: 'ok', detail: s.image });

  // started exactly as a run starts its container (same plan and podman command), in a scratch workspace
  const probe = await startProbe(ctx);
  if (probe.exitCode === 0) {
    out.push({
      name: 'sandbox start',
      status: 'ok',
      detail: `a rootless container ran node ${probe.stdout}`,
    });
  } else {
    const err = probe.stderr.trim();
    out.push({
      name: 'sandbox start',
      status: 'fail',
      detail: err.split('\n').pop() ?? `exit ${probe.exitCode}`,
      fix:
        diagnoseStartFailure(err) ??
        'run `ags --agent shell --dry-run` and try the printed podman command by hand',
    });
  }

  const installable = AGENT_NAMES.filter((n) => ADAPTERS[n].npmPackage);
  const states = installable.map((n) => ({ n, s: installState(s.toolsDir, ADAPTERS[n].npmPackage!) }));
  const damaged = states.filter((x) => x.s.state === 'damaged').map((x) => x.n);
  const anyInstalled = states.some((x) => x.s.state === 'installed');
  const shown = states.map(({ n, s: st }) =>
    st.state === 'installed'
      ? `${n} ${st.version}`
      : st.state === 'damaged'
        ? `${n} DAMAGED (${st.why})`
        : `${n} -`,
  );
  const fix =
    damaged.length > 0
      ? `run \`ags update-agents ${damaged.join(' ')}\` to reinstall`
      : 'run `ags update-agents` (or `ags update-agents claude`)';
  const ok = anyInstalled && damaged.length === 0;
  out.push({
    name: 'agent CLIs',
    status: ok ? 'ok' : 'warn',
    detail: shown.join(', '),
    ...(ok ? {} : { fix }),
  });
  return out;
}

/** `ags doctor`: checks the host and says which option fixes what it finds. Exit 1 when a check fails. */
export function doctorCommand(report: ReportExit): Command {
  return new Command('doctor').description('check podman, the OCI runtime, networking and the image').action(
    returningExit(report, async (_opts: unknown, cmd: Command) => {
      const ctx = await loadSandboxContext('shell', configPathOf(cmd));
      const results = await runChecks(ctx);
      const mark: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };
      for (const r of results) {
        process.stdout.write(`${mark[r.status]} ${r.name}: ${r.detail}\n`);
        if (r.fix && r.status !== 'ok') process.stdout.write(`     fix: ${r.fix}\n`);
      }
      return results.some((r) => r.status === 'fail') ? 1 : 0;
    }),
  );
}
