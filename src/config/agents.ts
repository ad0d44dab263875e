/** The agents ags knows how to run. The config schema and the CLI both take their names from here. */
export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'pi', 'shell'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];
