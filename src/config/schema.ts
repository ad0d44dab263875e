import { z } from 'zod';
import { AGENT_NAMES } from './agents.js';
import { IMAGE_REF_FORM, imageRefProblem } from './image-ref.js';
import { parseAllowEntry } from '../network/allowlist.js';
import { NETWORK_PRESETS } from '../network/presets.js';

/** One allowlist entry: a host, `*.domain`, an IP address or CIDR range, or an `@preset`. */
const AllowDomain = z.string().superRefine((v, ctx) => {
  if (v.startsWith('@')) {
    if (!Object.hasOwn(NETWORK_PRESETS, v.slice(1)))
      ctx.addIssue({
        code: 'custom',
        message: `unknown preset "${v}" (one of: ${Object.keys(NETWORK_PRESETS)
          .map((p) => `@${p}`)
          .join(', ')})`,
      });
    return;
  }
  const parsed = parseAllowEntry(v);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

export const NETWORK_MODES = ['open', 'allowlist', 'none'] as const;

/** `[agents.X.network]`: this agent's network, over `[network]`. */
const AgentNetworkSchema = z.strictObject({
  mode: z.enum(NETWORK_MODES).optional().describe("This agent's network mode, over [network] mode."),
  allow_domains: z
    .array(AllowDomain)
    .default([])
    .describe('Added to [network] allow_domains for this agent.'),
});

/**
 * The one description of the ags configuration: types, defaults, validation messages and (through
 * json-schema.ts) the published JSON Schema all come from here. Every table is strict, so an unknown key
 * is an error instead of a silently ignored typo.
 *
 * Host path fields are plain strings here; load.ts expands `~`, `$VAR` and `${VAR}` in them and makes them
 * absolute (relative to the file that set them) before the final parse. The list of those fields lives in
 * expand.ts (PATH_FIELDS) next to the code that expands them.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const EnvName = z
  .string()
  .regex(ENV_NAME, 'must be an environment variable name (letters, digits and _, not starting with a digit)');

/** A path on the host. `~`, `$VAR` and `${VAR}` are expanded; a relative path is relative to the config file. */
const HostPath = z.string().min(1, 'must not be empty');

/** A path inside the container: absolute, never expanded. */
const ContainerPath = z
  .string()
  .regex(/^\//, 'must be an absolute path inside the container (starting with /)')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments');

/** An image reference podman can use; a bad one is a config error here, not podman's at start-up. */
const ImageRef = z.string().superRefine((ref, ctx) => {
  const problem = imageRefProblem(ref);
  if (problem === 'must not be empty') ctx.addIssue({ code: 'custom', message: problem });
  else if (problem !== null)
    ctx.addIssue({
      code: 'custom',
      message: `is not a valid image reference (${IMAGE_REF_FORM}): ${problem}`,
    });
});

/** Run modes a `when` list can name besides agent names. */
export const RUN_MODES = ['normal', 'lockdown'] as const;

const When = z
  .array(z.enum([...AGENT_NAMES, ...RUN_MODES]))
  .min(1, 'must name at least one agent or mode (leave `when` out to mean "always")')
  .describe(
    'Restricts the entry: agent names limit it to those agents, "normal"/"lockdown" to those run modes. ' +
      'Absent: every agent, normal runs (and lockdown runs only if lockdown.allow_mounts is true).',
  );

const mountShape = {
  host: HostPath.describe('Host path to mount (~, $VAR, ${VAR} expanded; relative to the config file).'),
  container: ContainerPath.optional().describe('Path inside the container; default: the same as `host`.'),
  mode: z.enum(['ro', 'rw']).describe('Read-only or read-write. Required: there is no silent default.'),
  kind: z.enum(['dir', 'file']).default('dir').describe('Whether the host path is a directory or a file.'),
  create: z
    .boolean()
    .default(false)
    .describe('Create a missing host path (mkdir -p, or an empty file for kind = "file").'),
  optional: z
    .boolean()
    .default(false)
    .describe('Skip the mount when the host path is missing (otherwise a missing source is an error).'),
  when: When.optional(),
};

function withContainer<T extends { host: string; container?: string | undefined }>(
  m: T,
): T & { container: string } {
  // rebuilt so that `container` prints right after `host`
  const { host, container, ...rest } = m;
  return { host, container: container ?? host, ...rest } as T & { container: string };
}

export const MountSchema = z.strictObject(mountShape).transform(withContainer);

export const AgentMountSchema = z
  .strictObject({
    ...mountShape,
    agent: z.enum(AGENT_NAMES).describe('The agent this mount belongs to; other agents never see it.'),
  })
  .transform(withContainer);

export const ToolSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a simple name (letters, digits, ".", "_", "-")'),
    path: HostPath.describe(
      'The host binary, mounted read-only into the container. It is never run on the host.',
    ),
    container: ContainerPath.optional().describe('Where the binary appears; default /usr/local/bin/<name>.'),
    optional: z.boolean().default(false).describe('Skip the tool when the host binary is missing.'),
    when: When.optional(),
    directory: z
      .array(MountSchema)
      .default([])
      .describe('Extra directories the tool needs, same keys as [[mount]].'),
  })
  .transform(({ name, path, container, ...rest }) => ({
    name,
    path,
    container: container ?? `/usr/local/bin/${name}`,
    ...rest,
  }));

const SECRET_SOURCES = ['from_env', 'keyring', 'command'] as const;

export const SecretSchema = z
  .strictObject({
    env: EnvName.describe('The variable the secret is exposed as inside the sandbox.'),
    from_env: EnvName.optional().describe('Source: the value of this host environment variable.'),
    keyring: z
      .strictObject({
        service: z.string().min(1, 'must not be empty'),
        account: z.string().min(1, 'must not be empty'),
      })
      .optional()
      .describe('Source: an item of the desktop keyring (Secret Service), looked up by service and account.'),
    command: z
      .array(z.string())
      .min(1, 'must not be empty: give the program and its arguments')
      .optional()
      .describe(
        'Source: the stdout of this command (argv list; the program must be an absolute path after expansion). User config only.',
      ),
  })
  .superRefine((s, ctx) => {
    const given = SECRET_SOURCES.filter((k) => s[k] !== undefined);
    if (given.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one source; allowed: ${SECRET_SOURCES.join(', ')}`,
      });
    } else if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [given[1]!],
        message: `has more than one source (${given.join(' and ')}); give exactly one of ${SECRET_SOURCES.join(', ')}`,
      });
    }
  });

const AgentSchema = z.strictObject({
  args: z.array(z.string()).default([]).describe('Extra arguments passed to the agent, before your own.'),
  env: z
    .record(
      EnvName.refine((n) => !n.startsWith('AGS_'), {
        message: 'AGS_* variables are set by ags itself and may not be set here (they wire the guard)',
      }),
      z.string(),
    )
    .default({})
    .describe('Extra environment variables (name = value) set inside the sandbox for this agent.'),
  host_home: z
    .boolean()
    .default(false)
    .describe(
      "Mount the host's own agent home (for example ~/.claude) instead of the isolated sandbox home.",
    ),
  network: AgentNetworkSchema.prefault({}),
  lockdown: z
    .boolean()
    .default(false)
    .describe('Run this agent in lockdown by default (as with --lockdown). User config only.'),
});

function agentSection() {
  return AgentSchema.prefault({});
}

const AgentsSchema = z.strictObject({
  claude: agentSection(),
  codex: agentSection(),
  gemini: agentSection(),
  opencode: agentSection(),
  pi: agentSection(),
  shell: agentSection(),
});

const SandboxSchema = z.strictObject({
  image: ImageRef.default('localhost/ags:latest').describe('The image to run.'),
  containerfile: HostPath.optional().describe(
    "Your own Containerfile to build `image` from; default: ags's bundled one.",
  ),
  base_image: ImageRef.default('docker.io/library/node:24-bookworm-slim').describe(
    'The base image the bundled Containerfile builds on (its BASE_IMAGE build argument).',
  ),
  cache_dir: HostPath.default('$XDG_CACHE_HOME/ags').describe('Where ags keeps caches.'),
  data_dir: HostPath.default('$XDG_DATA_HOME/ags').describe(
    'Where ags keeps persistent data, such as the isolated agent homes.',
  ),
  passthrough_env: z
    .array(EnvName)
    .default([])
    .describe('Host environment variables copied into the sandbox when set. Empty by default: no API keys.'),
  ssh_keys: z
    .array(HostPath)
    .default([])
    .describe('Private keys offered to the sandbox through an SSH agent (never mounted).'),
  signing_key: HostPath.optional().describe(
    'SSH key that signs the commits and tags made in the sandbox: offered through its SSH agent (never mounted), with git set to sign in SSH format with it. Its public key must be beside it (KEY.pub).',
  ),
  git_config: z
    .enum(['read-only', 'writable'])
    .default('read-only')
    .describe(
      'Whether the agent may change .git/config and .git/hooks (of the workspace, every -d, submodules and worktrees), which git on the host runs. "read-only": `git config` and `git remote add` fail in the sandbox. User config only.',
    ),
  writable_agent_config: z
    .boolean()
    .default(false)
    .describe(
      'Let the agent change project settings that agents and editors on the host load (.claude/, .codex/, .gemini/, .opencode/, .pi/, .cursor/, .vscode/, .idea/, .zed/, .devcontainer/, .github/hooks/, .ags/, .mcp.json, opencode.json, .envrc, ...). User config only.',
    ),
});

export const ULIMIT_NAMES = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;

const UlimitValue = z.union(
  [
    z.int().min(-1, 'must be -1 (unlimited) or more'),
    z.string().regex(/^(-1|\d+)(:(-1|\d+))?$/, 'must be "soft:hard" or one number, for example "1024:4096"'),
  ],
  { error: 'must be an integer or a "soft:hard" string' },
);

/** What only the Podman backend has: `[runtime.podman]`. */
const PodmanSchema = z.strictObject({
  oci_runtime: z
    .string()
    .min(1, 'must not be empty')
    .optional()
    .describe('The OCI runtime podman uses (--runtime), for example "crun" or "runc".'),
  ulimits: z
    .partialRecord(z.enum(ULIMIT_NAMES), UlimitValue)
    .default({})
    .describe('Resource limits (--ulimit name=soft:hard).'),
  extra_args: z
    .array(z.string())
    .default([])
    .describe('Extra arguments for `podman run`, inserted before the image. User config only.'),
});

const RuntimeSchema = z.strictObject({
  engine: z.enum(['podman']).default('podman').describe('The sandbox backend. Only podman for now.'),
  init: z
    .boolean()
    .default(true)
    .describe(
      "Run a tiny init as PID 1 (podman's --init, the catatonit binary): it forwards signals to the agent and reaps zombies. Set false only where catatonit cannot be installed; the agent is then PID 1.",
    ),
  pids_limit: z
    .int()
    .min(1, 'must be at least 1')
    .default(4096)
    .describe('Maximum processes (--pids-limit).'),
  memory: z
    .string()
    .regex(/^\d+(\.\d+)?[bkmg]?$/i, 'must be a size like "512m" or "8g"')
    .optional()
    .describe('Memory limit (--memory), for example "8g".'),
  cpus: z
    .number()
    .positive('must be more than 0')
    .optional()
    .describe('CPU limit (--cpus), for example 2.5.'),
  podman: PodmanSchema.prefault({}).describe('Options only the podman backend has.'),
});

const GuardRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase id (letters, digits, ".", "_", "-")'),
    pattern: z.string().min(1, 'must not be empty'),
    match: z
      .enum(['prefix', 'regex'])
      .default('prefix')
      .describe('"prefix": the command starts with these words; "regex": a JavaScript regular expression.'),
    reason: z
      .string()
      .min(1, 'must not be empty')
      .describe('Shown to the agent when the rule blocks a command.'),
  })
  .superRefine((r, ctx) => {
    if (r.match !== 'regex') return;
    try {
      new RegExp(r.pattern);
    } catch (err) {
      // V8's message repeats the whole pattern ("Invalid regular expression: /PATTERN/: why"); keep the why
      const message = (err as Error).message;
      const at = message.lastIndexOf('/: ');
      const why = at === -1 ? message : message.slice(at + 3);
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `is not a valid regular expression (${why})`,
      });
    }
  });

const GuardSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Run the in-sandbox guard. User config only.'),
  rules: z.array(GuardRuleSchema).default([]).describe('Extra rules, added to the built-in ones.'),
  allow: z
    .array(z.string().min(1, 'must not be empty'))
    .default([])
    .describe('Rule ids or exact commands the guard lets through. User config only.'),
  sensitive_paths: z
    .array(z.string().min(1, 'must not be empty'))
    .default([])
    .describe('Extra paths (inside the sandbox, globs allowed) the agent may not read or write.'),
});

const DOMAIN = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

const AuthProxySchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Relay browser logins (OAuth) from the sandbox to the host.'),
  auto_allow_domains: z
    .array(z.string().regex(DOMAIN, 'must be a domain like "example.com" or "*.example.com"'))
    .default([])
    .describe(
      'URLs on these hosts open without asking: an exact host, or "*.example.com" for its subdomains (not example.com itself).',
    ),
  approval: z
    .enum(['prompt', 'deny'])
    .default('prompt')
    .describe(
      'Other URLs: "prompt" asks you (a zenity/kdialog dialog with a display, else the terminal ags runs in, else refused); "deny" refuses them.',
    ),
  timeout_seconds: z
    .int()
    .min(1, 'must be at least 1')
    .max(3600, 'must be at most 3600')
    .default(300)
    .describe('How long a question, and a login waiting for its callback, may take.'),
});

const NetworkSchema = z.strictObject({
  mode: z
    .enum(NETWORK_MODES)
    .default('open')
    .describe(
      '"open": outbound network (podman: slirp4netns); "allowlist": no interface, egress only through ags\'s host proxy to allow_domains; "none": no network at all.',
    ),
  allow_host_loopback: z
    .boolean()
    .default(false)
    .describe(
      'Let the sandbox reach services on the host\'s loopback ("open"; under "allowlist", as host.containers.internal through the proxy).',
    ),
  allow_domains: z
    .array(AllowDomain)
    .default([])
    .describe(
      'Where "allowlist" lets the sandbox go: host names, "*.domain" (subdomains only), IP addresses or CIDR ranges, and presets (@claude, @codex, @gemini, @opencode, @pi, @packages, @git). The selected agent\'s preset is always added.',
    ),
  max_connections: z
    .int()
    .min(1, 'must be at least 1')
    .max(4096, 'must be at most 4096')
    .default(64)
    .describe('Connections the egress proxy keeps open at once for one run ("allowlist").'),
});

const TmpfsSize = z
  .string()
  .regex(/^[1-9]\d*[kmg]$/i, 'must be a whole size like "64m" or "1g" (digits and k, m or g)');

/** The networks a lockdown run may have: never "open". */
export const LOCKDOWN_NETWORK_MODES = ['allowlist', 'none'] as const;

const LockdownSchema = z.strictObject({
  network: z
    .enum(LOCKDOWN_NETWORK_MODES)
    .default('allowlist')
    .describe(
      'Network of lockdown runs: "allowlist" (only the agent\'s own preset and allow_domains, through the host proxy) or "none". Never "open".',
    ),
  allow_domains: z
    .array(AllowDomain)
    .default([])
    .describe(
      "Added to the agent's preset in lockdown ([network] allow_domains and [agents.X.network] do not apply there).",
    ),
  memory: z
    .string()
    .regex(/^\d+(\.\d+)?[bkmg]?$/i, 'must be a size like "512m" or "4g"')
    .default('4g')
    .describe('Memory limit of lockdown runs ([runtime] memory applies when it is lower).'),
  cpus: z
    .number()
    .positive('must be more than 0')
    .default(2)
    .describe('CPU limit of lockdown runs ([runtime] cpus applies when it is lower).'),
  pids_limit: z
    .int()
    .min(1, 'must be at least 1')
    .default(1024)
    .describe(
      'Maximum processes and threads of lockdown runs ([runtime] pids_limit applies when it is lower).',
    ),
  require_limits: z
    .boolean()
    .default(true)
    .describe(
      'Refuse a lockdown run on a host that cannot enforce memory, cpus and pids_limit (rootless cgroup v1, controllers not delegated); false runs without them, with a warning.',
    ),
  tmp_size: TmpfsSize.default('512m').describe('Size of the tmpfs at /tmp in lockdown runs.'),
  var_tmp_size: TmpfsSize.default('256m').describe('Size of the tmpfs at /var/tmp in lockdown runs.'),
  run_size: TmpfsSize.default('16m').describe('Size of the tmpfs at /run in lockdown runs.'),
  cache_size: TmpfsSize.default('512m').describe(
    "Size of each tmpfs over the home's cache directories (~/.cache, ~/.npm) in lockdown runs.",
  ),
  auth_proxy: z
    .boolean()
    .default(false)
    .describe('Run the auth proxy ([auth_proxy]) in lockdown too; off by default.'),
  allow_mounts: z
    .boolean()
    .default(false)
    .describe(
      'In lockdown, also apply [[mount]], [[agent_mount]] and [[tool]] entries without a `when`; ' +
        'otherwise only entries whose `when` names "lockdown" apply.',
    ),
  copy_credentials: z
    .boolean()
    .default(false)
    .describe(
      "Also stage the agent's login (for example ~/.claude/.credentials.json) into the lockdown home; off by default: log in anew or pass an API key with --secret.",
    ),
});

/**
 * An alias name: written as a file in a PATH directory and as a shell alias or function, so it may hold no
 * path separator, space or shell character, and may not start with "-" (an option) or "." (a hidden file).
 */
export const ALIAS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
export const ALIAS_NAME_RULE =
  'must be a command name: letters, digits, "_", ".", "+", "-", not starting with "-" or "." (no "/", spaces or shell characters)';

/** An alias stands for a run: `--agent NAME` among its ags arguments, before any `--`. */
export function aliasArgsProblem(args: readonly string[]): string | null {
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  const agent = own.findIndex((a) => a === '--agent' || a.startsWith('--agent='));
  if (agent === -1 || (own[agent] === '--agent' && agent + 1 >= own.length)) {
    return 'must choose the agent: an alias stands for a run, for example ["--agent", "claude"]';
  }
  return null;
}

export const AliasSchema = z
  .strictObject({
    name: z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(ALIAS_NAME, ALIAS_NAME_RULE)
      .refine((n) => n !== 'ags', 'must not be "ags" itself')
      .describe('The command name, for example "ags-claude" (a wrapper file and a shell alias).'),
    args: z
      .array(
        z
          .string()
          .refine(
            (v) => ![...v].some((c) => c < ' ' || c === '\u007f'),
            'must not contain control characters (line breaks, tabs)',
          ),
      )
      .describe(
        'The ags arguments it stands for, for example ["--agent", "claude", "-D"]. Your own arguments follow after "--".',
      ),
  })
  .superRefine((a, ctx) => {
    const problem = aliasArgsProblem(a.args);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['args'], message: problem });
  });

const AliasesSchema = z
  .array(AliasSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(a.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `is given twice ("${a.name}")` });
      seen.add(a.name);
    });
  })
  .describe(
    'Shell aliases and wrappers `ags create-aliases` writes. User config only. Default: one per agent.',
  );

export const ConfigSchema = z
  .strictObject({
    sandbox: SandboxSchema.prefault({}),
    runtime: RuntimeSchema.prefault({}),
    network: NetworkSchema.prefault({}),
    lockdown: LockdownSchema.prefault({}),
    mount: z.array(MountSchema).default([]).describe('Host paths mounted for every agent.'),
    agent_mount: z.array(AgentMountSchema).default([]).describe('Host paths mounted for one agent only.'),
    tool: z.array(ToolSchema).default([]).describe('Host binaries made available inside the sandbox.'),
    secret: z.array(SecretSchema).default([]).describe('Secrets exposed as environment variables.'),
    agents: AgentsSchema.prefault({}),
    auth_proxy: AuthProxySchema.prefault({}),
    guard: GuardSchema.prefault({}),
    alias: AliasesSchema,
  })
  .describe('ags configuration (~/.config/ags/config.toml and trusted <repo>/.ags/config.toml overlays).');

export type Config = z.infer<typeof ConfigSchema>;
export type Mount = Config['mount'][number];
export type AgentMount = Config['agent_mount'][number];
export type Tool = Config['tool'][number];
export type Secret = Config['secret'][number];
export type AgentSettings = Config['agents']['claude'];
export type GuardRule = Config['guard']['rules'][number];
export type Alias = Config['alias'][number];
