import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// bench/guard-startup.mjs measures the command hook started from a V8 startup snapshot. Node builds a snapshot
// where SharedArrayBuffer does not exist, so the engine and its stdin reader must not make one at load.
const root = join(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'ags-guard-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the command hook in a V8 startup snapshot', () => {
  it('builds, and the snapshot blocks rm -rf / and allows git status', async () => {
    const entry = join(dir, 'entry.cjs');
    await build({
      stdin: {
        contents: `import { claudeHook } from './guards/engine/hook.js';
import { runCommandHook } from './guards/engine/stdin.js';
import { startupSnapshot } from 'node:v8';
claudeHook(JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: '/work/ws' }));
startupSnapshot.setDeserializeMainFunction(() => runCommandHook((text) => claudeHook(text)));`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: entry,
      logLevel: 'silent',
    });
    const blob = join(dir, 'hook.blob');
    const made = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], {
      encoding: 'utf8',
    });
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const env = { PATH: '/usr/bin:/bin', HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' };
    const call = (command: string) =>
      spawnSync(process.execPath, ['--snapshot-blob', blob], {
        input: JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/work/ws' }),
        env,
        encoding: 'utf8',
      });
    const blocked = call('rm -rf /');
    expect(blocked.status).toBe(2);
    expect(blocked.stderr).toContain('fs.rm-recursive-root');
    expect(call('git status').status).toBe(0);
  }, 60_000);
});
