/** A readable account of how the guard saw a command: each normalized command, its nesting, and the rules hit. */
import { Budget, LimitError } from './budget.js';
import { analyzeShell, decide, type DecideOptions } from './decide.js';

export function explainShell(command: string, cwd: string, opts: DecideOptions = {}): string {
  const lines: string[] = [];
  try {
    const a = analyzeShell(command, cwd, opts, new Budget(opts.limits));
    lines.push(`commands (${a.invocations.length}):`);
    for (const inv of a.invocations) {
      const name = inv.dynamic ? `<computed: ${inv.display.split(' ')[0]}>` : inv.name;
      const args = inv.args.map((x) => JSON.stringify(x.value ?? x.text)).join(' ');
      const notes = [
        inv.via.length > 0 ? `via ${inv.via.join(' › ')}` : '',
        inv.stdin ? `stdin: ${inv.stdin.kind} (${inv.stdin.desc.slice(0, 40)})` : '',
        inv.code ? `inline ${inv.code.lang} code${inv.code.text === null ? ' (computed)' : ''}` : '',
        inv.evalDynamic ? 'runs a computed string' : '',
        inv.appendsArgs ? 'more args at run time' : '',
        inv.cwd !== cwd ? `cwd ${inv.cwd}` : '',
      ].filter(Boolean);
      lines.push(
        `  ${'  '.repeat(Math.min(inv.level, 10))}${name} ${args}`.trimEnd() +
          (notes.length > 0 ? `    # ${notes.join('; ')}` : ''),
      );
    }
    if (a.warnings.length > 0) lines.push(`parse warnings: ${[...new Set(a.warnings)].join('; ')}`);
    if (a.hits.length > 0) {
      lines.push('rules that fire:');
      for (const h of a.hits) lines.push(`  ${h.rule}${h.detail ? ` [${h.detail}]` : ''}`);
    } else lines.push('rules that fire: none');
  } catch (e) {
    lines.push(
      e instanceof LimitError ? `analysis stopped: ${e.message}` : `analysis failed: ${(e as Error).message}`,
    );
  }
  const v = decide({ kind: 'shell', tool: 'Bash', command, cwd }, opts);
  lines.push(`verdict: ${v.decision}${v.rule ? ` (${v.rule})` : ''}`);
  if (v.message) lines.push(v.message);
  for (const w of v.warnings) lines.push(w);
  return lines.join('\n') + '\n';
}
