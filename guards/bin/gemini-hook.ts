// Gemini CLI BeforeTool command hook, bundled to dist/sandbox/gemini-hook.mjs and run once per tool call inside
// the sandbox: reads the hook JSON on stdin, exits 2 with the reason on stderr to block, 0 to allow.
import { readFileSync } from 'node:fs';
import { commandHook } from '../engine/hook.js';

let text = '';
try {
  text = readFileSync(0, 'utf8');
} catch {
  text = '';
}
const result = commandHook('gemini', 'BeforeTool', text);
if (result.stderr) process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
