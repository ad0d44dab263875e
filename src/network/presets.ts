/**
 * Named groups of hosts usable in an allowlist as `@name`: each agent's model API and login endpoints, package
 * registries, git hosts. Kept to what each tool needs to work; a user adds the rest by name.
 */
export const NETWORK_PRESETS = {
  // API; login: authorize on claude.ai / claude.com, token on platform.claude.com (console.anthropic.com before)
  claude: ['api.anthropic.com', 'claude.ai', 'claude.com', 'platform.claude.com', 'console.anthropic.com'],
  // API; ChatGPT login (auth.openai.com) and the ChatGPT-plan backend (chatgpt.com/backend-api)
  codex: ['api.openai.com', 'auth.openai.com', 'chatgpt.com'],
  // API key (generativelanguage), Code Assist for Google login (cloudcode-pa), OAuth token, user info, authorize
  gemini: [
    'generativelanguage.googleapis.com',
    'cloudcode-pa.googleapis.com',
    'oauth2.googleapis.com',
    'www.googleapis.com',
    'accounts.google.com',
  ],
  // opencode's own services (Zen, config schema) and model catalog, then the providers it ships and their logins;
  // it installs provider SDKs and plugin dependencies from registry.npmjs.org, which stays out (@packages)
  opencode: [
    'opencode.ai',
    'models.dev',
    'api.anthropic.com',
    'api.openai.com',
    'auth.openai.com',
    'chatgpt.com',
    'generativelanguage.googleapis.com',
  ],
  // the providers pi's /login and API keys reach: Anthropic (claude.ai, platform.claude.com), OpenAI and its
  // ChatGPT-plan backend, Gemini
  pi: [
    'api.anthropic.com',
    'claude.ai',
    'platform.claude.com',
    'api.openai.com',
    'auth.openai.com',
    'chatgpt.com',
    'generativelanguage.googleapis.com',
  ],
  packages: [
    'registry.npmjs.org',
    'pypi.org',
    'files.pythonhosted.org',
    'crates.io',
    'index.crates.io',
    'static.crates.io',
    'proxy.golang.org',
    'sum.golang.org',
    'deb.debian.org',
    'security.debian.org',
  ],
  git: [
    'github.com',
    'api.github.com',
    'codeload.github.com',
    '*.githubusercontent.com',
    'gitlab.com',
    'registry.gitlab.com',
  ],
} as const satisfies Record<string, readonly string[]>;

export type PresetName = keyof typeof NETWORK_PRESETS;

/**
 * Expands `@name` entries into their hosts, keeping every other entry as it is, in order, without duplicates.
 * An unknown `@name` is an error the caller turns into a config message.
 */
export function expandPresets(entries: readonly string[]): { entries: string[]; unknown: string[] } {
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const e of entries) {
    if (!e.startsWith('@')) {
      out.add(e);
      continue;
    }
    const name = e.slice(1);
    if (Object.hasOwn(NETWORK_PRESETS, name)) {
      for (const h of NETWORK_PRESETS[name as PresetName]) out.add(h);
    } else unknown.push(e);
  }
  return { entries: [...out], unknown };
}
