import { describe, expect, it } from 'vitest';
import { commandHook, type LoadedPolicy } from '../../../guards/engine/hook.js';
import { opencodeToolBefore, piToolCall } from '../../../guards/engine/inprocess.js';
import { DEFAULT_POLICY } from '../../../guards/engine/policy.js';

// The pure parts of the per-agent entry points: each agent's own event shape, mapped onto the shared engine,
// and the answer handed back (pi: a reason to block; opencode: an error to throw; gemini/codex: exit 2 + stderr).
const normal: LoadedPolicy = { policy: DEFAULT_POLICY, lockdown: false };
const lockdown: LoadedPolicy = { policy: DEFAULT_POLICY, lockdown: true };
const broken: LoadedPolicy = {
  policy: DEFAULT_POLICY,
  lockdown: false,
  error: 'bad JSON in /run/ags/guard-policy.json',
};
const opts = { home: '/home/dev', workspace: '/work/ws' };

describe('pi extension (tool_call event)', () => {
  const event = (toolName: string, input: Record<string, unknown>) => ({
    type: 'tool_call',
    toolCallId: 'call_1',
    toolName,
    input,
  });

  it('blocks bash rm -rf of the workspace and a read of an SSH key, with the reason for the model', () => {
    const rm = piToolCall(event('bash', { command: 'rm -rf /work/ws' }), '/work/ws', normal, opts);
    expect(rm.block).toMatch(/^blocked by ags guard \(fs\.rm-recursive-workspace\)/);
    expect(rm.stderr).toBe(`${rm.block}\n`);
    const read = piToolCall(event('read', { path: '~/.ssh/id_ed25519' }), '/work/ws', normal, opts);
    expect(read.block).toMatch(/^blocked by ags guard \(path\.sensitive-read\)/);
  });

  it('allows ordinary calls silently, and unknown tools', () => {
    for (const [tool, input] of [
      ['bash', { command: 'npm test' }],
      ['read', { path: 'src/index.ts' }],
      ['edit', { path: 'src/a.ts', edits: [{ oldText: 'a', newText: 'b' }] }],
      ['grep', { pattern: 'TODO' }],
      ['find', { pattern: '*.ts', path: 'src' }],
      ['my_custom_tool', { anything: 1 }],
    ] as const) {
      const d = piToolCall(event(tool, input), '/work/ws', normal, opts);
      expect(d.block, tool).toBeUndefined();
      expect(d.stderr, tool).toBe('');
    }
  });

  it('fails open with a warning normally and closed in lockdown', () => {
    const open = piToolCall(event('bash', { command: 'ls' }), '/work/ws', broken, opts);
    expect(open.block).toBeUndefined();
    expect(open.stderr).toMatch(/guard/);
    expect(
      piToolCall(event('bash', { command: 'ls' }), '/work/ws', { ...broken, lockdown: true }, opts).block,
    ).toMatch(/guard\.policy/);
    // a malformed event: no tool name
    expect(piToolCall({ type: 'tool_call' }, '/work/ws', normal, opts).block).toBeUndefined();
    expect(piToolCall({ type: 'tool_call' }, '/work/ws', lockdown, opts).block).toMatch(/guard\.input/);
    expect(piToolCall(null, undefined, lockdown, opts).block).toMatch(/guard\.input/);
  });
});

