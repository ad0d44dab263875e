import { afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../support/capture.js';
import { runCli } from '../../src/cli/main.js';
import { VERSION } from '../../src/util/package-root.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('ags CLI conventions', () => {
  it('--version prints the package version and exits 0', async () => {
    const io = capture();
    expect(await runCli(['--version'])).toBe(0);
    expect(io.out().trim()).toBe(VERSION);
  });

  it('--help shows usage with examples and the exit-code convention', async () => {
    const io = capture();
    expect(await runCli(['--help'])).toBe(0);
    expect(io.out()).toContain('Usage: ags');
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain('--agent');
    expect(io.out()).toMatch(/Exit codes: 2 .* 1 .* agent's own exit code/);
  });

  it('no --agent is a usage error: one line and a hint, exit 2', async () => {
    const io = capture();
    expect(await runCli([])).toBe(2);
    expect(io.err()).toMatch(/^ags: missing --agent\n {2}choose one of: claude, codex/);
    expect(io.err()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an unknown agent is a usage error naming the choices, exit 2', async () => {
    const io = capture();
    expect(await runCli(['--agent', 'nope'])).toBe(2);
    expect(io.err()).toContain("argument 'nope' is invalid");
    expect(io.err()).toContain('claude, codex, gemini, opencode, pi, shell');
  });

  it('an unknown flag is a usage error, exit 2', async () => {
    const io = capture();
    expect(await runCli(['--bogus'])).toBe(2);
    expect(io.err()).toBe("ags: unknown option '--bogus'\n");
  });
});
