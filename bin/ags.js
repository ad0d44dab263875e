#!/usr/bin/env node
// Launcher: checks the Node version before any modern syntax loads, then hands over to the compiled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`ags: Node ${process.versions.node} is too old; install Node 20.19 or newer.\n`);
  process.exit(1);
}
import('../dist/src/cli/main.js').then(
  (cli) => cli.main(process.argv.slice(2)),
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write('ags: this checkout is not built yet; run `npm run build` (or `npm ci`) first.\n');
    } else {
      process.stderr.write(`ags: failed to start: ${err?.message ? err.message : err}\n`);
    }
    process.exit(1);
  },
);
