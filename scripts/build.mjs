#!/usr/bin/env node
// Builds ags with esbuild:
//  - the host CLI into one file, dist/ags.mjs: one module instead of hundreds cuts the import time of the CLI
//    from about 250 ms to about 95 ms on our CI machine (docs/PERFORMANCE.md), and every launch pays it;
//  - each in-sandbox entry point (guards/bin/*.ts, shims/bin/*.ts) into one self-contained file under
//    dist/sandbox/, so the container needs nothing but `node` to run it; in-sandbox shell scripts
//    (shims/bin/*.sh, run with the image's /bin/sh) are copied there as they are.
// Type-checking is `npm run typecheck` (tsc --noEmit); esbuild only strips types.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };

rmSync(dist, { recursive: true, force: true });

await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(dist, 'ags.mjs'),
  sourcemap: 'linked',
  keepNames: true,
  // a native module, loaded from node_modules at run time
  external: ['@napi-rs/keyring'],
  // bundled CommonJS dependencies call require(); give the ESM bundle one
  banner: {
    js: "import { createRequire as __agsCreateRequire } from 'node:module';\nconst require = __agsCreateRequire(import.meta.url);",
  },
});

const entries = ['guards/bin', 'shims/bin'].flatMap((dir) => {
  const abs = join(root, dir);
  return existsSync(abs)
    ? readdirSync(abs)
        .filter((f) => f.endsWith('.ts'))
        // flat: every bundle at dist/sandbox/<name>.mjs (.cjs for the command hooks), whichever folder its entry point is in
        .map((f) => ({ in: join(abs, f), out: f.replace(/\.ts$/, '') }))
    : [];
});
// from scratch: a bundle whose entry point was removed or moved must not linger and still be mounted
rmSync(join(dist, 'sandbox'), { recursive: true, force: true });
// The command hooks (a fresh node per tool call) are CommonJS: node starts a .cjs file without its ES module
// loader, which is most of what the hook costs over bare `node -e 0` (bench/guard.mjs). The in-process entry
// points (pi, opencode) stay ES modules, as their agents import them.
const COMMAND_HOOKS = new Set(['claude-hook', 'codex-hook', 'gemini-hook', 'hook-engine']);
const hookEntries = entries.filter((e) => COMMAND_HOOKS.has(e.out));
if (hookEntries.length > 0) {
  await build({
    ...common,
    format: 'cjs',
    entryPoints: hookEntries,
    outdir: join(dist, 'sandbox'),
    outExtension: { '.js': '.cjs' },
    minify: true,
    legalComments: 'none',
  });
}
const moduleEntries = entries.filter((e) => !COMMAND_HOOKS.has(e.out));
if (moduleEntries.length > 0) {
  await build({
    ...common,
    entryPoints: moduleEntries,
    outdir: join(dist, 'sandbox'),
    // .mjs: ESM whatever package.json (or none) sits next to them inside the sandbox
    outExtension: { '.js': '.mjs' },
    // minified: the guard hook starts once per tool call, and parse time is most of its cost over bare node
    minify: true,
    legalComments: 'none',
    // ws loads these optional native speed-ups in a try; without them it uses its own JavaScript
    external: ['bufferutil', 'utf-8-validate'],
    // ws is CommonJS and calls require() for node built-ins
    banner: {
      js: "import { createRequire as __agsCreateRequire } from 'node:module';const require = __agsCreateRequire(import.meta.url);",
    },
  });
}
const scripts = readdirSync(join(root, 'shims/bin')).filter((f) => f.endsWith('.sh'));
mkdirSync(join(dist, 'sandbox'), { recursive: true });
for (const f of scripts) {
  copyFileSync(join(root, 'shims/bin', f), join(dist, 'sandbox', f));
  chmodSync(join(dist, 'sandbox', f), 0o755);
}
// The browser commands agents run (Claude Code and Codex $BROWSER, the others xdg-open and friends), each a
// wrapper starting the auth-proxy shim with the image's node, found in image directories only (see
// agents/sandbox-node.ts). ags mounts this directory read-only and puts it first on the sandbox's PATH.
const BROWSER_COMMANDS = ['ags-browser', 'xdg-open', 'x-www-browser', 'sensible-browser', 'open'];
const browserDir = join(dist, 'sandbox', 'browser');
mkdirSync(browserDir, { recursive: true });
for (const name of BROWSER_COMMANDS) {
  writeFileSync(
    join(browserDir, name),
    '#!/bin/sh\nexec /usr/bin/env PATH=/usr/local/bin:/usr/bin:/bin node /opt/ags/sandbox/auth-browser.mjs "$@"\n',
    { mode: 0o755 },
  );
}
console.log(
  `built dist/ags.mjs, ${entries.length} sandbox bundle${entries.length === 1 ? '' : 's'} and ${scripts.length} sandbox script${scripts.length === 1 ? '' : 's'}`,
);
