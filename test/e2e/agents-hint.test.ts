import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_SERVER_PORT } from '../../agents/guard-server.js';
import { ADAPTERS } from '../../agents/index.js';
import { installedVersion } from '../../src/cli/commands/update-agents.js';
import { agsCopyWith, giveToTestUser, runAgs, runAgsFrom, writeTestConfig } from '../support/ags.js';
import { E2E_AGENT_VERSIONS, E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockGeminiApi, contentsText, functionResponses } from '../support/mock-gemini.js';
import { MockModel, scripted, systemText } from '../support/mock-model.js';
import {
  MockResponsesApi,
  type ResponsesRequest,
  developerMessages,
  functionCallOutputs,
  toolNames,
} from '../support/mock-openai.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// The prompt hint, end to end, for every agent besides Claude Code (run-claude.test.ts): `ags --agent NAME`
// starts the real agent CLI in the sandbox, pointed (by its own config in the sandbox home, plus [agents.NAME]
// env) at a mock of the API it speaks on the host; the mock records the request and the test reads the hint
// out of the field the adapter's mechanism puts it in.

const PINNED = E2E_AGENT_VERSIONS;
type Agent = keyof typeof PINNED;

let host: TestHost;
let tmp: ReturnType<typeof testUserTempDir>;
let repo: string;
// its own persistent data dir (tools volume and sandbox homes), so no other test's agent config is in the way
const dataDir = () => join(host.home, 'e2e-agents-data');

beforeAll(async () => {
  host = loadTestHost();
  tmp = testUserTempDir(host);
  repo = await makeTestRepo(host, tmp.dir);
  const config = writeTestConfig(host, join(tmp.dir, 'setup'), '', { image: E2E_IMAGE, dataDir: dataDir() });
  const tools = join(dataDir(), 'tools');
  const missing = (Object.keys(PINNED) as Agent[])
    .filter((a) => installedVersion(tools, ADAPTERS[a].npmPackage!) !== PINNED[a])
    .map((a) => `${a}@${PINNED[a]}`);
  await prepareE2eSandbox(host, config, repo, missing);
});

afterAll(() => tmp?.cleanup());

/** Writes a file into the agent's persistent sandbox home (as the user's own config would be). */
function writeHomeFile(agent: Agent, path: string, content: string): void {
  writeSandboxHomeFile(host, dataDir(), agent, path, content);
}

/** A config for one agent: the e2e image and data dir, the mock reachable on the host loopback, `section` TOML. */
function agentConfig(agent: Agent, section: string): string {
  return writeTestConfig(
    host,
    join(tmp.dir, agent),
    [
      '[network]',
      'allow_host_loopback = true # test only: the mock model listens on the host loopback',
      `[agents.${agent}]`,
      section,
    ].join('\n'),
    { image: E2E_IMAGE, dataDir: dataDir() },
  );
}

function runAgent(config: string, agent: Agent, args: string[]) {
  return runAgs(host, ['--config', config, '--agent', agent, '--', ...args], { cwd: repo, timeout: 150_000 });
}

let agsCopies = 0;

/** The same, with an ags whose guard bundle for `agent` is `bundle` (a guard that loads but does nothing). */
function runAgentWithGuard(config: string, agent: 'pi' | 'opencode', bundle: string, args: string[]) {
  const bin = agsCopyWith(host, join(tmp.dir, `ags-${agent}-guard-${++agsCopies}`), {
    [`dist/sandbox/${agent}-guard.mjs`]: bundle,
  });
  return runAgsFrom(host, bin, ['--config', config, '--agent', agent, '--', ...args], {
    cwd: repo,
    timeout: 150_000,
  });
}

/** A tool call trying to take the guard server's port, as a hostile agent would to answer in its place. */
const TAKE_PORT = `node -e "require('net').createServer().listen(${GUARD_SERVER_PORT}, '127.0.0.1', () => console.log('bound')).on('error', (e) => console.log('bind ${GUARD_SERVER_PORT}: ' + e.code))"`;
/** A tool call printing the session guard server's answer counts per hook path (GET /stats). */
const SERVER_STATS = `node -e "require('http').get('http://127.0.0.1:${GUARD_SERVER_PORT}/stats', (r) => r.pipe(process.stdout))"`;
const NOT_LOADED = /ags: warning: the ags guard did not load in (pi|opencode)/;

