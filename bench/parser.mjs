#!/usr/bin/env node
// Parser benchmark: the guard's own shell lexer/parser (guards/engine/shell/) against tree-sitter-bash on
// web-tree-sitter (devDependencies, for this measurement only), over every shell command of the corpora
// (test/fixtures/*corpus*.jsonl):
//  (1) how many inputs each parses fully: ours without a parse warning or limit, tree-sitter without an
//      ERROR or MISSING node;
//  (2) what the guard decides today on the commands its own parser cannot read fully;
//  (3) parse-only time per call, both parsers interleaved in the same run, median of runs, and the ratio;
//  (4) the cold start a hook would pay, one fresh `node` per call as the hook is: `node -e 0`, node that loads
//      and runs our parser, node that loads web-tree-sitter, its runtime WASM and the bash grammar WASM; plus
//      the bytes each would add to the hook.
// usage: node bench/parser.mjs [--runs N] [--spawns N]
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Language, Parser } from 'web-tree-sitter';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const RUNS = arg('--runs', 7);
const SPAWNS = arg('--spawns', 15);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

// every shell command string in the corpora (Claude/Codex/Gemini shapes: tool_input.command)
const fixtures = join(root, 'test/fixtures');
const corpusFiles = readdirSync(fixtures).filter((f) => /corpus.*\.jsonl$/.test(f));
const cases = [];
for (const f of corpusFiles) {
  for (const line of readFileSync(join(fixtures, f), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const c = JSON.parse(line);
    const cmd = typeof c.input === 'object' ? c.input?.tool_input?.command : undefined;
    if (typeof cmd === 'string') cases.push({ file: f, cmd, input: c.input, lockdown: c.lockdown === true });
  }
}

// ours, bundled the way the hook bundles it
const bundled = await build({
  stdin: {
    contents: [
      "export { parseShell } from './guards/engine/shell/parser.js';",
      "export { Budget, LimitError } from './guards/engine/budget.js';",
      "export { claudeHook } from './guards/engine/hook.js';",
      "export { DEFAULT_POLICY } from './guards/engine/policy.js';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const ours = await import(
  'data:text/javascript;base64,' + Buffer.from(bundled.outputFiles[0].text).toString('base64')
);
function oursParse(cmd) {
  try {
    const r = ours.parseShell(cmd, new ours.Budget());
    return r.warnings.length === 0 ? 'full' : 'warning';
  } catch (e) {
    return e instanceof ours.LimitError ? 'limit' : 'error';
  }
}

// tree-sitter
const runtimeWasm = require.resolve('web-tree-sitter/tree-sitter.wasm');
const bashWasm = join(root, 'node_modules/tree-sitter-bash/tree-sitter-bash.wasm');
await Parser.init();
const ts = new Parser();
ts.setLanguage(await Language.load(bashWasm));
function hasMissing(node) {
  if (node.isMissing) return true;
  if (!node.hasError) return false;
  for (const child of node.children) if (hasMissing(child)) return true;
  return false;
}
function tsParse(cmd) {
  const tree = ts.parse(cmd);
  if (!tree) return 'none';
  const root = tree.rootNode;
  const verdict = root.hasError || hasMissing(root) ? 'error' : 'full';
  tree.delete();
  return verdict;
}

// (1) full parses, (2) the guard on what ours cannot read
const count = { ours: {}, ts: {} };
const disagree = { oursOnly: [], tsOnly: [] };
const unreadable = { allow: 0, block: 0, allowLockdown: 0, blockLockdown: 0, examples: [] };
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };
for (const c of cases) {
  const o = oursParse(c.cmd);
  const t = tsParse(c.cmd);
  count.ours[o] = (count.ours[o] ?? 0) + 1;
  count.ts[t] = (count.ts[t] ?? 0) + 1;
  if (o === 'full' && t !== 'full') disagree.oursOnly.push(c.cmd);
  if (o !== 'full' && t === 'full') disagree.tsOnly.push(c.cmd);
  if (o !== 'full') {
    for (const lockdown of [false, true]) {
      const r = ours.claudeHook(JSON.stringify(c.input), settings, { policy: ours.DEFAULT_POLICY, lockdown });
      const key = `${r.verdict.decision}${lockdown ? 'Lockdown' : ''}`;
      unreadable[key]++;
      if (!lockdown && r.verdict.decision === 'allow' && unreadable.examples.length < 5)
        unreadable.examples.push(c.cmd.slice(0, 60));
    }
  }
}

// (3) parse-only time, interleaved, typical inputs (< 2000 chars) and the whole set
const typical = cases.filter((c) => c.cmd.length < 2000).map((c) => c.cmd);
const all = cases.map((c) => c.cmd);
function timeAll(inputs, fn, reps) {
  const t0 = now();
  for (let k = 0; k < reps; k++) for (const s of inputs) fn(s);
  return ((now() - t0) * 1000) / (inputs.length * reps); // µs per call
}
for (let i = 0; i < 3; i++) {
  timeAll(typical, oursParse, 1);
  timeAll(typical, tsParse, 1);
}
const per = { oursTypical: [], tsTypical: [], oursAll: [], tsAll: [] };
for (let r = 0; r < RUNS; r++) {
  per.oursTypical.push(timeAll(typical, oursParse, 5));
  per.tsTypical.push(timeAll(typical, tsParse, 5));
  per.oursAll.push(timeAll(all, oursParse, 1));
  per.tsAll.push(timeAll(all, tsParse, 1));
}

// (4) cold start: a fresh node per call, as the command hooks run
const dir = mkdtempSync(join(tmpdir(), 'ags-bench-parser-'));
const oursEntry = await build({
  stdin: {
    contents: [
      "import { parseShell } from './guards/engine/shell/parser.js';",
      "import { Budget } from './guards/engine/budget.js';",
      "parseShell('git status && rm -rf build', new Budget());",
      'process.exit(0);',
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const tsEntry = await build({
  stdin: {
    contents: [
      "import { Language, Parser } from 'web-tree-sitter';",
      'const t0 = performance.now();',
      `await Parser.init({ locateFile: () => ${JSON.stringify(runtimeWasm)} });`,
      `const lang = await Language.load(${JSON.stringify(bashWasm)});`,
      'const p = new Parser(); p.setLanguage(lang);',
      "p.parse('git status && rm -rf build');",
      'if (process.env.PRINT_LOAD) process.stdout.write(String(performance.now() - t0));',
      // as a hook ends once it has answered
      'process.exit(0);',
    ].join('\n'),
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const oursFile = join(dir, 'ours.mjs');
const tsFile = join(dir, 'ts.mjs');
writeFileSync(oursFile, oursEntry.outputFiles[0].text);
writeFileSync(tsFile, tsEntry.outputFiles[0].text);
const spawn = (args, env = {}) => {
  const t0 = now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return { ms: now() - t0, out: r.stdout };
};
for (let i = 0; i < 3; i++) {
  spawn(['-e', '0']);
  spawn([oursFile]);
  spawn([tsFile]);
  spawn(['--liftoff-only', tsFile]);
}
// Node's exit waits for V8's background optimizing compile of the 1.3 MB grammar module even after
// process.exit(); --liftoff-only (baseline compiler only) is how a tree-sitter hook would have to start node
const cold = { node: [], ours: [], ts: [], tsLiftoff: [], wasmLoad: [] };
for (let i = 0; i < SPAWNS; i++) {
  cold.node.push(spawn(['-e', '0']).ms);
  cold.ours.push(spawn([oursFile]).ms);
  const t = spawn([tsFile], { PRINT_LOAD: '1' });
  cold.ts.push(t.ms);
  cold.wasmLoad.push(Number(t.out));
  cold.tsLiftoff.push(spawn(['--liftoff-only', tsFile]).ms);
}
const size = {
  oursJs: Buffer.byteLength(oursEntry.outputFiles[0].text),
  tsJs: Buffer.byteLength(tsEntry.outputFiles[0].text),
  runtimeWasm: statSync(runtimeWasm).size,
  bashWasm: statSync(bashWasm).size,
};
rmSync(dir, { recursive: true, force: true });

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const fmt = (x, d = 1) => x.toFixed(d);
const show = (o) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
console.log(
  `node ${process.version}, web-tree-sitter ${JSON.parse(readFileSync(join(root, 'node_modules/web-tree-sitter/package.json'), 'utf8')).version}, ` +
    `tree-sitter-bash ${JSON.parse(readFileSync(join(root, 'node_modules/tree-sitter-bash/package.json'), 'utf8')).version}; ` +
    `${cases.length} shell commands from ${corpusFiles.join(', ')}; ${RUNS} runs, ${SPAWNS} spawns`,
);
console.log(
  `(1) parsed fully: ours ${count.ours.full ?? 0}/${cases.length} (${show(count.ours)}); tree-sitter ${count.ts.full ?? 0}/${cases.length} (${show(count.ts)})`,
);
console.log(
  `    only ours fully: ${disagree.oursOnly.length}; only tree-sitter fully: ${disagree.tsOnly.length}`,
);
for (const s of disagree.oursOnly.slice(0, 4))
  console.log(`      ours only: ${JSON.stringify(s.slice(0, 70))}`);
for (const s of disagree.tsOnly.slice(0, 4))
  console.log(`      tree-sitter only: ${JSON.stringify(s.slice(0, 70))}`);
console.log(
  `(2) guard on the ${cases.length - (count.ours.full ?? 0)} commands ours cannot read fully: normal block ${unreadable.block} / allow ${unreadable.allow}; lockdown block ${unreadable.blockLockdown} / allow ${unreadable.allowLockdown}`,
);
for (const s of unreadable.examples) console.log(`      allowed normally: ${JSON.stringify(s)}`);
const ot = median(per.oursTypical);
const tt = median(per.tsTypical);
const oa = median(per.oursAll);
const ta = median(per.tsAll);
console.log(
  `(3) parse only, per call: typical (${typical.length} inputs < 2000 chars) ours ${fmt(ot)} µs, tree-sitter ${fmt(tt)} µs, tree-sitter/ours ${fmt(tt / ot, 2)}x; ` +
    `all ${all.length} inputs ours ${fmt(oa)} µs, tree-sitter ${fmt(ta)} µs, ${fmt(ta / oa, 2)}x`,
);
const cn = median(cold.node);
const co = median(cold.ours);
const ct = median(cold.ts);
const cl = median(cold.tsLiftoff);
console.log(
  `(4) fresh node per call: node -e 0 ${fmt(cn)} ms; ours ${fmt(co)} ms (${fmt(co / cn, 2)}x); ` +
    `tree-sitter ${fmt(ct)} ms (${fmt(ct / cn, 2)}x), with node --liftoff-only ${fmt(cl)} ms (${fmt(cl / cn, 2)}x); ` +
    `WASM init + grammar load + first parse ${fmt(median(cold.wasmLoad))} ms of it`,
);
console.log(
  `    bytes: ours ${kb(size.oursJs)} minified JS; tree-sitter ${kb(size.tsJs)} minified JS + ${kb(size.runtimeWasm)} runtime WASM + ${kb(size.bashWasm)} bash grammar WASM`,
);
