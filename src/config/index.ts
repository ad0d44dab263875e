/** The config API the rest of ags uses. */
export type { Config, Mount, AgentMount, Tool, Secret, AgentSettings, GuardRule } from './schema.js';
export { ConfigSchema } from './schema.js';
export type { LoadOptions, LoadedConfig, OverlayStatus } from './load.js';
export { loadConfig, defaultConfig } from './load.js';
export type { Origin } from './origin.js';
export type { ConfigIO } from './prompt.js';
export { entryApplies, type RunContext } from './when.js';
export { AGENT_NAMES, type AgentName } from './agents.js';
export { defaultUserConfigPath, trustStorePath } from './locate.js';
