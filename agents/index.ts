import { claude } from './claude/index.js';
import { codex } from './codex/index.js';
import { gemini } from './gemini/index.js';
import { opencode } from './opencode/index.js';
import { pi } from './pi/index.js';
import { shell } from './shell/index.js';
import type { AgentAdapter, AgentName } from './types.js';

export { AGENT_NAMES, type AgentAdapter, type AgentName } from './types.js';

export const ADAPTERS: Record<AgentName, AgentAdapter> = { claude, codex, gemini, opencode, pi, shell };
