/**
 * The command tables of normalization: shells, wrappers that run another command (and how to skip their options),
 * commands that pass their input through, decoders and network clients.
 */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'fish', 'rbash']);
export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/** Commands whose output is their input (for tracing a pipe back to its source). */
export const PASSTHROUGH = new Set([
  'tee',
  'head',
  'tail',
  'less',
  'more',
  'sort',
  'uniq',
  'cat',
  'dd',
  'pv',
  'buffer',
]);
/** Commands that turn encoded input into something else. */
export const DECODERS = new Set([
  'base64',
  'base32',
  'basenc',
  'xxd',
  'openssl',
  'gunzip',
  'zcat',
  'gzip',
  'bzip2',
  'bzcat',
  'bunzip2',
  'xz',
  'xzcat',
  'unxz',
  'zstd',
  'zstdcat',
  'unzstd',
  'uudecode',
  'rev',
  'tr',
  'sed',
  'awk',
  'gawk',
  'mawk',
  'perl',
  'python',
  'python3',
  'ruby',
  'node',
  'iconv',
  'od',
  'hexdump',
  'rot13',
]);
export const NETWORK = new Set([
  'curl',
  'wget',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'telnet',
  'fetch',
  'http',
  'https',
  'xh',
  'aria2c',
  'lynx',
  'links',
  'w3m',
  'ssh',
  'scp',
  'sftp',
  'rsync',
  'ftp',
  'tftp',
  'openssl',
]);

/** A prefix command that runs another command: how to skip its own options. */
export interface Wrapper {
  /** Options that take a separate value (`-u root`). Long options also accept `--opt=value`. */
  withArg: readonly string[];
  /** Number of positional arguments before the command (`timeout 5 cmd`, `chroot /x cmd`). */
  positionals?: number;
  /** Options after which nothing runs (`command -v`). */
  noRun?: readonly string[];
  /** The wrapper is a command the rules judge too (`nsenter -t 1 sh`), not only a way to run one. */
  judged?: boolean;
  /** After its options and positionals, these options take a shell string to run (`flock FILE -c CMD`). */
  stringOpts?: readonly string[];
}

export const WRAPPERS: Record<string, Wrapper> = {
  sudo: {
    withArg: [
      '-u',
      '-g',
      '-h',
      '-p',
      '-C',
      '-r',
      '-t',
      '-U',
      '-D',
      '-T',
      '-R',
      '--user',
      '--group',
      '--host',
      '--prompt',
      '--close-from',
      '--role',
      '--type',
      '--other-user',
      '--chdir',
      '--command-timeout',
      '--chroot',
    ],
    noRun: ['-l', '-v', '-k', '-K', '-V', '--list', '--validate', '--version'],
  },
  doas: { withArg: ['-u', '-C'] },
  run0: {
    withArg: [
      '-u',
      '--user',
      '-g',
      '--group',
      '-D',
      '--chdir',
      '--setenv',
      '--property',
      '--unit',
      '--description',
      '--slice',
      '--nice',
    ],
  },
  nohup: { withArg: [] },
  setsid: { withArg: [] },
  time: { withArg: ['-f', '-o', '--format', '--output'] },
  command: { withArg: [], noRun: ['-v', '-V'] },
  builtin: { withArg: [] },
  exec: { withArg: ['-a'] },
  nice: { withArg: ['-n', '--adjustment'] },
  ionice: { withArg: ['-c', '-n', '--class', '--classdata'] },
  chrt: { withArg: [], positionals: 1 },
  taskset: { withArg: [], positionals: 1 },
  timeout: { withArg: ['-s', '-k', '--signal', '--kill-after'], positionals: 1 },
  stdbuf: { withArg: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  unbuffer: { withArg: [] },
  chroot: { withArg: ['--userspec', '--groups'], positionals: 1 },
  flock: {
    withArg: ['-w', '-E', '--timeout', '--conflict-exit-code'],
    positionals: 1,
    stringOpts: ['-c', '--command'],
  },
  strace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-O', '-S', '-X', '-P', '-I', '-b'] },
  ltrace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-a', '-n', '-l'] },
  unshare: { withArg: ['-S', '-G', '-R', '-w', '--setuid', '--setgid', '--root', '--wd'], judged: true },
  nsenter: { withArg: ['-t', '-S', '-G', '--target', '--setuid', '--setgid'], judged: true },
  runuser: { withArg: ['-u', '-g', '-G', '--user', '--group', '--supp-group'] },
  catchsegv: { withArg: [] },
  fakeroot: { withArg: ['-l', '-s', '-i', '--lib', '--faked'] },
  'with-contenv': { withArg: [] },
  proxychains: { withArg: ['-f'] },
  proxychains4: { withArg: ['-f'] },
  torsocks: { withArg: [] },
  caffeinate: { withArg: ['-w', '-t'] },
};

/** `xargs` options that take a separate value. */
export const XARGS_WITH_ARG = new Set([
  '-I',
  '-L',
  '-n',
  '-P',
  '-s',
  '-d',
  '-E',
  '-a',
  '--max-args',
  '--max-procs',
  '--max-chars',
  '--delimiter',
  '--eof',
  '--arg-file',
  '--replace',
  '--max-lines',
  '--process-slot-var',
]);

/** At most this many words of literal input are appended to an `xargs` command. */
export const MAX_XARGS_WORDS = 64;
