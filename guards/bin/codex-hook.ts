// Codex PreToolUse command hook, bundled to dist/sandbox/codex-hook.cjs and run once per tool call inside
// the sandbox: reads the hook JSON on stdin, exits 2 with the reason on stderr to block, 0 to allow.
import { commandHook } from '../engine/hook.js';
import { runCommandHook } from '../engine/stdin.js';

runCommandHook((text) => commandHook('codex', 'PreToolUse', text));
