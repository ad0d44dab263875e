import { afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../support/capture.js';
import { internalErrorText, runCli } from '../../src/cli/main.js';
import { VERSION } from '../../src/util/package-root.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('ags CLI conventions', () => {
  it('--version prints the package version and exits 0', async () => {
    const io = capture();
    expect(await runCli(['--version'])).toBe(0);
    expect(io.out().trim()).toBe(VERSION);
  });

  it('--help shows usage with examples and the exit-code convention', async () => {
    const io = capture();
    expect(await runCli(['--help'])).toBe(0);
    expect(io.out()).toContain('Usage: ags');
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain('--agent');
    expect(io.out()).toMatch(/Exit codes: 2 .* 1 .* agent's own exit code/);
  });

  it('no --agent is a usage error: one line and a hint, exit 2', async () => {
    const io = capture();
    expect(await runCli([])).toBe(2);
    expect(io.err()).toMatch(/^ags: missing --agent\n {2}choose one of: claude, codex/);
    expect(io.err()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an unknown agent is a usage error naming the choices, exit 2', async () => {
    const io = capture();
    expect(await runCli(['--agent', 'nope'])).toBe(2);
    expect(io.err()).toContain("argument 'nope' is invalid");
    expect(io.err()).toContain('claude, codex, gemini, opencode, pi, shell');
  });

  it('an unknown flag is a usage error, exit 2', async () => {
    const io = capture();
    expect(await runCli(['--bogus'])).toBe(2);
    expect(io.err()).toBe("ags: unknown option '--bogus'\n");
  });

  it('an empty -d is refused, exit 2, not silently dropped', async () => {
    const io = capture();
    expect(await runCli(['-d', '', '--agent', 'shell'])).toBe(2);
    expect(io.err()).toBe(
      "ags: option '-d, --add-dir <dir>' argument '' is invalid. A path is needed, not an empty string.\n",
    );
  });
});

describe('ags help and mistyped commands', () => {
  it('`ags help` prints the same usage as --help, exit 0', async () => {
    let io = capture();
    expect(await runCli(['--help'])).toBe(0);
    const help = io.out();
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['help'])).toBe(0);
    expect(io.out()).toBe(help);
    expect(help).toMatch(/help \[command\.\.\.\]\s+show help for ags, or for one command/);
  });

  it('`ags help <command>` prints that command’s help, nested ones too', async () => {
    let io = capture();
    expect(await runCli(['help', 'doctor'])).toBe(0);
    expect(io.out()).toContain('Usage: ags doctor');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['help', 'config', 'show'])).toBe(0);
    expect(io.out()).toContain('Usage: ags config show');
  });

  it('a mistyped command gets a did-you-mean, exit 2', async () => {
    let io = capture();
    expect(await runCli(['doctr'])).toBe(2);
    expect(io.err()).toBe("ags: unknown command 'doctr'; did you mean 'doctor'?\n");
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['help', 'updat-agents'])).toBe(2);
    expect(io.err()).toBe("ags: unknown command 'updat-agents'; did you mean 'update-agents'?\n");
  });

  it('an unknown word with nothing close names the command list', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'])).toBe(2);
    expect(io.err()).toMatch(/^ags: unknown command 'frobnicate'\n {2}see `ags help`/);
  });

  it('with --agent, a stray word is an agent argument that belongs after --', async () => {
    const io = capture();
    expect(await runCli(['--agent', 'claude', 'foo'])).toBe(2);
    expect(io.err()).toBe("ags: unexpected argument 'foo'\n  put agent arguments after '--'\n");
  });

  it('escapes control characters of a stray word', async () => {
    const io = capture();
    expect(await runCli(['doc\u001b[2Jtor'])).toBe(2);
    expect(io.err()).not.toContain('\u001b');
  });
});

