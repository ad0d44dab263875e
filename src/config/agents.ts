/** The agents ags knows how to run: the adapters in agents/ are the single source of their names. */
export { AGENT_NAMES, type AgentName } from '../../agents/types.js';
