#!/usr/bin/env node
// Fails when the TypeScript sources import each other in a cycle, type-only imports included: a layer imports
// only the layers below it (docs/ARCHITECTURE.md). Run by `npm run lint`. (eslint's import plugins skip
// `import type`, which is how both cycles this replaced were written.)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TREES = ['src', 'agents', 'guards', 'shims'];
/**
 * Cycles known and owned elsewhere, each as its sorted member list; any other cycle fails. Empty this list as
 * they are split.
 */
const KNOWN = new Set([]);

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

const SPEC =
  /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = new Set();
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    out.add(target);
  }
  return out;
}

const files = TREES.flatMap((t) => sources(join(ROOT, t)));
const known = new Set(files);
const graph = new Map(files.map((f) => [f, [...importsOf(f)].filter((t) => known.has(t))]));

// Tarjan's strongly connected components: every component of more than one file is a cycle
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(v) {
  const m = { index, low: index, onStack: true };
  index++;
  meta.set(v, m);
  stack.push(v);
  for (const w of graph.get(v)) {
    const n = meta.get(w);
    if (!n) {
      visit(w);
      m.low = Math.min(m.low, meta.get(w).low);
    } else if (n.onStack) m.low = Math.min(m.low, n.index);
  }
  if (m.low !== m.index) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    meta.get(w).onStack = false;
    component.push(relative(ROOT, w));
  } while (w !== v);
  if (component.length > 1 || graph.get(v).includes(v)) cycles.push(component.sort());
}
for (const f of files) if (!meta.has(f)) visit(f);

const bad = cycles.filter((c) => !KNOWN.has(c.join(' ')));
for (const c of bad) process.stderr.write(`import cycle: ${c.join(' <-> ')}\n`);
if (bad.length > 0) process.exit(1);
