import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../agents/index.js';
import { installedVersion } from '../../src/cli/commands/update-agents.js';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_AGENT_VERSIONS, E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockGeminiApi, functionResponses } from '../support/mock-gemini.js';
import { MockModel, scripted, toolResults } from '../support/mock-model.js';
import {
  MockResponsesApi,
  type ResponsesRequest,
  functionCallOutputs,
  toolNames,
} from '../support/mock-openai.js';
import type { RecordingServer } from '../support/mock-http.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// Codex, Gemini CLI, opencode and pi under the allowlist network, each the real pinned binary: the sandbox has no
// interface, so the model API (a mock on the host's loopback, at 10.0.2.2, which the proxy maps to the host's
// loopback only with allow_host_loopback) is reached through ags's egress proxy or not at all. In one turn the
// model has the agent's shell tool fetch a host on no list, and the proxy's refusal must come back as the tool's
// output; with the mock's address not allowed, the agent gets no answer and the mock sees nothing.

type Agent = keyof typeof E2E_AGENT_VERSIONS;

let host: TestHost;
let tmp: ReturnType<typeof testUserTempDir>;
let repo: string;
// its own persistent data dir (tools volume and sandbox homes): these tests rewrite the agents' own configs
const dataDir = () => join(host.home, 'e2e-network-data');

/** A host no allowlist names; the proxy refuses it by name, before any lookup. */
const FORBIDDEN_URL = 'http://example.com/';
const FETCH_FORBIDDEN = `curl -sS -i --max-time 30 ${FORBIDDEN_URL}`;
const REFUSED =
  /403[\s\S]*ags: example\.com is not on the allowlist; allow it with --allow-domain example\.com/;
const FINAL_TEXT = 'hello through the proxy';

beforeAll(async () => {
  host = loadTestHost();
  tmp = testUserTempDir(host);
  repo = await makeTestRepo(host, tmp.dir);
  const config = writeTestConfig(host, join(tmp.dir, 'setup'), '', { image: E2E_IMAGE, dataDir: dataDir() });
  const tools = join(dataDir(), 'tools');
  const missing = (Object.keys(E2E_AGENT_VERSIONS) as Agent[])
    .filter((a) => installedVersion(tools, ADAPTERS[a].npmPackage!) !== E2E_AGENT_VERSIONS[a])
    .map((a) => `${a}@${E2E_AGENT_VERSIONS[a]}`);
  await prepareE2eSandbox(host, config, repo, missing);
});

afterAll(() => tmp?.cleanup());

function writeHomeFile(agent: Agent, path: string, content: string): void {
  writeSandboxHomeFile(host, dataDir(), agent, path, content);
}

/** An allowlist config for one agent; `reachMock` decides whether the mock's address is reachable at all. */
function allowlistConfig(agent: Agent, reachMock: boolean, section = ''): string {
  return writeTestConfig(
    host,
    join(tmp.dir, `${agent}-${reachMock ? 'allowed' : 'denied'}`),
    [
      '[network]',
      'mode = "allowlist"',
      `allow_host_loopback = ${reachMock} # test only: the mock model listens on the host loopback`,
      `[agents.${agent}]`,
      section,
    ].join('\n'),
    { image: E2E_IMAGE, dataDir: dataDir() },
  );
}

function runAgent(config: string, agent: Agent, args: string[]) {
  return runAgs(host, ['--config', config, '--agent', agent, '--', ...args], { cwd: repo, timeout: 180_000 });
}

const output = (r: { stdout: unknown; stderr: unknown }) => `${String(r.stdout)}\n${String(r.stderr)}`;

/** What every agent's allowlist run must show: the banner, a finished turn, the refusal as the tool's output. */
function expectTurnThroughProxy(
  r: { exitCode?: number; stdout: unknown; stderr: unknown },
  toolOutput: string | undefined,
): void {
  const why = output(r);
  expect(r.exitCode, why).toBe(0);
  expect(String(r.stderr)).toContain('ags: network: allowlist through the host proxy');
  expect(toolOutput, why).toMatch(REFUSED);
  expect(String(r.stdout), why).toContain(FINAL_TEXT);
  // the guard loaded although the sandbox has no network of its own
  expect(String(r.stderr)).not.toMatch(/guard did not load/);
}

