#!/usr/bin/env node
// Guard benchmark, against the built files (run `npm run build` first):
//  (1) per-call latency of the Claude hook bundle, one `node dist/sandbox/claude-hook.cjs` process per call over a
//      sample of the corpus, as a ratio to `node -e 0` measured in the same run (interleaved, median of runs);
//  (2) in-process decisions per second over the whole corpus, through the bundled engine;
//  (3) per-call latency of the guard server (dist/sandbox/guard-server.mjs, started once) as Claude Code's http
//      hook sees it: a POST of the hook JSON from this node process, over one kept-alive connection (what Claude
//      Code's client does) and over a new connection per call, interleaved with `node -e 0` in the same run;
//  (4) per-call latency of the thin command hook of Codex and Gemini CLI (dist/sandbox/codex-hook.cjs --server
//      PORT, one process per call asking that server), and of the same hook with no server (which loads
//      hook-engine.cjs and decides itself), interleaved with `node -e 0`.
// usage: node bench/guard.mjs [--runs N] [--sample N] [--node PATH]
//   --node: the node binary the hook processes and the baseline run with (default: this one); use the
//   container image's node (`podman run --rm IMAGE node --version`) for the figure that holds in the sandbox
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const hook = join(root, 'dist/sandbox/claude-hook.cjs');
if (!existsSync(hook)) {
  console.error('bench/guard.mjs: dist/sandbox/claude-hook.cjs is missing; run `npm run build` first');
  process.exit(2);
}
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const RUNS = arg('--runs', 5);
const SAMPLE = arg('--sample', 40);
const nodeAt = process.argv.indexOf('--node');
const NODE = nodeAt === -1 ? process.execPath : process.argv[nodeAt + 1];