function expectHint(text: string): void {
  expect(text).toContain('# ags sandbox');
  expect(text).toContain('host.containers.internal');
  expect(text).toContain(`The workspace is ${repo}`);
}

describe('pi: --append-system-prompt reaches the Anthropic Messages system prompt', () => {
  let model: MockModel;
  let config: string;

  beforeAll(async () => {
    model = new MockModel(scripted([{ text: 'hello from the mock' }]));
    const port = await model.start('127.0.0.1');
    // pi's own way to reach any Anthropic-compatible endpoint: a provider in ~/.pi/agent/models.json
    writeHomeFile(
      'pi',
      '.pi/agent/models.json',
      JSON.stringify({
        providers: {
          mock: {
            baseUrl: `http://10.0.2.2:${port}`,
            api: 'anthropic-messages',
            apiKey: 'sk-ant-test-not-a-secret',
            models: [{ id: 'mock-model' }],
          },
        },
      }),
    );
    config = agentConfig('pi', '');
  });

  afterAll(() => model?.stop());

  it('answers a one-shot prompt and the system prompt carries the hint', async () => {
    const r = await runAgent(config, 'pi', [
      '-p',
      '--provider',
      'mock',
      '--model',
      'mock-model',
      'say hello',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout), String(r.stderr)).toContain('hello from the mock');
    expectHint(systemText(model.turnsSeen[0]!));
    // the extension loaded and said so: no warning
    expect(String(r.stderr)).not.toMatch(NOT_LOADED);
  });

  it('a guard extension that does not load is said loudly', async () => {
    // what a pi API change, or a bundle that fails half-way, amounts to: pi runs, nothing vetoes its tools
    const r = await runAgentWithGuard(config, 'pi', 'export default function () {}\n', [
      '-p',
      '--provider',
      'mock',
      '--model',
      'mock-model',
      'say hello',
    ]);
    // the agent ran (the mock answered), unguarded, and the user is told
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(
      /ags: warning: the ags guard did not load in pi \(no load marker when the agent exited\): its tool calls were NOT vetoed/,
    );
    // a bundle that throws while loading: whatever pi does with it, the run says the guard is not there
    const broken = await runAgentWithGuard(
      config,
      'pi',
      "throw new Error('broken bundle');\nexport default function () {}\n",
      ['-p', '--provider', 'mock', '--model', 'mock-model', 'say hello'],
    );
    expect(String(broken.stderr)).toMatch(/ags: warning: the ags guard did not load in pi/);
  });
});

describe('codex: -c developer_instructions reaches the Responses API as a developer message', () => {
  let model: MockResponsesApi;
  let config: string;

  beforeAll(async () => {
    model = new MockResponsesApi(() => 'hello from the mock');
    const port = await model.start('127.0.0.1');
    // a custom model provider in ~/.codex/config.toml; plain HTTP, no WebSocket transport, no retries
    writeHomeFile(
      'codex',
      '.codex/config.toml',
      [
        'model_provider = "mock"',
        '[model_providers.mock]',
        'name = "mock"',
        `base_url = "http://10.0.2.2:${port}/v1"`,
        'env_key = "MOCK_API_KEY"',
        'wire_api = "responses"',
        'supports_websockets = false',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    );
    config = agentConfig('codex', 'env = { MOCK_API_KEY = "sk-test-not-a-secret" }');
  });

  afterAll(() => model?.stop());

  it('answers codex exec and a developer message carries the hint', async () => {
    const r = await runAgent(config, 'codex', ['exec', '--skip-git-repo-check', 'say hello']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout), String(r.stderr)).toContain('hello from the mock');
    const hinted = developerMessages(model.turnsSeen[0]!).filter((m) => m.includes('# ags sandbox'));
    expect(hinted).toHaveLength(1);
    expectHint(hinted[0]!);
  });
});

