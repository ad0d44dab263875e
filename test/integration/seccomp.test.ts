import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

const EAFNOSUPPORT = 97;
/** What the shell reports for a program killed by SIGSYS (128 + 31). */
const KILLED_BY_SECCOMP = 159;

/**
 * A static 32-bit x86 program (a bare ELF header and `code`), so the test needs no compiler: 32-bit programs
 * reach the socket code through socketcall(2) too, a path a family filter on socket(2) alone would miss.
 * Each exits with the errno of its one system call, or 253 (256 - fd 3) when it got a socket.
 */
function i386Program(code: number[]): Buffer {
  const u16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
  const u32 = (v: number) => [...u16(v & 0xffff), ...u16(v >>> 16)];
  const base = 0x08048000;
  const headers = 52 + 32;
  const size = headers + code.length;
  // prettier-ignore
  return Buffer.from([
    // ELF header: 32-bit, little-endian, executable, i386, entry right after the headers
    ...[0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...u16(2), ...u16(3), ...u32(1), ...u32(base + headers), ...u32(52), ...u32(0), ...u32(0),
    ...u16(52), ...u16(32), ...u16(1), ...u16(0), ...u16(0), ...u16(0),
    // one loadable, readable and executable segment: the whole file
    ...u32(1), ...u32(0), ...u32(base), ...u32(base), ...u32(size), ...u32(size), ...u32(5), ...u32(0x1000),
    ...code,
  ]);
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** neg eax; mov ebx, eax; mov eax, 1 (exit); int 0x80: exits with -result, so errno, or 256-fd on success. */
const EXIT_WITH_ERRNO = [0xf7, 0xd8, 0x89, 0xc3, 0xb8, ...le32(1), 0xcd, 0x80];
/** push 0; push SOCK_STREAM; push family; mov ecx, esp; mov ebx, SYS_SOCKET; mov eax, 102 (socketcall); int 0x80 */
const viaSocketcall = (family: number) => [
  ...[0x6a, 0, 0x6a, 1, 0x6a, family, 0x89, 0xe1, 0xbb, ...le32(1), 0xb8, ...le32(102), 0xcd, 0x80],
  ...EXIT_WITH_ERRNO,
];
/** mov ebx, family; mov ecx, SOCK_STREAM; xor edx, edx; mov eax, 359 (socket); int 0x80 */
const viaSocket = (family: number) => [
  ...[0xbb, ...le32(family), 0xb9, ...le32(1), 0x31, 0xd2, 0xb8, ...le32(359), 0xcd, 0x80],
  ...EXIT_WITH_ERRNO,
];

// ags's seccomp profile: podman's default without AF_VSOCK sockets (which share the host's vsock port space),
// tried for real in the sandbox with perl (in the image) and tiny 32-bit programs.
describe("the sandbox's seccomp profile", () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    const programs = {
      'vsock-socketcall': viaSocketcall(40),
      'inet-socketcall': viaSocketcall(2),
      'vsock-socket32': viaSocket(40),
      'inet-socket32': viaSocket(2),
    };
    for (const [name, code] of Object.entries(programs)) {
      writeFileSync(join(repo, name), i386Program(code));
      chmodSync(join(repo, name), 0o755);
      giveToTestUser(host, join(repo, name));
    }
    config = writeTestConfig(host, tmp.dir);
    mkdirSync(join(tmp.dir, 'run'), { mode: 0o700 });
    giveToTestUser(host, join(tmp.dir, 'run'));
  });

  afterAll(() => tmp?.cleanup());

  /** `perl -e` socket(family, SOCK_STREAM or SOCK_RAW, protocol) in the sandbox: 0, or the errno. */
  const perlSocket = (family: string, type = 1, protocol = 0) =>
    `perl -e 'exit(socket(my $s, ${family}, ${type}, ${protocol}) ? 0 : $!+0)'; echo "$?"`;
  const probes = [
    ['vsock', perlSocket('40')],
    // the family in the low 32 bits, something in the high ones: the kernel reads an int, so this is AF_VSOCK
    ['vsock-high-bits', `perl -e 'exit(syscall(41, 0x100000028, 1, 0) >= 0 ? 0 : $!+0)'; echo "$?"`],
    ['inet', perlSocket('2')],
    ['inet6', perlSocket('10')],
    ['unix', perlSocket('1')],
    ['netlink', perlSocket('16', 3, 0)],
    ...['vsock-socketcall', 'inet-socketcall', 'vsock-socket32', 'inet-socket32'].map((p) => [
      p,
      `./${p}; echo "$?"`,
    ]),
  ] as const;

  async function probe(extra: string[]): Promise<Record<string, number>> {
    const script = probes.map(([name, cmd]) => `printf '%s=' ${name}; ${cmd}`).join('; ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', ...extra, '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    return Object.fromEntries(
      String(r.stdout)
        .trim()
        .split('\n')
        .map((l) => l.split('='))
        .map(([k, v]) => [k!, Number(v)]),
    );
  }

  for (const extra of [[], ['--root']]) {
    it(`${extra.length ? '--root' : 'a default run'}: no AF_VSOCK socket by any path; other families work`, async () => {
      const seen = await probe(extra);
      expect(seen).toEqual({
        vsock: EAFNOSUPPORT,
        'vsock-high-bits': EAFNOSUPPORT,
        inet: 0,
        inet6: 0,
        unix: 0,
        netlink: 0,
        // socketcall(SYS_SOCKET) hides the family behind a pointer: the 32-bit x86 ABI is not in the profile
        // at all, so a 32-bit program dies at its first system call
        'vsock-socketcall': KILLED_BY_SECCOMP,
        'inet-socketcall': KILLED_BY_SECCOMP,
        'vsock-socket32': KILLED_BY_SECCOMP,
        'inet-socket32': KILLED_BY_SECCOMP,
      });
    });
  }
});
