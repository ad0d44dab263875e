import { Argument, Command } from 'commander';
import { completionScript } from '../../shell/completions.js';
import { SHELLS, type ShellName } from '../../shell/quote.js';
import { RUN_ONLY } from '../option-rules.js';

/** `ags completions SHELL`: the completion script, generated from the program itself. */
export function completionsCommand(program: Command): Command {
  return new Command('completions')
    .description('print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Load it:
  bash: source <(ags completions bash)        in ~/.bashrc, or save it once (bash-completion loads it on use):
        ags completions bash > ~/.local/share/bash-completion/completions/ags
  zsh:  source <(ags completions zsh)         in ~/.zshrc, after compinit
  fish: ags completions fish > ~/.config/fish/completions/ags.fish`,
    )
    .action((shell: ShellName) => {
      process.stdout.write(completionScript(shell, program, RUN_ONLY));
    });
}