describe('gemini: the ags-sandbox extension context reaches generateContent', () => {
  let model: MockGeminiApi;
  let config: string;

  beforeAll(async () => {
    model = new MockGeminiApi(() => 'hello from the mock');
    const port = await model.start('127.0.0.1');
    // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which headless mode rejects: pick the API key
    writeHomeFile(
      'gemini',
      '.gemini/settings.json',
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    );
    config = agentConfig(
      'gemini',
      `env = { GOOGLE_GEMINI_BASE_URL = "http://10.0.2.2:${port}", GEMINI_API_KEY = "test-not-a-secret" }`,
    );
  });

  afterAll(() => model?.stop());

  it('answers gemini -p and the loaded context carries the hint', async () => {
    const r = await runAgent(config, 'gemini', ['--skip-trust', '-p', 'say hello']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout), String(r.stderr)).toContain('hello from the mock');
    const contents = contentsText(model.turnsSeen[0]!);
    expect(contents).toContain('.gemini/extensions/ags-sandbox/AGS_SANDBOX.md');
    expectHint(contents);
  });
});

describe('gemini: the guard, a BeforeTool hook of the read-only ags-sandbox extension, blocks tool calls', () => {
  let model: MockGeminiApi;
  let config: string;
  beforeAll(async () => {
    writeHomeFile('gemini', '.ssh/id_ed25519', 'PRIVATE-KEY-MATERIAL\n');
    // a hostile repository tries to switch hooks off through its project settings (applied: --skip-trust)
    mkdirSync(join(repo, '.gemini'), { recursive: true });
    writeFileSync(
      join(repo, '.gemini', 'settings.json'),
      JSON.stringify({
        hooksConfig: { enabled: false, disabled: ['ags-guard', 'node /opt/ags/sandbox/gemini-hook.cjs'] },
      }),
    );
    giveToTestUser(host, join(repo, '.gemini'), join(repo, '.gemini', 'settings.json'));
    // each agent turn answers the latest tool result: first the rm -rf, then the key read, then done
    model = new MockGeminiApi((req) => {
      const seen = functionResponses(req).length;
      if (seen === 0)
        return { functionCall: { name: 'run_shell_command', args: { command: `rm -rf ${repo}` } } };
      // Gemini's read_file refuses paths outside the workspace by itself; its shell tool does not
      if (seen === 1)
        return { functionCall: { name: 'run_shell_command', args: { command: 'cat ~/.ssh/id_ed25519' } } };
      if (seen === 2) return { functionCall: { name: 'run_shell_command', args: { command: SERVER_STATS } } };
      return 'gave up';
    });
    const port = await model.start('127.0.0.1');
    // ... and so does the sandbox home's own settings, which an earlier run's agent could have written
    writeHomeFile(
      'gemini',
      '.gemini/settings.json',
      JSON.stringify({
        security: { auth: { selectedType: 'gemini-api-key' } },
        hooksConfig: { enabled: false, disabled: ['ags-guard'] },
      }),
    );
    config = agentConfig(
      'gemini',
      `env = { GOOGLE_GEMINI_BASE_URL = "http://10.0.2.2:${port}", GEMINI_API_KEY = "test-not-a-secret" }`,
    );
  });

  afterAll(() => model?.stop());

  it('blocks rm -rf of the workspace and reading an SSH key; the reasons reach the model', async () => {
    const r = await runAgent(config, 'gemini', ['--skip-trust', '--yolo', '-p', 'tidy up']);
    expect(existsSync(repo), String(r.stderr)).toBe(true);
    const turns = model.turnsSeen;
    expect(turns.length, String(r.stderr)).toBeGreaterThanOrEqual(3);
    expect(functionResponses(turns[1]!).at(-1)).toMatch(
      /blocked by ags guard \(fs\.rm-recursive-workspace\)/,
    );
    expect(functionResponses(turns[2]!).at(-1)).toMatch(/blocked by ags guard \(cred\.[a-z-]+\)/);
    for (const t of turns) expect(JSON.stringify(t)).not.toContain('PRIVATE-KEY-MATERIAL');
    // the thin hook asked the session's guard server (this call at least: one made before the server listened is
    // decided by the hook itself)
    expect(functionResponses(turns[3]!).at(-1)).toMatch(/gemini\\*":[123]\b/);
  });
});

describe('opencode: OPENCODE_CONFIG_CONTENT instructions reach the Anthropic Messages system prompt', () => {
  let model: MockModel;
  let config: string;

  beforeAll(async () => {
    model = new MockModel(scripted([{ text: 'hello from the mock' }]));
    const port = await model.start('127.0.0.1');
    // the user's own opencode.json points the built-in anthropic provider at the mock; ags's inline config
    // (OPENCODE_CONFIG_CONTENT) is merged over it
    writeHomeFile(
      'opencode',
      '.config/opencode/opencode.json',
      JSON.stringify({
        $schema: 'https://opencode.ai/config.json', // without it opencode rewrites the file on start
        model: 'anthropic/claude-sonnet-4-5',
        provider: {
          anthropic: {
            options: { baseURL: `http://10.0.2.2:${port}/v1`, apiKey: 'sk-ant-test-not-a-secret' },
          },
        },
      }),
    );
    // With a plugin configured (the ags guard), opencode waits for its npm install of @opencode-ai/plugin into
    // ~/.config/opencode (once; it persists in the sandbox home). Behind a TLS-intercepting proxy that install
    // fails only after about 70 s of retries, so hand opencode the host's CA bundle where there is one.
    const ca = '/etc/ssl/certs/ca-certificates.crt';
    config = agentConfig(
      'opencode',
      existsSync(ca)
        ? [
            'env = { OPENCODE_DISABLE_MODELS_FETCH = "1", NODE_EXTRA_CA_CERTS = "/opt/ags-test/host-ca.pem" }',
            '[[agent_mount]]',
            `agent = "opencode"\nhost = "${ca}"\ncontainer = "/opt/ags-test/host-ca.pem"\nmode = "ro"\nkind = "file"`,
          ].join('\n')
        : 'env = { OPENCODE_DISABLE_MODELS_FETCH = "1" }',
    );
  });

  afterAll(() => model?.stop());

  it('answers opencode run and the system prompt carries the hint', async () => {
    const r = await runAgent(config, 'opencode', ['run', 'say hello']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout), String(r.stderr)).toContain('hello from the mock');
    const system = systemText(model.turnsSeen[0]!);
    expect(system, JSON.stringify(model.requests.map((q) => q.path))).toContain(
      'Instructions from: /run/ags/AGS_SANDBOX.md',
    );
    expectHint(system);
    expect(String(r.stderr)).not.toMatch(NOT_LOADED);
  });

  it('starts in a repository whose .opencode/ has no .gitignore, which stays read-only and unchanged', async () => {
    // opencode writes .opencode/.gitignore at start and stops when it cannot; ags holds that file for it
    const dir = join(tmp.dir, 'opencode-project');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const project = await makeTestRepo(host, dir, { '.opencode/agent/reviewer.md': 'Review code.\n' });
    const asked = model.requests.length;
    const r = await runAgs(host, ['--config', config, '--agent', 'opencode', '--', 'run', 'say hello'], {
      cwd: project,
      timeout: 150_000,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout), String(r.stderr)).toMatch(/hello from the mock|done\./);
    expect(model.requests.length).toBeGreaterThan(asked);
    expect(readdirSync(join(project, '.opencode'))).toEqual(['agent']);
  });

  it('a guard plugin that does not load is said loudly', async () => {
    const r = await runAgentWithGuard(
      config,
      'opencode',
      'export default async function () { return {}; }\n',
      ['run', 'say hello'],
    );
    // the agent ran (the mock answered), unguarded, and the user is told
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(
      /ags: warning: the ags guard did not load in opencode \(no load marker when the agent exited\): its tool calls were NOT vetoed/,
    );
  });
});