const corpus = readFileSync(join(root, 'test/fixtures/guard-corpus.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const stdinOf = (c) => (typeof c.input === 'string' ? c.input : JSON.stringify(c.input));
const env = {
  ...process.env,
  HOME: '/home/dev',
  AGS_WORKSPACE: '/work/ws',
  AGS_GUARD_POLICY: '',
  AGS_LOCKDOWN: '',
};

// (1) process latency: typical tool calls (small inputs), interleaved with the node baseline
const typical = corpus.filter((c) => stdinOf(c).length < 2000 && !c.lockdown);
const step = Math.max(1, Math.floor(typical.length / SAMPLE));
const sample = typical.filter((_, i) => i % step === 0).slice(0, SAMPLE);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const time = (args, input) => {
  const t0 = process.hrtime.bigint();
  spawnSync(NODE, args, { input, env, stdio: ['pipe', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
// warm the page cache
for (let i = 0; i < 3; i++) {
  time(['-e', '0'], '');
  time([hook], stdinOf(sample[0]));
}
const hookRuns = [];
const nodeRuns = [];
for (let r = 0; r < RUNS; r++) {
  const h = [];
  const n = [];
  for (const c of sample) {
    n.push(time(['-e', '0'], ''));
    h.push(time([hook], stdinOf(c)));
  }
  hookRuns.push(median(h));
  nodeRuns.push(median(n));
}
const hookMs = median(hookRuns);
const nodeMs = median(nodeRuns);

// (3) the guard server: started once, then one POST per call
const server = join(root, 'dist/sandbox/guard-server.mjs');
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const daemon = spawnSync(NODE, [server, '--daemon', String(port)], { env, encoding: 'utf8' });
if (daemon.status !== 0) {
  console.error(`bench/guard.mjs: the guard server did not start: ${daemon.stderr.trim()}`);
  process.exit(2);
}
const serverPid = Number(daemon.stdout.trim());
const post = (body, agent) =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/claude/pre-tool-use',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
const kept = new Agent({ keepAlive: true, maxSockets: 1 });
const fresh = new Agent({ keepAlive: false });
for (let i = 0; i < 3; i++) for (const c of sample) await post(stdinOf(c), kept);
const keptRuns = [];
const freshRuns = [];
const baseRuns = [];
for (let r = 0; r < RUNS; r++) {
  const k = [];
  const f = [];
  const n = [];
  for (const c of sample) {
    n.push(time(['-e', '0'], ''));
    // alternating which goes first: the first request after a spawn finds the server's process descheduled
    if (n.length % 2) {
      k.push(await post(stdinOf(c), kept));
      f.push(await post(stdinOf(c), fresh));
    } else {
      f.push(await post(stdinOf(c), fresh));
      k.push(await post(stdinOf(c), kept));
    }
  }
  keptRuns.push(median(k));
  freshRuns.push(median(f));
  baseRuns.push(median(n));
}
kept.destroy();

// (4) the thin command hook, with the server and without it
const thin = join(root, 'dist/sandbox/codex-hook.cjs');
const thinRuns = [];
const aloneRuns = [];
const thinBaseRuns = [];
for (let r = 0; r < RUNS; r++) {
  const t = [];
  const a = [];
  const n = [];
  for (const c of sample) {
    n.push(time(['-e', '0'], ''));
    t.push(time([thin, '--server', String(port)], stdinOf(c)));
    a.push(time([thin], stdinOf(c)));
  }
  thinRuns.push(median(t));
  aloneRuns.push(median(a));
  thinBaseRuns.push(median(n));
}
process.kill(serverPid, 'SIGTERM');
const thinMs = median(thinRuns);
const aloneMs = median(aloneRuns);
const thinBaseMs = median(thinBaseRuns);
const keptMs = median(keptRuns);
const freshMs = median(freshRuns);
const baseMs = median(baseRuns);

// (2) in-process throughput: bundle the engine once, decide every corpus case
const bundled = await build({
  stdin: {
    contents: `export { claudeHook } from './guards/engine/hook.js'; export { DEFAULT_POLICY } from './guards/engine/policy.js';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const url = 'data:text/javascript;base64,' + Buffer.from(bundled.outputFiles[0].text).toString('base64');
const { claudeHook, DEFAULT_POLICY } = await import(url);
const inputs = corpus.map((c) => [stdinOf(c), { policy: DEFAULT_POLICY, lockdown: c.lockdown === true }]);
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };
for (let i = 0; i < 3; i++) for (const [s, l] of inputs) claudeHook(s, settings, l);
const rates = [];
const typicalRates = [];
for (let r = 0; r < RUNS; r++) {
  let t0 = process.hrtime.bigint();
  for (const [s, l] of inputs) claudeHook(s, settings, l);
  rates.push(inputs.length / (Number(process.hrtime.bigint() - t0) / 1e9));
  const small = inputs.filter(([s]) => s.length < 2000);
  t0 = process.hrtime.bigint();
  for (let k = 0; k < 5; k++) for (const [s, l] of small) claudeHook(s, settings, l);
  typicalRates.push((5 * small.length) / (Number(process.hrtime.bigint() - t0) / 1e9));
}

const fmt = (x) => x.toFixed(1);
console.log(
  `hook node ${spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()}, in-process node ${process.version}, ${RUNS} runs, ${sample.length} hook calls per run, corpus ${corpus.length} cases`,
);
console.log(
  `(1) claude-hook.cjs per call: ${fmt(hookMs)} ms median; node -e 0: ${fmt(nodeMs)} ms; ratio ${(hookMs / nodeMs).toFixed(2)}x (goal <= 1.3x)`,
);
console.log(
  `(2) in-process: ${Math.round(median(rates))} decisions/s over the whole corpus (incl. the stress cases); ${Math.round(median(typicalRates))} decisions/s over the ${inputs.filter(([s]) => s.length < 2000).length} typical-size cases (goal >= 20000/s)`,
);
console.log(
  `(3) guard server per call: ${keptMs.toFixed(2)} ms kept-alive, ${freshMs.toFixed(2)} ms new connection; node -e 0: ${fmt(baseMs)} ms; ratio ${(keptMs / baseMs).toFixed(3)}x / ${(freshMs / baseMs).toFixed(3)}x (goal <= 1.3x)`,
);
console.log(
  `(4) codex/gemini command hook per call: ${fmt(thinMs)} ms asking the server, ${fmt(aloneMs)} ms deciding itself (no server); node -e 0: ${fmt(thinBaseMs)} ms; ratio ${(thinMs / thinBaseMs).toFixed(2)}x / ${(aloneMs / thinBaseMs).toFixed(2)}x (goal <= 1.3x)`,
);
