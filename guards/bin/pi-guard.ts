// pi extension, bundled to dist/sandbox/pi-guard.mjs and loaded with `pi -e /opt/ags/sandbox/pi-guard.mjs`: on
// every `tool_call` it asks the shared engine and returns `{ block: true, reason }` to veto the call (pi hands the
// reason to the model as the tool result). The policy is read once, when pi loads the extension, which then
// reports to the run that it loaded (guards/load-marker.ts).
import { loadHookPolicy } from '../engine/hook.js';
import { piToolCall } from '../engine/inprocess.js';
import { reportGuardLoaded } from '../load-marker.js';

interface PiExtensionApi {
  on(
    event: 'tool_call',
    handler: (event: unknown, ctx: { cwd?: string }) => { block: true; reason: string } | undefined,
  ): unknown;
}

export default function agsGuard(pi: PiExtensionApi): void {
  const loaded = loadHookPolicy();
  pi.on('tool_call', (event, ctx) => {
    const d = piToolCall(event, ctx?.cwd, loaded);
    if (d.stderr) process.stderr.write(d.stderr);
    return d.block !== undefined ? { block: true, reason: d.block } : undefined;
  });
  // only once the handler is registered
  reportGuardLoaded();
}
