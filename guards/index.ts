/**
 * The ags guard engine: one engine for every agent. Entry points call `evaluateToolCall` (or `decide` with a
 * `ToolCall`), print `verdict.message` to block and `verdict.warnings` always.
 */
export { Budget, DEFAULT_LIMITS, LimitError, type Limits } from './engine/budget.js';
export {
  analyzeShell,
  decide,
  failVerdict,
  formatBlock,
  type DecideOptions,
  type Decision,
  type Failure,
  type Hit,
  type ShellAnalysis,
  type Verdict,
} from './engine/decide.js';
export {
  claudeHook,
  commandHook,
  evaluateToolCall,
  loadHookPolicy,
  type HookResult,
  type HookSettings,
  type LoadedPolicy,
} from './engine/hook.js';
export {
  decideInProcess,
  opencodeToolBefore,
  piToolCall,
  type InProcessDecision,
} from './engine/inprocess.js';
export {
  DEFAULT_POLICY,
  loadPolicyFile,
  mergeOverlay,
  parsePolicy,
  PolicyError,
  type ExtraRule,
  type Policy,
} from './engine/policy.js';
export { BUILTIN_RULES, META_RULES } from './engine/rules/index.js';
export { BUILTIN_SENSITIVE, SensitivePaths } from './engine/paths.js';
export { TOOL_TABLE, toToolCall, argvToCommand, type AgentKind, type ToolCall } from './engine/tools.js';
export { explainShell } from './engine/explain.js';