/** The denied run: the agent fails and the mock, whose address is on no list, sees not one request. */
async function expectNoWayOut(mock: RecordingServer<object>, run: () => ReturnType<typeof runAgent>) {
  const before = mock.requests.length;
  const r = await run();
  expect(r.exitCode, output(r)).not.toBe(0);
  expect(mock.requests.length, output(r)).toBe(before);
  // whatever the agent shows of it, the run's last word names the refusal and where the log is
  expect(String(r.stderr)).toMatch(
    /^ags: network: the proxy refused \d+ connections?: .*10\.0\.2\.2:\d+ \(the IP address 10\.0\.2\.2 is not on the allowlist.*; all decisions in \S+\/network\.log$/m,
  );
  return r;
}

describe('codex under the allowlist network', () => {
  let model: MockResponsesApi;
  let port: number;

  /** Codex's shell tool in whichever form this version offers it (see agents-hint.test.ts). */
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
    model = new MockResponsesApi((req) =>
      functionCallOutputs(req).length === 0 ? shellCall(req, FETCH_FORBIDDEN) : FINAL_TEXT,
    );
    port = await model.start('127.0.0.1');
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
        // the transport codex prefers: its WebSocket must go through the proxy too (the mock then says 404 and
        // codex falls back to HTTP, as it does against a server without WebSockets)
        'supports_websockets = true',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => model?.stop());

  const ask = (reachMock: boolean) =>
    runAgent(
      allowlistConfig('codex', reachMock, 'env = { MOCK_API_KEY = "sk-test-not-a-secret" }'),
      'codex',
      ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'fetch a page'],
    );

  it('completes a turn through the proxy, and its shell tool gets the refusal for a host on no list', async () => {
    const r = await ask(true);
    expectTurnThroughProxy(r, functionCallOutputs(model.turnsSeen.at(-1)!).at(-1));
    const upgrade = model.requests.find((q) => q.method === 'GET' && q.path === '/v1/responses');
    expect(upgrade?.headers.upgrade, output(r)).toBe('websocket');
  });

  it('gets no answer when the mock is not allowed', async () => {
    await expectNoWayOut(model, () => ask(false));
  });
});

describe('gemini under the allowlist network', () => {
  let model: MockGeminiApi;

  beforeAll(async () => {
    model = new MockGeminiApi((req) =>
      functionResponses(req).length === 0
        ? { functionCall: { name: 'run_shell_command', args: { command: FETCH_FORBIDDEN } } }
        : FINAL_TEXT,
    );
    const port = await model.start('127.0.0.1');
    writeHomeFile(
      'gemini',
      '.gemini/settings.json',
      // one attempt per request: gemini retries a failed connection with a back-off of minutes
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { maxAttempts: 1 } }),
    );
    env = `env = { GOOGLE_GEMINI_BASE_URL = "http://10.0.2.2:${port}", GEMINI_API_KEY = "test-not-a-secret" }`;
  });
  let env: string;

  afterAll(() => model?.stop());

  const ask = (reachMock: boolean) =>
    runAgent(allowlistConfig('gemini', reachMock, env), 'gemini', [
      '--skip-trust',
      '--yolo',
      // a fixed model: with "auto" a model router asks the model first, with retries of its own
      '-m',
      'gemini-2.5-flash',
      '-p',
      'fetch a page',
    ]);

  it('completes a turn through the proxy, and its shell tool gets the refusal for a host on no list', async () => {
    const r = await ask(true);
    expectTurnThroughProxy(r, functionResponses(model.turnsSeen.at(-1)!).at(-1));
  });

  it('gets no answer when the mock is not allowed', async () => {
    await expectNoWayOut(model, () => ask(false));
  });
});

/** Both speak the Anthropic Messages API to the mock: its bash tool first, then the final text. */
const anthropicMock = () =>
  new MockModel(
    scripted([
      { toolUse: { name: 'bash', input: { command: FETCH_FORBIDDEN, description: 'fetch a page' } } },
      { text: FINAL_TEXT },
    ]),
  );

describe('opencode under the allowlist network', () => {
  let model: MockModel;

  beforeAll(async () => {
    model = anthropicMock();
    const port = await model.start('127.0.0.1');
    writeHomeFile(
      'opencode',
      '.config/opencode/opencode.json',
      JSON.stringify({
        $schema: 'https://opencode.ai/config.json',
        model: 'anthropic/claude-sonnet-4-5',
        provider: {
          anthropic: {
            options: { baseURL: `http://10.0.2.2:${port}/v1`, apiKey: 'sk-ant-test-not-a-secret' },
          },
        },
      }),
    );
  });

  afterAll(() => model?.stop());

  const ask = (reachMock: boolean) =>
    runAgent(
      allowlistConfig('opencode', reachMock, 'env = { OPENCODE_DISABLE_MODELS_FETCH = "1" }'),
      'opencode',
      ['run', 'fetch a page'],
    );

  it('completes a turn through the proxy, and its shell tool gets the refusal for a host on no list', async () => {
    const r = await ask(true);
    expectTurnThroughProxy(r, toolResults(model.turnsSeen.at(-1)!).at(-1));
  });

  it('gets no answer when the mock is not allowed', async () => {
    await expectNoWayOut(model, () => ask(false));
  });
});

describe('pi under the allowlist network', () => {
  let model: MockModel;

  beforeAll(async () => {
    model = anthropicMock();
    const port = await model.start('127.0.0.1');
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
  });

  afterAll(() => model?.stop());

  const ask = (reachMock: boolean) =>
    runAgent(
      allowlistConfig('pi', reachMock, 'env = { PI_SKIP_VERSION_CHECK = "1", PI_TELEMETRY = "0" }'),
      'pi',
      ['--provider', 'mock', '--model', 'mock-model', '--no-session', '-p', 'fetch a page'],
    );

  it('completes a turn through the proxy, and its shell tool gets the refusal for a host on no list', async () => {
    const r = await ask(true);
    expectTurnThroughProxy(r, toolResults(model.turnsSeen.at(-1)!).at(-1));
  });

  it('gets no answer when the mock is not allowed', async () => {
    await expectNoWayOut(model, () => ask(false));
  });
});
