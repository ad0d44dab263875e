#!/usr/bin/env node
// What lending the terminal for the auth proxy's question costs, outside the wait for the user's answer: the
// attach client's process tree stopped, the mode saved (`stty -g`) and set raw, the alternate screen shown, and
// all of it given back. Run on a real pseudo-terminal (`script`), with a stand-in client (a shell with a child,
// like rootless podman's two processes). Baseline in the same run: the bare SIGSTOP/SIGCONT of the same tree.
// Prints medians and p95 in ms.
//
// usage: node bench/terminal-handoff.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 100;
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ags-bench-handoff-'));
const bundle = join(dir, 'handoff.mjs');
await build({
  stdin: {
    contents: `
      import { spawn } from 'node:child_process';
      import { writeFileSync } from 'node:fs';
      import { TerminalHandoff, processTree } from './src/session/terminal-handoff.ts';
      const [out, n] = [process.argv[2], Number(process.argv[3])];
      const client = spawn('sh', ['-c', 'sleep 600 & wait'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 200));
      const handoff = new TerminalHandoff();
      handoff.hold(client.pid);
      const lend = [], bare = [];
      for (let i = 0; i < n; i++) {
        let t = performance.now();
        await handoff.borrow(async () => {});
        lend.push(performance.now() - t);
        t = performance.now();
        const tree = processTree(client.pid);
        for (const p of tree) process.kill(p, 'SIGSTOP');
        for (const p of tree) process.kill(p, 'SIGCONT');
        bare.push(performance.now() - t);
      }
      for (const p of processTree(client.pid).reverse()) process.kill(p, 'SIGKILL');
      writeFileSync(out, JSON.stringify({ lend, bare }));`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'error',
});
const out = join(dir, 'out.json');
execFileSync('script', ['-qec', `${process.execPath} ${bundle} ${out} ${runs}`, '/dev/null'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const { lend, bare } = JSON.parse(readFileSync(out, 'utf8'));
rmSync(dir, { recursive: true, force: true });
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const row = (name, xs) =>
  `${name.padEnd(34)} p50 ${q(xs, 0.5).toFixed(2)} ms  p95 ${q(xs, 0.95).toFixed(2)} ms`;
console.log(`terminal hand-off, ${runs} runs`);
console.log(row('lend and give back (whole)', lend));
console.log(row('baseline: SIGSTOP+SIGCONT the tree', bare));
console.log(`added by mode save/restore and screen: p50 ${(q(lend, 0.5) - q(bare, 0.5)).toFixed(2)} ms`);
