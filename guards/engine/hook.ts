/**
 * The core of the command hooks (Claude Code PreToolUse, Gemini CLI BeforeTool, Codex PreToolUse), shared by the
 * in-sandbox bundles (`guards/bin/*-hook.ts`) and the host CLI (`ags guard check`), so both answer byte for byte
 * the same. Pure apart from reading the policy file.
 */
import { decide, failVerdict, type DecideOptions, type Verdict } from './decide.js';
import { DEFAULT_POLICY, loadPolicyFile, type Policy } from './policy.js';
import { toToolCall, type AgentKind } from './tools.js';

export interface HookSettings {
  /** Policy file path; when absent `env.AGS_GUARD_POLICY` is used; when both are absent the default policy. */
  policyPath?: string | null;
  /** Lockdown from a flag; `AGS_LOCKDOWN=1` and `policy.lockdown` also switch it on (any of them wins). */
  lockdown?: boolean;
  env?: Record<string, string | undefined>;
  /** The hook process's working directory, for an input without an absolute `cwd` (default: this process's). */
  cwd?: string;
  /** Engine overrides (tests, bench). */
  decide?: DecideOptions;
}

export interface HookResult {
  /** 0 allows, 2 blocks (Claude Code feeds stderr back to the model). */
  exitCode: 0 | 2;
  stderr: string;
  verdict: Verdict;
}

export interface LoadedPolicy {
  policy: Policy;
  lockdown: boolean;
  /** Set when the policy could not be loaded: the caller fails open or closed with it. */
  error?: string;
}

/** Resolves the policy and lockdown from settings and the environment. Never throws. */
export function loadHookPolicy(settings: HookSettings = {}): LoadedPolicy {
  const env = settings.env ?? process.env;
  const envLockdown = env.AGS_LOCKDOWN === '1' || env.AGS_LOCKDOWN === 'true';
  const path = settings.policyPath ?? env.AGS_GUARD_POLICY;
  const flag = settings.lockdown === true || envLockdown;
  if (!path) return { policy: DEFAULT_POLICY, lockdown: flag };
  try {
    const policy = loadPolicyFile(path);
    return { policy, lockdown: flag || policy.lockdown };
  } catch (e) {
    return { policy: DEFAULT_POLICY, lockdown: flag, error: (e as Error).message };
  }
}

function toResult(verdict: Verdict): HookResult {
  const lines = [...verdict.warnings];
  if (verdict.decision === 'block') lines.push(verdict.message ?? `blocked by ags guard (${verdict.rule})`);
  return {
    exitCode: verdict.decision === 'block' ? 2 : 0,
    stderr: lines.length > 0 ? lines.join('\n') + '\n' : '',
    verdict,
  };
}

/** Decides one tool call of any agent given as plain fields; the entry points of pi, opencode, gemini and codex use it. */
export function evaluateToolCall(
  agent: AgentKind,
  toolName: string,
  toolInput: unknown,
  cwd: string,
  loaded: LoadedPolicy,
  opts: DecideOptions = {},
): Verdict {
  if (loaded.error) return failVerdict('policy', loaded.error, loaded.lockdown);
  const call = toToolCall(agent, toolName, toolInput, cwd);
  // process.env is slow to read (a native lookup per access): only when the caller did not say
  const workspace = opts.workspace ?? process.env.AGS_WORKSPACE;
  const all: DecideOptions = { policy: loaded.policy, lockdown: loaded.lockdown };
  if (workspace) all.workspace = workspace;
  return decide(call, Object.assign(all, opts));
}

/** Answers one Claude Code PreToolUse hook input (the JSON text on stdin). */
export function claudeHook(
  stdinText: string,
  settings: HookSettings = {},
  loaded = loadHookPolicy(settings),
): HookResult {
  return commandHook('claude', 'PreToolUse', stdinText, settings, loaded);
}

/**
 * Answers one command-hook input of an agent that speaks the Claude-style protocol (JSON on stdin with
 * `hook_event_name`, `cwd`, `tool_name`, `tool_input`; exit 2 with the reason on stderr blocks): Claude Code
 * (`PreToolUse`), Gemini CLI (`BeforeTool`), Codex (`PreToolUse`). Other events are allowed.
 */
export function commandHook(
  agent: AgentKind,
  eventName: string,
  stdinText: string,
  settings: HookSettings = {},
  loaded = loadHookPolicy(settings),
): HookResult {
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(stdinText);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    input = parsed as Record<string, unknown>;
  } catch (e) {
    return toResult(
      failVerdict('input', `hook input is not valid JSON (${(e as Error).message})`, loaded.lockdown),
    );
  }
  if (input.hook_event_name !== undefined && input.hook_event_name !== eventName) {
    return toResult({ decision: 'allow', warnings: [] });
  }
  const tool = typeof input.tool_name === 'string' ? input.tool_name : '';
  const cwd =
    typeof input.cwd === 'string' && input.cwd.startsWith('/') ? input.cwd : (settings.cwd ?? process.cwd());
  if (!tool) return toResult(failVerdict('input', 'hook input has no tool_name', loaded.lockdown));
  const env = settings.env ?? process.env;
  const opts: DecideOptions = {};
  const home = env.HOME;
  const workspace = env.AGS_WORKSPACE;
  if (home) opts.home = home;
  if (workspace) opts.workspace = workspace;
  if (settings.decide) Object.assign(opts, settings.decide);
  return toResult(evaluateToolCall(agent, tool, input.tool_input, cwd, loaded, opts));
}
