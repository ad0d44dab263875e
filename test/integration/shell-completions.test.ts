import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAMES } from '../../agents/types.js';
import { giveToTestUser, runAgs } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// `ags completions SHELL` from the built CLI, loaded into real bash, zsh and fish and asked through each
// shell's own completion machinery: bash's `complete -p` and the registered function with COMP_WORDS,
// fish's `complete -C`, and zsh's completion widget driven by real key presses in tmux.
describe('ags completions in real shells', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  const script: Partial<Record<'bash' | 'zsh' | 'fish', string>> = {};
  /** A directory with one file and one subdirectory, for path completion. */
  let paths: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    paths = join(tmp.dir, 'paths');
    mkdirSync(join(paths, 'subdir-x'), { recursive: true });
    writeFileSync(join(paths, 'file-y.toml'), '');
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const r = await runAgs(host, ['completions', shell]);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const file = join(tmp.dir, `ags.${shell}`);
      writeFileSync(file, String(r.stdout));
      giveToTestUser(host, file);
      script[shell] = file;
    }
  });

  afterAll(() => tmp?.cleanup());

  describe('bash', () => {
    /** What bash's registered completion function offers for the words (the last one is being completed). */
    const complete = async (words: string[]) => {
      const array = words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ');
      const r = await execa(
        'bash',
        [
          '--norc',
          '-c',
          `source '${script.bash}'
complete -p ags
COMP_WORDS=(${array}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
fn=$(complete -p ags | sed -E 's/.*-F ([^ ]+).*/\\1/')
"$fn" ags "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { reject: false, cwd: paths },
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const [registration, ...offered] = String(r.stdout).split('\n').filter(Boolean);
      expect(registration).toBe('complete -F _ags ags');
      return offered;
    };

    it('completes a subcommand, a flag and an agent name', async () => {
      expect(await complete(['ags', 'create-a'])).toEqual(['create-aliases']);
      expect(await complete(['ags', 'doctor', '--j'])).toEqual(['--json']);
      expect(await complete(['ags', '--ag'])).toEqual(['--agent']);
      expect(await complete(['ags', '--agent', ''])).toEqual([...AGENT_NAMES]);
      expect(await complete(['ags', '-d', 'x', '--agent', 'co'])).toEqual(['codex']);
      expect(await complete(['ags', 'config', 's'])).toEqual(['show', 'schema']);
    });

    it('completes paths where an argument is one, and files after --', async () => {
      expect(await complete(['ags', '-d', ''])).toEqual(['subdir-x']);
      expect((await complete(['ags', '--config', ''])).sort()).toEqual(['file-y.toml', 'subdir-x']);
      expect(await complete(['ags', 'create-aliases', '--dir', 's'])).toEqual(['subdir-x']);
      expect(await complete(['ags', 'create-aliases', '--rc', 'f'])).toEqual(['file-y.toml']);
      expect(await complete(['ags', '--agent', 'shell', '--', 'f'])).toEqual(['file-y.toml']);
    });

    // bash splits `--opt=value` at "=" (COMP_WORDBREAKS): these are the words it hands the function
    it('completes the value of --opt=value, and steps over one before the cursor', async () => {
      expect(await complete(['ags', '--network', '=', 'al'])).toEqual(['allowlist']);
      expect(await complete(['ags', '--network', '='])).toEqual(['open', 'allowlist', 'none']);
      expect(await complete(['ags', '--config', '=', 'f'])).toEqual(['file-y.toml']);
      expect(await complete(['ags', '--agent', '=', 'shell', '--net'])).toEqual(['--network']);
      expect(await complete(['ags', '--agent', '=', 'doctor', 'con'])).toEqual(['config']);
    });

    it('completes --network=al in an interactive bash, typed with Tab', async () => {
      const screen = await interactiveTab(
        'bash',
        `env -i HOME=${tmp.dir} TERM=xterm PATH=/usr/bin:/bin bash --norc --noprofile -i`,
        `PS1='% '; source '${script.bash}'; echo READY`,
        'ags --network=al',
        'bash-eq',
      );
      expect(screen).toMatch(/^% ags --network=allowlist\s*$/m);
    });
  });

  describe('fish', () => {
    /** fish's own answer for a command line (`complete -C`), candidates without descriptions. */
    const complete = async (line: string) => {
      const r = await execa('fish', ['--no-config', '-c', `source '${script.fish}'; complete -C '${line}'`], {
        reject: false,
        cwd: paths,
      });
      expect(r.exitCode, String(r.stderr)).toBe(0);
      return String(r.stdout)
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!);
    };

    it('completes a subcommand, a flag and an agent name', async () => {
      expect(await complete('ags create-a')).toEqual(['create-aliases']);
      expect(await complete('ags doctor --j')).toEqual(['--json']);
      expect(await complete('ags --ag')).toEqual(['--agent']);
      expect((await complete('ags --agent ')).sort()).toEqual([...AGENT_NAMES].sort());
    });

    it('completes paths where an argument is one', async () => {
      expect(await complete('ags -d s')).toEqual(['subdir-x/']);
      expect(await complete('ags create-aliases --rc f')).toEqual(['file-y.toml']);
    });

    it('completes the value of --opt=value', async () => {
      expect(await complete('ags --network=al')).toEqual(['--network=allowlist']);
      expect(await complete('ags create-aliases --rc=f')).toEqual(['--rc=file-y.toml']);
      expect(await complete('ags --agent=shell --net')).toEqual(['--network']);
    });
  });

  describe('zsh', () => {
    /**
     * Types `keys`, then Tab, into an interactive zsh in tmux with the script loaded after compinit, and
     * returns the screen (tmux drops the space zsh puts after a completed word).
     */
    const screenAfterTab = async (keys: string, name: string) => {
      const socket = `ags-zsh-test-${process.pid}-${name}`;
      const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false });
      const zdot = join(tmp.dir, `zdot-${name}`);
      mkdirSync(zdot, { recursive: true });
      writeFileSync(
        join(zdot, '.zshrc'),
        `PS1='%% '\nautoload -Uz compinit && compinit -u -d '${zdot}/.zcompdump'\nsource '${script.zsh}'\nprint READY\n`,
      );
      try {
        await tmux(
          'new-session',
          '-d',
          '-x',
          '150',
          '-y',
          '20',
          '-c',
          paths,
          `env -i HOME=${zdot} ZDOTDIR=${zdot} TERM=xterm PATH=/usr/bin:/bin zsh -i`,
        );
        await waitFor(tmux, /READY/);
        await tmux('send-keys', '-t', '0', keys, 'Tab');
        return await waitFor(tmux, (screen) =>
          screen.split('\n').some((l) => l.startsWith('% ') && l.length > `% ${keys}`.length),
        );
      } finally {
        await tmux('kill-server');
      }
    };

    it('completes a subcommand, a flag and an agent name', async () => {
      expect(await screenAfterTab('ags create-a', 'sub')).toMatch(/^% ags create-aliases$/m);
      expect(await screenAfterTab('ags doctor --j', 'flag')).toMatch(/^% ags doctor --json$/m);
      expect(await screenAfterTab('ags --agent cl', 'agent')).toMatch(/^% ags --agent claude$/m);
      expect(await screenAfterTab('ags -d sub', 'dir')).toMatch(/^% ags -d subdir-x\/$/m);
    });

    it('completes the value of --opt=value', async () => {
      expect(await screenAfterTab('ags --network=al', 'eq')).toMatch(/^% ags --network=allowlist$/m);
      expect(await screenAfterTab('ags --config=file-', 'eqfile')).toMatch(/^% ags --config=file-y\.toml$/m);
    });
  });
});

/** Polls the tmux pane until `done` holds for its text (a bounded number of times), then returns it. */
async function waitFor(
  tmux: (...args: string[]) => Promise<{ stdout: unknown }>,
  done: RegExp | ((screen: string) => boolean),
): Promise<string> {
  let screen = '';
  for (let i = 0; i < 100; i++) {
    screen = String((await tmux('capture-pane', '-p', '-t', '0')).stdout);
    if (typeof done === 'function' ? done(screen) : done.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 50));
  }
  return screen;
}

/** Starts `shell` in tmux, runs `setup` in it, types `keys` and Tab, and returns the screen once the line grew. */
async function interactiveTab(
  shell: string,
  command: string,
  setup: string,
  keys: string,
  name: string,
): Promise<string> {
  const socket = `ags-${shell}-test-${process.pid}-${name}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false });
  try {
    await tmux('new-session', '-d', '-x', '150', '-y', '20', command);
    await tmux('send-keys', '-t', '0', '-l', setup);
    await tmux('send-keys', '-t', '0', 'Enter');
    await waitFor(tmux, /^READY$/m);
    await tmux('send-keys', '-t', '0', '-l', keys);
    await tmux('send-keys', '-t', '0', 'Tab');
    return await waitFor(tmux, (screen) =>
      screen.split('\n').some((l) => l.startsWith(`% ${keys}`) && l.trimEnd().length > `% ${keys}`.length),
    );
  } finally {
    await tmux('kill-server');
  }
}
