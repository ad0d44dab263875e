import { build } from 'esbuild';
const root = '/work/wt/rt7g/';
const b = await build({ stdin: { contents: `export { claudeHook } from './guards/engine/hook.js';`, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'warning' });
const { claudeHook } = await import('data:text/javascript;base64,' + Buffer.from(b.outputFiles[0].text).toString('base64'));
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };
for (const c of process.argv.slice(2)) {
  const r = claudeHook(JSON.stringify({ hook_event_name: 'PreToolUse', cwd: '/work/ws', tool_name: 'Bash', tool_input: { command: c } }), settings);
  console.log((r.verdict.decision === 'block' ? 'BLOCK ' + r.verdict.rule : 'allow') + '  <= ' + c.replace(/\n/g, '\\n').slice(0, 120));
}
