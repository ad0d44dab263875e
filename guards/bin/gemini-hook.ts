// Gemini CLI BeforeTool command hook, bundled to dist/sandbox/gemini-hook.cjs and run once per tool call inside
// the sandbox: reads the hook JSON on stdin, asks the session's guard server (or, failing that, the engine in
// hook-engine.cjs), exits 2 with the reason on stderr to block, 0 to allow.
import { runThinCommandHook } from '../engine/thin-hook.js';

runThinCommandHook('gemini', 'BeforeTool');
