import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import {
  agentCommandLocation,
  agentCommandState,
  assertAgentInstalled,
  installState,
} from '../../../src/host/agent-install.js';

let tmp: string;
let tools: string;
let home: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ags-tools-'));
  tools = join(tmp, 'tools');
  home = join(tmp, 'home');
  mkdirSync(join(tools, 'bin'), { recursive: true });
  mkdirSync(home);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
const manifest = (pkg: string) => join(tools, 'lib', 'node_modules', pkg, 'package.json');

describe('installState', () => {
  it('reads the version, or says missing', () => {
    expect(installState(tools, 'pkg')).toEqual({ state: 'missing' });
    write(manifest('pkg'), '{"version":"1.2.3"}');
    expect(installState(tools, 'pkg')).toEqual({ state: 'installed', version: '1.2.3' });
  });

  it('reports a damaged package.json instead of throwing', () => {
    write(manifest('a'), '{"version":');
    write(manifest('b'), 'null');
    write(manifest('c'), '{"version":"1.0\\u001b[2J"}');
    write(manifest('d'), ' '.repeat(1024 * 1024 + 1));
    expect(installState(tools, 'a')).toEqual({ state: 'damaged', why: 'its package.json is not valid JSON' });
    expect(installState(tools, 'b')).toEqual({
      state: 'damaged',
      why: 'its package.json has no valid version',
    });
    expect(installState(tools, 'c')).toEqual({
      state: 'damaged',
      why: 'its package.json has no valid version',
    });
    expect(installState(tools, 'd')).toEqual({ state: 'damaged', why: 'its package.json is too large' });
  });
});

describe('agentCommandState', () => {
  it('finds the command in the tools volume (npm’s relative bin link) or the sandbox home’s ~/.local/bin', () => {
    expect(agentCommandState(ADAPTERS.claude, tools, home)).toBe('missing');
    write(join(tools, 'lib', 'node_modules', 'x', 'cli.js'), '');
    symlinkSync('../lib/node_modules/x/cli.js', join(tools, 'bin', 'claude'));
    expect(agentCommandState(ADAPTERS.claude, tools, home)).toBe('present');
    expect(agentCommandState(ADAPTERS.pi, tools, home)).toBe('missing');
    // a native install in the sandbox home: its entry is enough, it is never followed
    mkdirSync(join(home, '.local', 'bin'), { recursive: true });
    symlinkSync('/nowhere', join(home, '.local', 'bin', 'pi'));
    expect(agentCommandState(ADAPTERS.pi, tools, home)).toBe('present');
  });

  it('calls a tools link that leads nowhere damaged, and the shell (part of the image) unknown', () => {
    symlinkSync('../lib/node_modules/gone/cli.js', join(tools, 'bin', 'codex'));
    expect(agentCommandState(ADAPTERS.codex, tools, home)).toBe('damaged');
    expect(agentCommandState(ADAPTERS.shell, tools, home)).toBe('unknown');
  });

  it('prefers the read-only tools volume over the agent-writable home, and says which it found', () => {
    mkdirSync(join(home, '.local', 'bin'), { recursive: true });
    write(join(home, '.local', 'bin', 'claude'), '#!/bin/sh\n');
    expect(agentCommandLocation(ADAPTERS.claude, tools, home)).toBe('home');
    write(join(tools, 'lib', 'node_modules', 'x', 'cli.js'), '');
    symlinkSync('../lib/node_modules/x/cli.js', join(tools, 'bin', 'claude'));
    expect(agentCommandLocation(ADAPTERS.claude, tools, home)).toBe('tools');
  });
});

describe('assertAgentInstalled', () => {
  it('names ags update-agents NAME (exit 1) when the host can decide, and stays out of the way otherwise', () => {
    const where = { toolsDir: tools, agentHome: home };
    expect(() => assertAgentInstalled(ADAPTERS.claude, where, true)).toThrow(
      expect.objectContaining({
        message: `claude is not installed (no ${join(tools, 'bin', 'claude')})`,
        hint: 'run `ags update-agents claude`',
        exitCode: 1,
      }),
    );
    expect(() => assertAgentInstalled(ADAPTERS.claude, where, false)).not.toThrow();
    expect(() => assertAgentInstalled(ADAPTERS.shell, where, true)).not.toThrow();
  });
});
