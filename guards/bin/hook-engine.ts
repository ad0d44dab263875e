// The guard engine as a CommonJS module, bundled to dist/sandbox/hook-engine.cjs: what the thin command hooks
// (guards/engine/thin-hook.ts) load to decide themselves when the session's guard server does not answer.
export { commandHook } from '../engine/hook.js';
