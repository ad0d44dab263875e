import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { capture } from '../../support/capture.js';

// Every file in test/fixtures/config/bad/ is a broken config; expectations.json says, for each, whether it
// is checked as a user config or a repo overlay, the exact line:col the error must point at, and a piece of
// the message. Each must fail through the real CLI with exit 2, one located line plus a hint, no stack.
const DIR = new URL('../../fixtures/config/bad/', import.meta.url).pathname;
const expectations = JSON.parse(readFileSync(join(DIR, 'expectations.json'), 'utf8')) as Record<
  string,
  { role: 'user' | 'overlay'; loc: string; message: string }
>;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

describe('the malformed config corpus', () => {
  it('has at least 30 cases, and an expectation for every file', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.toml'));
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const [name, want] of Object.entries(expectations)) {
    it(`${name}: exit 2 at ${want.loc}`, async () => {
      vi.stubEnv('AGS_TEST_UNDEFINED_VAR', undefined);
      const file = join(DIR, name);
      const io = capture();
      const args = ['config', 'validate', ...(want.role === 'overlay' ? ['--overlay'] : []), file];
      expect(await runCli(args)).toBe(2);
      const err = io.err();
      const lines = err.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(`^ags: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${want.loc}: `),
      );
      expect(lines[0]).toContain(want.message);
      expect(lines.length).toBe(2);
      expect(lines[1]).toMatch(/^ {2}\S/);
      expect(err).not.toMatch(/\n\s+at /);
      expect(io.out()).toBe('');
    });
  }
});

describe('a key of an earlier 0.x version', () => {
  it('says where it moved', async () => {
    const io = capture();
    expect(await runCli(['config', 'validate', join(DIR, 'runtime-moved-key.toml')])).toBe(2);
    expect(io.err().trimEnd().split('\n')[1]).toBe('  it moved: set it under [runtime.podman]');
  });
});
