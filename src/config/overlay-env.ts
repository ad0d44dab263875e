import { ADAPTERS } from '../../agents/index.js';
import { isTable } from './merge.js';
import type { PathSegment } from './positions.js';

/**
 * Variables a repo overlay may not set in `[agents.<name>.env]`: each changes how programs in the sandbox load or
 * run (preloads, module paths, startup files, the programs git and other tools start), where the agents read
 * their config (which would take them away from ags's wiring), or where their traffic and API keys go. The user
 * config may set all of them except AGS_* (see schema.ts). Names are case-sensitive, as on Linux; the proxy
 * variables are read in either case, so both are listed.
 */
export const OVERLAY_FORBIDDEN_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'SHELL',
  'ENV',
  'BASH_ENV',
  'PROMPT_COMMAND',
  'BROWSER',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'MANPAGER',
  'LESSOPEN',
  'LESSCLOSE',
  'TMPDIR',
  'PERL5LIB',
  'PERL5OPT',
  'PERLLIB',
  'PERL5DB',
  'RUBYOPT',
  'RUBYLIB',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((n) => [n, n.toLowerCase()]),
];

/** Name prefixes a repo overlay may not set; AGENT_PREFIXES are the agents' own config and wiring. */
export const OVERLAY_FORBIDDEN_ENV_PREFIXES: readonly string[] = [
  'AGS_',
  'LD_',
  'NODE_',
  'NPM_CONFIG_',
  'npm_config_',
  'GIT_',
  'SSH_',
  'PYTHON',
  'XDG_',
  'BASH_FUNC_',
  'CLAUDE_',
  'ANTHROPIC_',
  'CODEX_',
  'OPENAI_',
  'GEMINI_',
  'GOOGLE_',
  'OPENCODE_',
  'PI_',
];

/** Whether a repo overlay may set this variable. The adapters' static env (telemetry, auto-update) is ags's. */
export function overlayMaySetEnv(name: string): boolean {
  if (OVERLAY_FORBIDDEN_ENV_NAMES.includes(name)) return false;
  if (OVERLAY_FORBIDDEN_ENV_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !Object.values(ADAPTERS).some((a) => name in a.env);
}

/** The `agents.<name>.env.<VAR>` keys of a raw overlay that it may not set, in no particular order. */
export function forbiddenOverlayEnv(raw: unknown): PathSegment[][] {
  const agents = isTable(raw) ? raw.agents : undefined;
  if (!isTable(agents)) return [];
  const found: PathSegment[][] = [];
  for (const [agent, table] of Object.entries(agents)) {
    const env = isTable(table) ? table.env : undefined;
    if (!isTable(env)) continue;
    for (const name of Object.keys(env)) {
      if (!overlayMaySetEnv(name)) found.push(['agents', agent, 'env', name]);
    }
  }
  return found;
}

export const OVERLAY_ENV_WHY =
  'it changes how programs in the sandbox load or run, where the agent reads its config, or where its traffic goes';
