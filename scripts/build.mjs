#!/usr/bin/env node
// Builds ags: compiles the host CLI with tsc, then bundles each in-sandbox entry point
// (guards/bin/*.ts, shims/bin/*.ts) into one self-contained file under dist/sandbox/, so the
// container needs nothing but `node` to run it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);

const entries = ['guards/bin', 'shims/bin'].flatMap((dir) => {
  const abs = join(root, dir);
  return existsSync(abs)
    ? readdirSync(abs)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(abs, f))
    : [];
});
if (entries.length > 0) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: entries,
    outdir: join(dist, 'sandbox'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // minified: the guard hook starts once per tool call, and parse time is most of its overhead over bare node
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
console.log(`built dist/ (${entries.length} sandbox bundle${entries.length === 1 ? '' : 's'})`);
