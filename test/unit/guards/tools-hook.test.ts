import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeHook, evaluateToolCall, loadHookPolicy } from '../../../guards/engine/hook.js';
import { DEFAULT_POLICY } from '../../../guards/engine/policy.js';
import { argvToCommand, patchPaths, toToolCall } from '../../../guards/engine/tools.js';

const env = { HOME: '/home/dev' };
const hookInput = (command: string) =>
  JSON.stringify({ hook_event_name: 'PreToolUse', cwd: '/w', tool_name: 'Bash', tool_input: { command } });

describe('tool mapping', () => {
  it('maps every agent onto shell and file checks', () => {
    expect(toToolCall('claude', 'Bash', { command: 'ls' }, '/w')).toMatchObject({
      kind: 'shell',
      command: 'ls',
    });
    expect(toToolCall('pi', 'read', { path: 'a' }, '/w')).toMatchObject({
      kind: 'file',
      op: 'read',
      paths: ['a'],
    });
    expect(toToolCall('opencode', 'edit', { filePath: 'b' }, '/w')).toMatchObject({
      kind: 'file',
      op: 'write',
      paths: ['b'],
    });
    expect(toToolCall('gemini', 'read_file', { absolute_path: '/c' }, '/w')).toMatchObject({
      op: 'read',
      paths: ['/c'],
    });
    expect(
      toToolCall('gemini', 'run_shell_command', { command: 'ls', directory: 'sub' }, '/w'),
    ).toMatchObject({ cwd: '/w/sub' });
    expect(toToolCall('codex', 'shell', { command: ['bash', '-lc', 'rm -rf /'] }, '/w')).toMatchObject({
      command: "bash -lc 'rm -rf /'",
    });
    expect(toToolCall('claude', 'Glob', { pattern: '*.ts', path: '/w/src' }, '/w')).toMatchObject({
      op: 'list',
      paths: ['/w/src/*.ts'],
    });
    expect(toToolCall('claude', 'WebFetch', { url: 'x' }, '/w').kind).toBe('other');
  });

  it('codex argv and patches', () => {
    expect(argvToCommand(['echo', "it's", 'a b'])).toBe(`echo 'it'\\''s' 'a b'`);
    expect(
      patchPaths('*** Begin Patch\n*** Update File: a.ts\n*** Add File: ~/.ssh/config\n*** Move to: b.ts\n'),
    ).toEqual(['a.ts', '~/.ssh/config', 'b.ts']);
  });

  it('evaluateToolCall decides for other agents with the same engine', () => {
    const loaded = { policy: DEFAULT_POLICY, lockdown: false };
    expect(
      evaluateToolCall('codex', 'shell', { command: ['bash', '-lc', 'git reset --hard'] }, '/w', loaded).rule,
    ).toBe('git.reset-hard');
    expect(
      evaluateToolCall('pi', 'read', { path: '~/.aws/credentials' }, '/w', loaded, { home: '/home/dev' })
        .rule,
    ).toBe('path.sensitive-read');
    expect(
      evaluateToolCall(
        'codex',
        'apply_patch',
        { input: '*** Add File: .git/hooks/post-checkout\n' },
        '/w',
        loaded,
      ).rule,
    ).toBe('path.agent-config-write');
  });
});

describe('claude hook core', () => {
  it('exits 2 with the reason to block, 0 to allow', () => {
    const b = claudeHook(hookInput('rm -rf ~'), { env });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/^blocked by ags guard \(fs\.rm-recursive-home\)/);
    expect(claudeHook(hookInput('ls'), { env })).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('policy file: missing env means default; unreadable fails open, or closed in lockdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ags-guard-'));
    const good = join(dir, 'p.json');
    writeFileSync(good, JSON.stringify({ allow: ['git.reset-hard'] }));
    expect(
      claudeHook(hookInput('git reset --hard'), { env: { ...env, AGS_GUARD_POLICY: good } }).exitCode,
    ).toBe(0);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{nope');
    const open = claudeHook(hookInput('ls'), { env: { ...env, AGS_GUARD_POLICY: bad } });
    expect(open.exitCode).toBe(0);
    expect(open.stderr).toMatch(/not valid JSON.*fail-open/);
    const closed = claudeHook(hookInput('ls'), {
      env: { ...env, AGS_GUARD_POLICY: join(dir, 'missing.json'), AGS_LOCKDOWN: '1' },
    });
    expect(closed.exitCode).toBe(2);
    expect(closed.stderr).toMatch(/guard\.policy.*lockdown/);
    expect(loadHookPolicy({ env: {} })).toEqual({ policy: DEFAULT_POLICY, lockdown: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('invalid input fails open normally, closed in lockdown', () => {
    expect(claudeHook('garbage', { env }).exitCode).toBe(0);
    expect(claudeHook('garbage', { env, lockdown: true }).exitCode).toBe(2);
  });
});