describe('opencode plugin (tool.execute.before)', () => {
  const call = (tool: string) => ({ tool, sessionID: 's', callID: 'c' });

  it('maps bash, read, edit and apply_patch args onto the engine', () => {
    expect(
      opencodeToolBefore(call('bash'), { args: { command: 'git reset --hard' } }, '/work/ws', normal, opts)
        .block,
    ).toMatch(/git\.reset-hard/);
    expect(
      opencodeToolBefore(
        call('read'),
        { args: { filePath: '/home/dev/.aws/credentials' } },
        '/work/ws',
        normal,
        opts,
      ).block,
    ).toMatch(/path\.sensitive-read/);
    expect(
      opencodeToolBefore(
        call('edit'),
        { args: { filePath: '.git/hooks/pre-commit' } },
        '/work/ws',
        normal,
        opts,
      ).block,
    ).toMatch(/path\.agent-config-write/);
    const patch = '*** Begin Patch\n*** Add File: /home/dev/.ssh/authorized_keys2\n+x\n*** End Patch\n';
    expect(
      opencodeToolBefore(call('apply_patch'), { args: { patchText: patch } }, '/work/ws', normal, opts).block,
    ).toMatch(/blocked by ags guard/);
    expect(
      opencodeToolBefore(call('bash'), { args: { command: 'ls', workdir: 'src' } }, '/work/ws', normal, opts)
        .block,
    ).toBeUndefined();
    expect(
      opencodeToolBefore(call('webfetch'), { args: { url: 'https://x' } }, '/work/ws', normal, opts).block,
    ).toBeUndefined();
  });

  it('honours lockdown', () => {
    expect(
      opencodeToolBefore(call('bash'), { args: { command: '$CMD -rf build' } }, '/work/ws', normal, opts)
        .block,
    ).toBeUndefined();
    expect(
      opencodeToolBefore(call('bash'), { args: { command: '$CMD -rf build' } }, '/work/ws', lockdown, opts)
        .block,
    ).toMatch(/shell\.dynamic-command-lockdown/);
  });
});

describe('command hooks (gemini BeforeTool, codex PreToolUse)', () => {
  const env = { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' };

  it('codex: the JSON codex sends (tool_name Bash, tool_input.command) blocks with exit 2', () => {
    const input = {
      session_id: 's',
      turn_id: 't',
      transcript_path: '/home/dev/.codex/sessions/x.jsonl',
      cwd: '/work/ws',
      hook_event_name: 'PreToolUse',
      model: 'm',
      permission_mode: 'bypassPermissions',
      tool_name: 'Bash',
      tool_input: { command: 'rm -rf /work/ws' },
      tool_use_id: 'call_1',
    };
    const r = commandHook('codex', 'PreToolUse', JSON.stringify(input), { env }, normal);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^blocked by ags guard \(fs\.rm-recursive-workspace\)/);
    const ok = { ...input, tool_input: { command: 'cargo test' } };
    expect(commandHook('codex', 'PreToolUse', JSON.stringify(ok), { env }, normal).exitCode).toBe(0);
  });

  it('gemini: BeforeTool input for run_shell_command and read_file', () => {
    const base = {
      session_id: 's',
      transcript_path: '',
      cwd: '/work/ws',
      hook_event_name: 'BeforeTool',
      timestamp: 'now',
    };
    const shell = {
      ...base,
      tool_name: 'run_shell_command',
      tool_input: { command: 'git push --force origin main' },
    };
    expect(commandHook('gemini', 'BeforeTool', JSON.stringify(shell), { env }, normal)).toMatchObject({
      exitCode: 2,
    });
    const read = {
      ...base,
      tool_name: 'read_file',
      tool_input: { absolute_path: '/home/dev/.ssh/id_ed25519' },
    };
    expect(commandHook('gemini', 'BeforeTool', JSON.stringify(read), { env }, normal).stderr).toMatch(
      /path\.sensitive-read/,
    );
    // other events pass; bad input fails open normally, closed in lockdown
    expect(
      commandHook(
        'gemini',
        'BeforeTool',
        JSON.stringify({ ...base, hook_event_name: 'AfterTool' }),
        { env },
        lockdown,
      ).exitCode,
    ).toBe(0);
    expect(commandHook('gemini', 'BeforeTool', 'not json', { env }, normal).exitCode).toBe(0);
    expect(commandHook('gemini', 'BeforeTool', 'not json', { env }, lockdown).exitCode).toBe(2);
  });
});
