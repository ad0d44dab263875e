import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownCgroupV2Path, readCgroupFacts } from '../../../src/host/cgroups.js';

describe('readCgroupFacts', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const make = (files: Record<string, string>, dirs: string[] = []) => {
    dir = mkdtempSync(join(tmpdir(), 'ags-cgroup-'));
    const root = join(dir, 'cgroup');
    mkdirSync(root);
    for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return root;
  };

  it('hybrid v1 (this CI machine: cgroup2 only under unified/): v1 with the mounted hierarchies', () => {
    const root = make({ 'cgroup/unified/cgroup.controllers': 'hugetlb\n' }, [
      'pids',
      'memory',
      'cpu',
      'systemd',
    ]);
    expect(readCgroupFacts(1000, root, join(dir, 'none'))).toEqual({
      version: 'v1',
      rootless: true,
      controllers: ['pids', 'memory', 'cpu'],
    });
  });

  it('unified v2 rootless: the controllers of our own cgroup (what systemd delegated), as podman reads them', () => {
    const own = '/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope';
    const root = make({
      'cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
      [`cgroup${own}/cgroup.controllers`]: 'memory pids\n',
      'self-cgroup': `0::${own}\n`,
    });
    expect(readCgroupFacts(1000, root, join(dir, 'self-cgroup'))).toEqual({
      version: 'v2',
      rootless: true,
      controllers: ['memory', 'pids'],
    });
    // as root: the root's controllers
    expect(readCgroupFacts(0, root, join(dir, 'self-cgroup'))).toMatchObject({
      version: 'v2',
      rootless: false,
      controllers: expect.arrayContaining(['cpu', 'memory', 'pids']),
    });
  });

  it('v2 with an unreadable own cgroup delegates nothing; no cgroup filesystem is unknown', () => {
    const root = make({ 'cgroup/cgroup.controllers': 'cpu memory pids\n' });
    expect(readCgroupFacts(1000, root, join(dir, 'missing'))).toEqual({
      version: 'v2',
      rootless: true,
      controllers: [],
    });
    expect(readCgroupFacts(1000, join(dir, 'nothing-here'))).toEqual({ version: 'unknown', rootless: true });
  });

  it('reads the cgroup v2 path from /proc/self/cgroup', () => {
    expect(ownCgroupV2Path('12:pids:/user.slice\n0::/user.slice/user-1000.slice/session-2.scope\n')).toBe(
      '/user.slice/user-1000.slice/session-2.scope',
    );
    expect(ownCgroupV2Path('12:pids:/\n')).toBeNull();
  });
});