describe('codex: the guard, a managed PreToolUse hook in root-owned /etc/codex/requirements.toml, blocks tool calls', () => {
  let model: MockResponsesApi;
  let config: string;
  const unreviewed = () => join(dataDir(), 'homes', 'codex', 'unreviewed-hook-ran');

  /**
   * Codex's shell tool, in whichever form this version offers it: 0.169.0 with a model it has no metadata for
   * offers only "code mode", a freeform `exec` tool whose JavaScript calls the nested tools.
   */
  function shellCall(req: ResponsesRequest, command: string) {
    if (toolNames(req).includes('shell'))
      return { functionCall: { name: 'shell', arguments: { command: ['bash', '-lc', command] } } };
    const js = [
      'try {',
      `  const r = await tools.exec_command({ cmd: ${JSON.stringify(command)} });`,
      '  text(typeof r === "string" ? r : JSON.stringify(r));',
      '} catch (e) {',
      '  text(String(e && e.message ? e.message : e));',
      '}',
    ].join('\n');
    return { customToolCall: { name: 'exec', input: js } };
  }

  beforeAll(async () => {
    writeHomeFile('codex', '.ssh/id_ed25519', 'PRIVATE-KEY-MATERIAL\n');
    model = new MockResponsesApi((req) => {
      const seen = functionCallOutputs(req).length;
      if (seen === 0) return shellCall(req, `rm -rf ${repo}`);
      if (seen === 1) return shellCall(req, 'cat ~/.ssh/id_ed25519');
      if (seen === 2) return shellCall(req, SERVER_STATS);
      if (seen === 3) return shellCall(req, TAKE_PORT);
      return 'gave up';
    });
    const port = await model.start('127.0.0.1');
    // what an earlier run's agent could have written into its own config: hooks switched off, and a hook of its
    // own, which must still wait for the user's review (no --dangerously-bypass-hook-trust any more)
    writeHomeFile(
      'codex',
      '.codex/config.toml',
      [
        'model_provider = "mock"',
        '[model_providers.mock]',
        'name = "mock"',
        `base_url = "http://10.0.2.2:${port}/v1"`,
        'env_key = "MOCK_API_KEY"',
        'wire_api = "responses"',
        'supports_websockets = false',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '[features]',
        'hooks = false',
        '[[hooks.PreToolUse]]',
        'matcher = "*"',
        '[[hooks.PreToolUse.hooks]]',
        'type = "command"',
        `command = "touch ${host.home}/unreviewed-hook-ran"`,
        '',
      ].join('\n'),
    );
    config = agentConfig('codex', 'env = { MOCK_API_KEY = "sk-test-not-a-secret" }');
  });

  afterAll(() => model?.stop());

  it('blocks rm -rf of the workspace and reading an SSH key; the reasons reach the model; no other hook runs unreviewed', async () => {
    const r = await runAgent(config, 'codex', [
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      'tidy up',
    ]);
    const why = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(existsSync(join(repo, '.git')), why).toBe(true);
    const turns = model.turnsSeen;
    expect(turns.length, why).toBeGreaterThanOrEqual(3);
    expect(functionCallOutputs(turns[1]!).at(-1), why).toMatch(
      /blocked by ags guard \(fs\.rm-recursive-workspace\)/,
    );
    expect(functionCallOutputs(turns[2]!).at(-1), why).toMatch(/blocked by ags guard \(cred\.[a-z-]+\)/);
    // the thin hook asked the session's guard server (this call at least: one made before the server listened is
    // decided by the hook itself)
    expect(functionCallOutputs(turns[3]!).at(-1), why).toMatch(/codex\\*":[123]\b/);
    // and the agent cannot take its port to answer in its place
    expect(functionCallOutputs(turns[4]!).at(-1), why).toMatch(/bind 947: EACCES/);
    expect(functionCallOutputs(turns[4]!).at(-1), why).not.toMatch(/\bbound\b/);
    for (const t of turns) expect(JSON.stringify(t)).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(existsSync(unreviewed()), why).toBe(false);
  });
});
