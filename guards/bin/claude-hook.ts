// Claude Code PreToolUse hook, bundled to dist/sandbox/claude-hook.mjs and run once per tool call inside the
// sandbox: reads the hook JSON on stdin, exits 2 with the reason on stderr to block, 0 to allow.
import { claudeHook } from '../engine/hook.js';
import { readStdinSync } from '../engine/stdin.js';

let text = '';
try {
  text = readStdinSync();
} catch {
  // unreadable input: claudeHook('') reports the parse failure (open with a warning, closed in lockdown)
  text = '';
}
const result = claudeHook(text);
if (result.stderr) process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
