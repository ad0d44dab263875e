// opencode plugin, bundled to dist/sandbox/opencode-guard.mjs and listed in OPENCODE_CONFIG_CONTENT's `plugin`
// as a file URL: `tool.execute.before` asks the shared engine and throws to veto the call (opencode hands the
// error message to the model as the tool result). The policy is read once, when opencode loads the plugin, which
// then reports to the run that it loaded (guards/load-marker.ts).
// Only the default export: opencode calls every exported function as a plugin.
import { loadHookPolicy } from '../engine/hook.js';
import { opencodeToolBefore } from '../engine/inprocess.js';
import { reportGuardLoaded } from '../load-marker.js';

export default async function agsGuard(input: { directory?: string }) {
  const loaded = loadHookPolicy();
  const directory = input?.directory;
  reportGuardLoaded();
  return {
    'tool.execute.before': async (call: unknown, output: unknown) => {
      const d = opencodeToolBefore(call, output, directory, loaded);
      if (d.stderr) process.stderr.write(d.stderr);
      if (d.block !== undefined) throw new Error(d.block);
    },
  };
}
