#!/usr/bin/env node
// Launcher: checks the Node version before any modern syntax loads, then hands over to the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`ags: Node ${process.versions.node} is too old; install Node 20.19 or newer.\n`);
  process.exit(1);
}
// Node 22.1+ can cache compiled code between runs, which every launch benefits from; older Nodes skip it.
import('node:module')
  .then((m) => m.enableCompileCache?.())
  .catch(() => {})
  .then(() => import('../dist/ags.mjs'))
  .then(
    (cli) => cli.main(process.argv.slice(2)),
    (err) => {
      if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
        process.stderr.write(
          'ags: this checkout is not built yet; run `npm run build` (or `npm ci`) first.\n',
        );
      } else {
        process.stderr.write(`ags: failed to start: ${err?.message ? err.message : err}\n`);
      }
      process.exit(1);
    },
  );
