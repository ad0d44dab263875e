import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { capture } from '../../support/capture.js';

describe('a subcommand option named like a run option', () => {
  let dir: string | undefined;
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create-aliases --dry-run is its own (commander gives it to the root), and writes nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ags-cli-options-'));
    dir = d;
    vi.stubEnv('HOME', d);
    vi.stubEnv('XDG_CONFIG_HOME', join(d, '.config'));
    const io = capture();
    expect(await runCli(['create-aliases', '--dry-run', '--dir', join(d, 'bin')])).toBe(0);
    expect(io.out()).toContain(`would be created ${join(d, 'bin', 'ags-claude')}`);
    expect(existsSync(join(d, 'bin'))).toBe(false);
  });

  it('other run options are still refused with it', async () => {
    const io = capture();
    expect(await runCli(['--yolo', 'create-aliases', '--dry-run'])).toBe(2);
    expect(io.err()).toMatch(/^ags: --yolo is an option of a run; `ags create-aliases` does not take it\n/);
  });
});
