import { describe, expect, it } from 'vitest';
import { claudeHook, type LoadedPolicy } from '../../../guards/engine/hook.js';
import { answerClaudeHttp } from '../../../guards/engine/http-hook.js';
import { DEFAULT_POLICY } from '../../../guards/engine/policy.js';

// The guard server's answer (Claude Code's http hook protocol) decides exactly as the command hook does.
const normal: LoadedPolicy = { policy: DEFAULT_POLICY, lockdown: false };
const lockdown: LoadedPolicy = { policy: DEFAULT_POLICY, lockdown: true };
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };
const call = (tool: string, input: Record<string, unknown>) =>
  JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, cwd: '/work/ws' });

describe('answerClaudeHttp', () => {
  it('denies a destructive call with the command hook reason, for the model', () => {
    const body = call('Bash', { command: 'rm -rf ~' });
    const a = answerClaudeHttp(body, normal, settings);
    expect(a.status).toBe(200);
    const out = JSON.parse(a.body).hookSpecificOutput;
    expect(out.permissionDecision).toBe('deny');
    expect(out.hookEventName).toBe('PreToolUse');
    expect(out.permissionDecisionReason).toBe(claudeHook(body, settings, normal).stderr.trimEnd());
    expect(out.permissionDecisionReason).toMatch(/^blocked by ags guard \(fs\.rm-recursive-home\)/);
  });

  it('answers {} to an allowed call: no permission decision, so Claude Code asks as it would', () => {
    expect(answerClaudeHttp(call('Bash', { command: 'npm test' }), normal, settings)).toEqual({
      status: 200,
      body: '{}',
    });
    expect(answerClaudeHttp(call('Read', { file_path: 'src/a.ts' }), normal, settings).body).toBe('{}');
  });

  it('decides every call as the command hook does, normal and in lockdown', () => {
    const bodies = [
      call('Bash', { command: 'git reset --hard' }),
      call('Bash', { command: 'ls -la' }),
      call('Bash', { command: 'CMD=rm; $CMD -rf /' }),
      call('Bash', { command: 'eval "$X"' }),
      call('Read', { file_path: '~/.ssh/id_ed25519' }),
      call('Write', { file_path: '/work/ws/.git/hooks/pre-commit', content: '#!/bin/sh\n' }),
      call('Bash', { command: 'echo "unterminated' }),
    ];
    for (const loaded of [normal, lockdown]) {
      for (const b of bodies) {
        const hook = claudeHook(b, settings, loaded);
        const http = JSON.parse(answerClaudeHttp(b, loaded, settings).body);
        expect(http.hookSpecificOutput?.permissionDecision === 'deny', b).toBe(hook.exitCode === 2);
      }
    }
  });

  it('denies a body that is not a hook call in every mode (Claude Code never sends one)', () => {
    for (const body of ['', 'garbage', '[]', '{"hook_event_name":"PreToolUse"}']) {
      const out = JSON.parse(answerClaudeHttp(body, normal, settings).body).hookSpecificOutput;
      expect(out.permissionDecision, body).toBe('deny');
      expect(out.permissionDecisionReason).toMatch(/^blocked by ags guard \(guard\.input\)/);
    }
  });

  it('allows other events, as the command hook does', () => {
    const body = JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} });
    expect(answerClaudeHttp(body, normal, settings).body).toBe('{}');
  });
});
