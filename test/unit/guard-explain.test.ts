import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capture } from '../support/capture.js';

let tmp: string;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-explain-')));
  vi.stubEnv('AGS_GUARD_POLICY', undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

describe('ags guard explain --policy', () => {
  it('a missing policy file is exit 2 with one line, not a warning and the built-in policy', async () => {
    const io = capture();
    const missing = join(tmp, 'nope.json');
    expect(await runCli(['guard', 'explain', '--policy', missing, '--', 'ls'])).toBe(2);
    expect(io.err()).toBe(
      `ags: cannot read policy ${missing}: ENOENT\n` +
        '  check the --policy FILE (a guard policy JSON file); leave it out to explain with the built-in policy\n',
    );
    expect(io.out()).toBe('');
  });

  it('a broken policy file is exit 2 too; --policy "" is a usage error', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{ not json');
    let io = capture();
    expect(await runCli(['guard', 'explain', '--policy', bad, '--', 'ls'])).toBe(2);
    expect(io.err()).toMatch(
      new RegExp(`^ags: policy ${bad} is not valid JSON: .*\\n {2}check the --policy FILE`),
    );
    expect(io.out()).toBe('');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['guard', 'explain', '--policy', '', '--', 'ls'])).toBe(2);
    expect(io.err()).toContain('ags: --policy needs a file');
  });
});

describe('ags guard explain with $AGS_GUARD_POLICY', () => {
  it('a missing file there is exit 2 too, with a hint naming the variable', async () => {
    const missing = join(tmp, 'env-policy.json');
    vi.stubEnv('AGS_GUARD_POLICY', missing);
    const io = capture();
    expect(await runCli(['guard', 'explain', '--', 'ls'])).toBe(2);
    expect(io.err()).toBe(
      `ags: cannot read policy ${missing}: ENOENT\n` +
        '  check the file $AGS_GUARD_POLICY names, or unset it to explain with the built-in policy\n',
    );
  });

  it('a good policy file explains as before', async () => {
    const good = join(tmp, 'policy.json');
    writeFileSync(good, '{}');
    const io = capture();
    expect(await runCli(['guard', 'explain', '--policy', good, '--', 'rm -rf /'])).toBe(0);
    expect(io.out()).toContain('verdict: block (fs.rm-recursive-root)');
  });
});
