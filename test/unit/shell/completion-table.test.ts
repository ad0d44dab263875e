import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES } from '../../../agents/types.js';
import { RUN_ONLY } from '../../../src/cli/option-rules.js';
import { buildProgram } from '../../../src/cli/program.js';
import { completionTable } from '../../../src/shell/completion-table.js';
import { completionScript } from '../../../src/shell/completions.js';

const program = buildProgram([], () => {});
const table = completionTable(program, RUN_ONLY);
const entry = (path: string) => table.find((e) => e.path === path)!;
const value = (path: string, flag: string) => entry(path).options.find((o) => o.flag === flag)?.value;

describe('the completion table', () => {
  it('has every command of the program and every one of its flags (nothing to drift)', () => {
    const shown = (cmd: Command) => cmd.commands.filter((c) => !c.name().startsWith('__'));
    const walk = (cmd: Command, path: string): void => {
      const e = entry(path);
      expect(e, path).toBeDefined();
      expect(e.subcommands).toEqual(shown(cmd).map((c) => c.name()));
      for (const o of cmd.options)
        for (const f of [o.short, o.long].filter(Boolean)) expect(e.options.map((x) => x.flag)).toContain(f);
      shown(cmd).forEach((c) => walk(c, path ? `${path} ${c.name()}` : c.name()));
    };
    walk(program, '');
    expect(entry('').subcommands).toEqual(
      expect.arrayContaining(['create-aliases', 'remove-aliases', 'completions']),
    );
    // ags's internal command (run by a killed run's reaper) is neither offered nor in the table
    expect(program.commands.map((c) => c.name())).toContain('__after-kill');
    expect(table.map((e) => e.path)).not.toContain('__after-kill');
  });

  it('completes agent names, choices, and paths where an option takes one', () => {
    expect(value('', '--agent')).toEqual({ kind: 'words', words: [...AGENT_NAMES] });
    expect(value('', '-d')).toEqual({ kind: 'dir' });
    expect(value('', '--add-dir')).toEqual({ kind: 'dir' });
    expect(value('', '--config')).toEqual({ kind: 'file' });
    expect(value('doctor', '--config')).toEqual({ kind: 'file' });
    expect(value('create-aliases', '--dir')).toEqual({ kind: 'dir' });
    expect(value('create-aliases', '--rc')).toEqual({ kind: 'file' });
    expect(value('create-aliases', '--mode')).toEqual({
      kind: 'words',
      words: ['wrappers', 'aliases', 'both'],
    });
    expect(value('create-aliases', '--force')).toBeNull();
    expect(entry('completions').args).toEqual({ kind: 'words', words: ['bash', 'zsh', 'fish'] });
  });

  it("gives subcommands only the root options that are not a run's", () => {
    const flags = entry('doctor').options.map((o) => o.flag);
    expect(flags).toContain('--config');
    expect(flags).toContain('--json');
    expect(flags).not.toContain('--agent');
    expect(flags).not.toContain('--yolo');
  });

  it('renders a script per shell that carries the same table', () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const script = completionScript(shell, program, RUN_ONLY);
      expect(script).toContain('create-aliases');
      expect(script).toContain(`words:${AGENT_NAMES.join(' ')}`);
    }
  });
});
