/**
 * Claude Code's `"type": "http"` PreToolUse hook, answered by the session-long guard server
 * (guards/bin/guard-server.ts): the same decision as the command hook (`claudeHook`), in the http hook's
 * protocol. Claude Code POSTs the hook JSON and reads a JSON answer: `{}` lets the call go on, a
 * `permissionDecision: "deny"` blocks it with the reason the model sees. Anything else (a non-2xx status, a body
 * that is not JSON, no answer in time) counts as a failure, which the wiring's `onFailure: "block"` turns into a
 * block.
 */
import { claudeHook, commandHook, type HookSettings, type LoadedPolicy } from './hook.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** The JSON body of a block: the reason (with any warnings first, as the command hook prints them). */
export function denyBody(reason: string): string {
  return JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: reason,
    },
  });
}

/**
 * Answers one hook request body. Input the guard cannot read blocks in every mode here: Claude Code always sends
 * a JSON object, so a body that is not one came from something else (the agent itself, say), and a server has no
 * reason to be lenient with it.
 */
export function answerClaudeHttp(
  bodyText: string,
  loaded: LoadedPolicy,
  settings: HookSettings = {},
): HttpAnswer {
  const r = claudeHook(bodyText, settings, loaded);
  if (r.exitCode === 2) return { status: 200, body: denyBody(r.stderr.trimEnd()) };
  if (r.verdict.failure === 'input') {
    return {
      status: 200,
      body: denyBody(
        'blocked by ags guard (guard.input): the request is not a Claude Code hook call (a JSON object with tool_name)',
      ),
    };
  }
  return { status: 200, body: '{}' };
}

/** The command-hook agents whose hook is a thin client of the server (guards/engine/thin-hook.ts), and their event. */
export const COMMAND_HOOK_EVENTS = { codex: 'PreToolUse', gemini: 'BeforeTool' } as const;
export type CommandHookAgent = keyof typeof COMMAND_HOOK_EVENTS;

/** What a thin command hook replays: its exit code (2 blocks) and the lines for stderr. */
export interface CommandAnswer {
  exitCode: 0 | 2;
  stderr: string;
}

/**
 * Answers a thin command hook's request: the body is the hook's stdin as the agent wrote it, `cwd` the hook
 * process's own working directory; the answer is byte for byte what the command hook would have printed itself.
 */
export function answerCommandHttp(
  agent: CommandHookAgent,
  bodyText: string,
  loaded: LoadedPolicy,
  cwd: string | undefined,
  settings: HookSettings = {},
): HttpAnswer {
  const r = commandHook(
    agent,
    COMMAND_HOOK_EVENTS[agent],
    bodyText,
    cwd ? { ...settings, cwd } : settings,
    loaded,
  );
  const answer: CommandAnswer = { exitCode: r.exitCode, stderr: r.stderr };
  return { status: 200, body: JSON.stringify(answer) };
}
