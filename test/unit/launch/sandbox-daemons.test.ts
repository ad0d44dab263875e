import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxDaemon } from '../../../agents/types.js';
import { checkSandboxDaemons, startSandboxDaemons } from '../../../src/launch/sandbox-daemons.js';
import type { LaunchPlan } from '../../../src/plan/types.js';
import type { SandboxBackend } from '../../../src/runtime/backend.js';

// The run's side of the sandbox daemons: started once the sandbox's first process exists, and a daemon that
// does not start stops the sandbox and becomes the run's one-line error.
const daemon: SandboxDaemon = {
  name: 'claude guard server',
  argv: ['node', 'guard-server.mjs', '--daemon', '947'],
};
const plan = { daemons: [daemon], containerName: 'ags-x' } as unknown as LaunchPlan;

function backend(answer: string | null) {
  const calls: string[] = [];
  const b = {
    startDaemon: async (_p: LaunchPlan, d: SandboxDaemon) => {
      calls.push(`start ${d.name}`);
      return answer;
    },
    removeSandbox: async () => {
      calls.push('remove');
    },
  } as unknown as SandboxBackend;
  return { b, calls };
}

const settle = async (calls: string[], n: number) => {
  while (calls.length < n) await new Promise((r) => setTimeout(r, 5));
};

describe('startSandboxDaemons', () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('waits for the pid file, then starts each daemon', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-daemons-'));
    const pidFile = join(dir, 'pid');
    const { b, calls } = backend(null);
    const run = startSandboxDaemons(plan, { pidFile }, b)!;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([]);
    writeFileSync(pidFile, '123\n');
    await settle(calls, 1);
    expect(calls).toEqual(['start claude guard server']);
    expect(run.finish()).toBeNull();
    expect(() => checkSandboxDaemons(null)).not.toThrow();
  });

  it('stops the sandbox when one does not start, and the run ends with its line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-daemons-'));
    const pidFile = join(dir, 'pid');
    writeFileSync(pidFile, '123\n');
    const { b, calls } = backend('cannot read the guard policy: ENOENT');
    const run = startSandboxDaemons(plan, { pidFile }, b)!;
    await settle(calls, 2);
    expect(calls).toEqual(['start claude guard server', 'remove']);
    const failure = run.finish();
    expect(failure).toBe('claude guard server did not start: cannot read the guard policy: ENOENT');
    expect(() => checkSandboxDaemons(failure)).toThrow(
      'claude guard server did not start: cannot read the guard policy: ENOENT; the run is stopped rather than left unguarded',
    );
  });

  it('is nothing for a plan without daemons', () => {
    const { b } = backend(null);
    expect(startSandboxDaemons({ ...plan, daemons: [] }, { pidFile: '/x' }, b)).toBeNull();
  });
});
