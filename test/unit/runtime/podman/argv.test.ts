import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../../agents/index.js';
import { buildLaunchPlan } from '../../../../src/plan/build.js';
import { podmanRunArgv } from '../../../../src/runtime/podman/argv.js';
import { daemonExecArgv } from '../../../../src/runtime/podman/daemon.js';
import { host, podman, request, settings } from '../../plan/fixtures.js';

describe('podmanRunArgv', () => {
  it('renders the security flags, network, mounts and TTY only when asked', () => {
    const plan = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    const argv = podmanRunArgv(plan, {}, podman);
    expect(argv.slice(0, 5)).toEqual(['run', '--rm', '--log-driver=none', '--init', '-i']);
    expect(argv).not.toContain('-t');
    for (const flag of [
      '--pull=never',
      '--runtime=runc',
      '--ulimit=nofile=1024:1024',
      '--userns=keep-id',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      '--security-opt=seccomp=/run/user/1000/ags/seccomp-1-2049-77-16401-1668211200000.json',
      '--pids-limit=4096',
      '--network=slirp4netns:allow_host_loopback=false',
      '--mount=type=bind,"source=/home/u/src/app","target=/home/u/src/app",rw',
      '--workdir=/home/u/src/app/lib',
    ]) {
      expect(argv).toContain(flag);
    }
    expect(argv.some((a) => a.startsWith('--env-file'))).toBe(false);
    expect(argv.slice(-7)).toEqual([
      'localhost/ags:latest',
      '/bin/sh',
      '/opt/ags/sandbox/ags-entry.sh',
      '/run/ags-secrets/env',
      '/bin/bash',
      '-c',
      'exit 3',
    ]);
    expect(argv.some((a) => a.includes('label=disable'))).toBe(false);
  });

  it('labels the container with the ags process that owns it, when given', () => {
    const plan = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    const argv = podmanRunArgv(plan, { labels: { 'ags.owner': '4242:7:boot:1' } });
    expect(argv.indexOf('--label=ags.owner=4242:7:boot:1')).toBeGreaterThan(0);
    expect(argv.indexOf('--label=ags.owner=4242:7:boot:1')).toBeLessThan(argv.indexOf(plan.image));
    expect(podmanRunArgv(plan).some((a) => a.startsWith('--label'))).toBe(false);
  });

  it('renders network none', () => {
    const plan = buildLaunchPlan(request, { ...settings, network: { mode: 'none' } }, host, ADAPTERS.shell);
    expect(podmanRunArgv(plan)).toContain('--network=none');
  });
});

describe('the sandbox daemons (the Claude Code guard server)', () => {
  const claude = buildLaunchPlan({ ...request, agent: 'claude' }, settings, host, ADAPTERS.claude);
  const SYSCTL = '--sysctl=net.ipv4.ip_unprivileged_port_start=1024';

  it('keeps ports below 1024 from unprivileged processes when the plan has a daemon, and only then', () => {
    expect(podmanRunArgv(claude)).toContain(SYSCTL);
    const shell = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    expect(podmanRunArgv(shell)).not.toContain(SYSCTL);
  });

  it('starts one as the sandbox root, in the run directory, with its own argv', () => {
    const d = claude.daemons![0]!;
    expect(daemonExecArgv(claude, d)).toEqual([
      'exec',
      '--privileged',
      '--user=0:0',
      `--workdir=${claude.cwd}`,
      claude.containerName,
      ...d.argv,
    ]);
  });
});
