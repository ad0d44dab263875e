import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../agents/index.js';
import { PROBE_REQUEST, PROBE_SCRIPT, probePlan } from '../../src/cli/commands/doctor-probe.js';
import { diagnoseStartFailure } from '../../src/cli/commands/doctor.js';
import type { RunSettingsWithSecrets } from '../../src/launch/run-settings.js';
import type { BasicHostFacts } from '../../src/host/facts.js';
import { buildLaunchPlan } from '../../src/plan/build.js';
import { type PodmanOptions, podmanRunArgv } from '../../src/runtime/podman/argv.js';
import { podmanBackend } from '../../src/runtime/podman/backend.js';

describe('diagnoseStartFailure', () => {
  it('names the config option that fixes each known podman start failure', () => {
    expect(diagnoseStartFailure('Error: crun: cgroups in hybrid mode not supported')).toMatch(
      /oci_runtime = "runc"/,
    );
    expect(diagnoseStartFailure('setrlimit `RLIMIT_NPROC`: Operation not permitted')).toMatch(
      /\[runtime\.podman\] ulimits/,
    );
    expect(diagnoseStartFailure('open /dev/net/tun: permission denied')).toMatch(/\/dev\/net\/tun/);
    expect(diagnoseStartFailure('newuidmap: write to uid_map failed')).toMatch(/\/etc\/subuid/);
    expect(
      diagnoseStartFailure(
        'Error: container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory',
      ),
    ).toMatch(/apt install catatonit\), or set \[runtime\] init = false/);
    expect(diagnoseStartFailure('something else entirely')).toBeUndefined();
  });
});

describe("doctor's probe", () => {
  const SECCOMP = '/run/user/1000/ags/seccomp-1-2-3-4-5.json';
  const facts: BasicHostFacts = {
    uid: 1000,
    gid: 1000,
    home: '/home/u',
    cwd: '/home/u/src/app/lib',
    workdir: '/home/u/src/app',
    pid: 4242,
    stdinTTY: false,
    stdoutTTY: false,
    env: { TERM: 'xterm', HOME: '/home/u' },
    cgroups: { version: 'v2', rootless: true, controllers: ['memory', 'pids'] },
  };
  const settings: RunSettingsWithSecrets = {
    image: 'localhost/ags:latest',
    network: { mode: 'open', hostLoopback: true },
    runtime: { init: true, pidsLimit: 100, memory: '2g', cpus: 1.5 },
    agentHome: '/home/u/.local/share/ags/homes/shell',
    toolsDir: '/home/u/.local/share/ags/tools',
    mounts: [{ host: '/srv/data', container: '/data', mode: 'ro' }],
    passthroughEnv: [],
    secretNames: ['TOKEN'],
    secrets: [],
    agent: { args: [], env: {}, hostHome: false },
    guard: true,
    guardPolicy: { extraRules: [], allow: [], sensitivePaths: [], lockdown: false },
  };

  /** `[runtime.podman]`: the backend's own options, the same for a run and the probe. */
  const podman: PodmanOptions = {
    ociRuntime: 'runc',
    ulimits: ['nofile=1024:1024', 'nproc=512:512'],
    extraArgs: ['--security-opt=label=disable'],
  };
  const backend = podmanBackend(podman);
  /** What `ags --agent shell -- -c PROBE_SCRIPT` renders (the steps of run.ts), with this run's own files. */
  const runArgv = (s: RunSettingsWithSecrets) => {
    const plan = buildLaunchPlan(
      PROBE_REQUEST,
      {
        ...s,
        gitconfig: 'gitconfig',
        services: [
          {
            service: 'ssh-agent',
            mounts: [
              { source: '/run/user/1000/ags/s/ssh.sock', target: '/run/ags-ssh/agent.sock', mode: 'rw' },
            ],
            env: { SSH_AUTH_SOCK: '/run/ags-ssh/agent.sock' },
            files: [],
          },
        ],
      },
      {
        ...facts,
        sessionDir: '/run/user/1000/ags/s/public',
        secretEnvFile: '/run/user/1000/ags/s/secrets/env',
        seccompProfile: SECCOMP,
        hostServicesAddress: backend.hostServicesAddress,
        sandboxBundleDir: '/pkg/dist/sandbox',
        nonce: 'a',
        agentCommandAt: 'unknown',
      },
      ADAPTERS.shell,
    );
    return podmanRunArgv(plan, { cidFile: '/run/user/1000/ags/s/cid' }, podman);
  };
  const probeArgv = (s: RunSettingsWithSecrets) =>
    podmanRunArgv(
      probePlan({ facts, settings: s, backend }, '/tmp/ags-doctor-x', '/pkg/dist/sandbox', SECCOMP),
      {},
      podman,
    );
  /** Everything but where it runs and this run's own session: mounts, env, files, workdir, name. */
  const engineFlags = (argv: string[]) =>
    argv.filter((a) => !/^--(mount|env|env-file|cidfile|workdir|name)=/.test(a));

  it('is the run command: same flags in the same order (init, runtime, ulimits, limits, userns, caps, network)', () => {
    const probe = probeArgv(settings);
    expect(engineFlags(probe)).toEqual(engineFlags(runArgv(settings)));
    expect(probe.slice(0, 5)).toEqual(['run', '--rm', '--log-driver=none', '--init', '-i']);
    for (const flag of [
      '--runtime=runc',
      '--ulimit=nproc=512:512',
      '--userns=keep-id',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      '--pids-limit=100',
      '--memory=2g',
      '--network=slirp4netns:allow_host_loopback=true',
      '--security-opt=label=disable',
      `--security-opt=seccomp=${SECCOMP}`,
    ]) {
      expect(probe).toContain(flag);
    }
    // the cpu controller is not delegated here: neither a run nor the probe passes --cpus
    expect(probe.some((a) => a.startsWith('--cpus'))).toBe(false);
    // a secret is configured: the probe starts through the sandbox entry too (with an empty secrets file)
    expect(probe.slice(-7)).toEqual([
      'localhost/ags:latest',
      '/bin/sh',
      '/opt/ags/sandbox/ags-entry.sh',
      '/run/ags-secrets/env',
      '/bin/bash',
      '-c',
      PROBE_SCRIPT,
    ]);
  });

  it('follows [runtime] init = false like a run does', () => {
    const off = { ...settings, runtime: { ...settings.runtime, init: false } };
    expect(probeArgv(off)).not.toContain('--init');
    expect(engineFlags(probeArgv(off))).toEqual(engineFlags(runArgv(off)));
  });

  it("mounts nothing of the user's but the configured mounts: scratch workspace, home, tools and session", () => {
    const mounts = probeArgv(settings).filter((a) => a.startsWith('--mount='));
    expect(mounts).toEqual([
      '--mount=type=bind,"source=/tmp/ags-doctor-x/home","target=/home/u",rw',
      '--mount=type=bind,"source=/tmp/ags-doctor-x/work","target=/tmp/ags-doctor-x/work",rw',
      '--mount=type=bind,"source=/srv/data","target=/data",ro',
      '--mount=type=bind,"source=/tmp/ags-doctor-x/tools","target=/opt/ags/tools",ro',
      '--mount=type=bind,"source=/pkg/dist/sandbox","target=/opt/ags/sandbox",ro',
      '--mount=type=bind,"source=/tmp/ags-doctor-x/secrets","target=/run/ags-secrets",ro',
      '--mount=type=bind,"source=/tmp/ags-doctor-x/session","target=/run/ags",ro',
    ]);
    expect(probeArgv(settings)).toContain('--workdir=/tmp/ags-doctor-x/work');
  });
});