describe('run options and subcommands', () => {
  it.each([
    [['--dry-run', 'update-agents', 'claude'], '--dry-run', 'update-agents'],
    [['update-agents', '--dry-run', 'claude'], '--dry-run', 'update-agents'],
    [['--agent', 'shell', 'doctor'], '--agent', 'doctor'],
    [['--tmux', 'config', 'path'], '--tmux', 'config path'],
    [['-d', '/tmp', 'trust', 'list'], '--add-dir', 'trust list'],
    [['--yolo', 'guard', 'explain', '--', 'ls'], '--yolo', 'guard explain'],
  ])('refuses %j with exit 2, naming the flag', async (argv, flag, command) => {
    const io = capture();
    expect(await runCli(argv)).toBe(2);
    expect(io.err()).toMatch(
      new RegExp(`^ags: ${flag} is an option of a run; \`ags ${command}\` does not take it\n`),
    );
    expect(io.out()).toBe('');
  });

  it('--agent with a command word points at -- for agent arguments', async () => {
    const io = capture();
    expect(await runCli(['--agent', 'shell', 'doctor'])).toBe(2);
    expect(io.err()).toContain("put it after '--': ags --agent NAME -- doctor");
  });

  it('keeps --config working for subcommands, before or after them', async () => {
    let io = capture();
    expect(await runCli(['--config', '/tmp/x.toml', 'config', 'path'])).toBe(0);
    expect(io.out()).toBe('/tmp/x.toml\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['config', 'path', '--config', '/tmp/x.toml'])).toBe(0);
    expect(io.out()).toBe('/tmp/x.toml\n');
  });

  it('a repeated --agent (or --config) is refused instead of taking the last', async () => {
    let io = capture();
    expect(await runCli(['--agent', 'shell', '--agent', 'claude', '--dry-run'])).toBe(2);
    expect(io.err()).toBe('ags: --agent is given twice ("shell" and "claude")\n  give --agent once\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['--config', '/a.toml', 'config', 'path', '--config', '/b.toml'])).toBe(2);
    expect(io.err()).toContain('--config is given twice');
  });
});

describe('internal errors', () => {
  const bug = Object.assign(new Error('boom \u001b[31mred\u001b[0m\nsecond line'), {
    stack: 'Error: boom\n    at someFunction (file.ts:1:2)',
  });

  it('are one line saying it is a bug and how to report it, without the stack', () => {
    const text = internalErrorText(bug, false);
    expect(text.split('\n')).toEqual([
      "ags: internal error (a bug in ags): boom \\x1b[31mred\\x1b[0m; run again with AGS_DEBUG=1 and report the output in the ags repository's issues",
      '',
    ]);
  });

  it('carry the stack only with AGS_DEBUG=1', () => {
    expect(internalErrorText(bug, true)).toContain('    at someFunction (file.ts:1:2)\n');
  });

  it('reach the terminal through runCli that way', async () => {
    const io = capture();
    // `ags guard explain` asks for the current directory; a throwing process.cwd stands in for a bug in ags
    vi.spyOn(process, 'cwd').mockImplementation(() => {
      throw new Error('simulated bug');
    });
    vi.stubEnv('AGS_DEBUG', '');
    const code = await runCli(['guard', 'explain', '--', 'ls']);
    vi.unstubAllEnvs();
    expect(code).toBe(1);
    expect(io.err()).toMatch(
      /^ags: internal error \(a bug in ags\): simulated bug; run again with AGS_DEBUG=1/,
    );
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});

describe('a deleted current directory', () => {
  it('is one line, exit 2, even for commands that only resolve a path', async () => {
    const io = capture();
    vi.spyOn(process, 'cwd').mockImplementation(() => {
      throw Object.assign(new Error('ENOENT: no such file or directory, uv_cwd'), {
        code: 'ENOENT',
        syscall: 'uv_cwd',
      });
    });
    expect(await runCli(['guard', 'explain', '--', 'ls'])).toBe(2);
    expect(io.err()).toBe(
      'ags: cannot use the current directory: it no longer exists\n  cd into an existing directory and try again\n',
    );
  });
});
