/**
 * The pure parts of the guard entry points that run inside an agent's own process: the pi extension
 * (`tool_call` event) and the opencode plugin (`tool.execute.before`). Each maps the agent's event onto
 * `evaluateToolCall` and says what to hand back to the agent; the bundles in `guards/bin/` only print and return.
 */
import { failVerdict, type DecideOptions, type Verdict } from './decide.js';
import { evaluateToolCall, type LoadedPolicy } from './hook.js';
import type { AgentKind } from './tools.js';

export interface InProcessDecision {
  /** The reason to hand back to the agent (it reaches the model as the tool result); absent to allow. */
  block?: string;
  /** Fail-open notices and the block message, for the agent's stderr. */
  stderr: string;
  verdict: Verdict;
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Decides one tool call in process; never throws (an engine failure fails open, or closed in lockdown). */
export function decideInProcess(
  agent: AgentKind,
  toolName: unknown,
  toolInput: unknown,
  cwd: unknown,
  loaded: LoadedPolicy,
  opts: DecideOptions = {},
): InProcessDecision {
  let verdict: Verdict;
  try {
    const dir = typeof cwd === 'string' && cwd.startsWith('/') ? cwd : process.cwd();
    verdict =
      typeof toolName === 'string' && toolName
        ? evaluateToolCall(agent, toolName, toolInput, dir, loaded, opts)
        : failVerdict('input', 'tool call has no tool name', loaded.lockdown);
  } catch (e) {
    verdict = failVerdict('internal', `internal error: ${(e as Error).message}`, loaded.lockdown);
  }
  const lines = [...verdict.warnings];
  const out: InProcessDecision = { stderr: '', verdict };
  if (verdict.decision === 'block') {
    out.block = verdict.message ?? `blocked by ags guard (${verdict.rule})`;
    lines.push(out.block);
  }
  out.stderr = lines.length > 0 ? lines.join('\n') + '\n' : '';
  return out;
}

/** pi `tool_call` event (`{ type, toolCallId, toolName, input }`) with the extension context's `cwd`. */
export function piToolCall(
  event: unknown,
  cwd: unknown,
  loaded: LoadedPolicy,
  opts: DecideOptions = {},
): InProcessDecision {
  const e = record(event);
  return decideInProcess('pi', e.toolName, e.input, cwd, loaded, opts);
}

/** opencode `tool.execute.before` (`input: { tool, sessionID, callID }`, `output: { args }`) in `directory`. */
export function opencodeToolBefore(
  input: unknown,
  output: unknown,
  directory: unknown,
  loaded: LoadedPolicy,
  opts: DecideOptions = {},
): InProcessDecision {
  return decideInProcess('opencode', record(input).tool, record(output).args, directory, loaded, opts);
}
