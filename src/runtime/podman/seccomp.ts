import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../../errors.js';

/**
 * ags's seccomp profile: podman's own default profile on this host, with AF_VSOCK sockets taken away. podman
 * 4.3's default allows them, and a vsock socket in the sandbox shares the host's vsock port space (in a VM:
 * the hypervisor's services; on any host: ports the host listens on).
 *
 * Derived from the host's file rather than shipped, so it follows the podman the user has. The derivation has
 * to respect how seccomp filters really work:
 * - an argument is a 64-bit register, while the kernel reads `int family`: socket(0x1_0000_0028, ...) is an
 *   AF_VSOCK socket that a rule `arg0 == 40` never sees. So the allowed families are listed exactly
 *   (`arg0 < 40`, `arg0 == 41`, ...) and anything else falls to the profile's deny-by-default action;
 * - an OCI rule may compare each argument once, and runtimes treat overlapping rules with different actions
 *   differently (libseccomp refuses some), so every rule this adds is disjoint from the others;
 * - 32-bit x86 (and the other ABIs with socketcall(2)) can make a socket through socketcall(SYS_SOCKET, args),
 *   whose family sits behind a pointer no filter can read; libseccomp even rewrites each socket() rule into a
 *   socketcall(SYS_SOCKET) rule without its family condition. So those ABIs are dropped from the profile: a
 *   32-bit x86 program in the sandbox is killed (SIGSYS) at its first system call. On a host whose own ABI has
 *   socketcall (s390x, ppc64, 32-bit x86) the profile cannot hold, and the run is refused;
 * - io_uring can create sockets without the socket syscall, so it is refused too (podman's own default
 *   already refuses it on current versions).
 * A base profile of a shape this does not understand is refused, never passed through.
 */

/** Where podman finds its packaged default profile (the override in /etc first, as podman looks). */
export const PODMAN_SECCOMP_PROFILES = ['/etc/containers/seccomp.json', '/usr/share/containers/seccomp.json'];

const AF_VSOCK = 40;
/** The last address family Linux knows (AF_MCTP); newer ones stay refused until listed here. */
const AF_LAST_KNOWN = 45;
const EAFNOSUPPORT = 97;
const IO_URING = ['io_uring_setup', 'io_uring_enter', 'io_uring_register'];

/** The address families socket(2) may still open: every one Linux knows but AF_VSOCK. */
const ALLOWED_FAMILIES = Array.from({ length: AF_LAST_KNOWN + 1 }, (_, f) => f).filter((f) => f !== AF_VSOCK);
/** seccomp architectures whose ABI has socketcall(2). */
const SOCKETCALL_ARCHES = new Set([
  'SCMP_ARCH_X86',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
]);
/** Node's names of the host ABIs with socketcall(2). */
const SOCKETCALL_HOSTS = new Set(['ia32', 'ppc', 'ppc64', 's390', 's390x', 'mips', 'mipsel']);

const DENYING = new Set([
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
]);
const PERMITTING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE', 'SCMP_ACT_NOTIFY']);

interface Condition {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

interface Rule {
  names: string[];
  action: string;
  args?: Condition[] | null;
  [key: string]: unknown;
}

/** Thrown for a base profile this derivation does not understand; the caller names the file. */
export class SeccompProfileError extends Error {}

function holds(c: Condition, v: number): boolean {
  const value = BigInt(c.value);
  const x = BigInt(v);
  switch (c.op) {
    case 'SCMP_CMP_NE':
      return x !== value;
    case 'SCMP_CMP_LT':
      return x < value;
    case 'SCMP_CMP_LE':
      return x <= value;
    case 'SCMP_CMP_EQ':
      return x === value;
    case 'SCMP_CMP_GE':
      return x >= value;
    case 'SCMP_CMP_GT':
      return x > value;
    case 'SCMP_CMP_MASKED_EQ':
      // OCI: `value` is the mask, `valueTwo` the datum
      return (x & value) === BigInt(c.valueTwo ?? 0);
    default:
      throw new SeccompProfileError(`unknown comparison ${c.op}`);
  }
}

/** Single conditions on argument 0 that together match exactly `values` (all small, non-negative). */
function exactly(values: number[]): Condition[] {
  let prefix = 0;
  while (values[prefix] === prefix) prefix++;
  const conditions: Condition[] = [];
  // 0..prefix-1 as one `<` (an unsigned 64-bit compare: no high bits get through)
  if (prefix > 1) conditions.push({ index: 0, value: prefix, valueTwo: 0, op: 'SCMP_CMP_LT' });
  for (const v of prefix > 1 ? values.slice(prefix) : values) {
    conditions.push({ index: 0, value: v, valueTwo: 0, op: 'SCMP_CMP_EQ' });
  }
  return conditions;
}

/** A socket(2) rule narrowed to the allowed families: zero or more rules, each comparing arg0 once. */
function narrowed(rule: Rule): Rule[] {
  const args = rule.args ?? [];
  const indexes = args.map((a) => a.index);
  if (new Set(indexes).size !== indexes.length) {
    throw new SeccompProfileError('a socket rule compares one argument twice');
  }
  const first = args.find((a) => a.index === 0);
  const others = args.filter((a) => a.index !== 0);
  const keep = first ? ALLOWED_FAMILIES.filter((v) => holds(first, v)) : ALLOWED_FAMILIES;
  return exactly(keep).map((c) => ({ ...rule, names: ['socket'], args: [...others, c] }));
}

/** The profile's architectures without the socketcall ABIs (both the Docker list and podman's archMap). */
function withoutSocketcallArches(profile: Record<string, unknown>): Record<string, unknown> {
  const out = { ...profile };
  const keep = (arch: unknown) => typeof arch !== 'string' || !SOCKETCALL_ARCHES.has(arch);
  if (Array.isArray(profile.architectures)) out.architectures = profile.architectures.filter(keep);
  if (Array.isArray(profile.archMap)) {
    out.archMap = profile.archMap.map((entry: unknown) => {
      const e = entry as { subArchitectures?: unknown };
      if (typeof e !== 'object' || e === null)
        throw new SeccompProfileError('archMap has a non-object entry');
      return Array.isArray(e.subArchitectures)
        ? { ...e, subArchitectures: e.subArchitectures.filter(keep) }
        : e;
    });
  }
  return out;
}

function checkRule(rule: unknown, i: number): Rule {
  const r = rule as Partial<Rule> & { name?: unknown };
  if (typeof r !== 'object' || r === null) throw new SeccompProfileError(`syscalls[${i}] is not an object`);
  // the older single-name form
  const names = Array.isArray(r.names) ? r.names : typeof r.name === 'string' ? [r.name] : null;
  if (!names || !names.every((n) => typeof n === 'string')) {
    throw new SeccompProfileError(`syscalls[${i}] has no names`);
  }
  if (typeof r.action !== 'string' || !(DENYING.has(r.action) || PERMITTING.has(r.action))) {
    throw new SeccompProfileError(`syscalls[${i}] has an unknown action ${String(r.action)}`);
  }
  const args = r.args ?? [];
  if (!Array.isArray(args)) throw new SeccompProfileError(`syscalls[${i}].args is not a list`);
  for (const a of args as Condition[]) {
    if (
      !Number.isInteger(a.index) ||
      a.index < 0 ||
      a.index > 5 ||
      !Number.isSafeInteger(a.value) ||
      (a.valueTwo !== undefined && !Number.isSafeInteger(a.valueTwo)) ||
      typeof a.op !== 'string'
    ) {
      throw new SeccompProfileError(`syscalls[${i}] has an argument condition ags cannot read exactly`);
    }
    holds(a, 0); // rejects an unknown comparison
  }
  const { name: _single, ...rest } = r as Rule & { name?: string };
  return { ...rest, names };
}

/** Every number in the profile, so that none is silently changed by parsing and writing it again. */
function assertExactNumbers(value: unknown): void {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new SeccompProfileError(`the number ${value} cannot be carried over exactly`);
  }
  if (value && typeof value === 'object') Object.values(value).forEach(assertExactNumbers);
}

/**
 * podman's default profile (parsed JSON) → ags's profile, for a host of Node's `arch`. Pure; throws
 * SeccompProfileError.
 */
export function deriveSeccompProfile(base: unknown, arch: string = process.arch): Record<string, unknown> {
  if (SOCKETCALL_HOSTS.has(arch)) {
    throw new RuntimeError(
      `ags cannot deny AF_VSOCK sockets on ${arch}: its socketcall(2) opens any socket family unseen by seccomp`,
      'run ags on x86-64 or arm64',
    );
  }
  const profile = base as { defaultAction?: unknown; syscalls?: unknown };
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw new SeccompProfileError('it is not a JSON object');
  }
  if (typeof profile.defaultAction !== 'string' || !DENYING.has(profile.defaultAction)) {
    // with an allowing default, whatever the rules do not list would be allowed: AF_VSOCK among it
    throw new SeccompProfileError(`its defaultAction ${String(profile.defaultAction)} does not deny`);
  }
  if (!Array.isArray(profile.syscalls)) throw new SeccompProfileError('it has no syscalls list');
  assertExactNumbers(profile);

  const syscalls: Rule[] = [];
  profile.syscalls.forEach((raw, i) => {
    const rule = checkRule(raw, i);
    if (DENYING.has(rule.action)) {
      syscalls.push(rule);
      return;
    }
    const plain = rule.names.filter((n) => n !== 'socket' && !IO_URING.includes(n));
    if (plain.length > 0) syscalls.push({ ...rule, names: plain });
    if (rule.names.includes('socket')) syscalls.push(...narrowed(rule));
  });
  // not needed to deny (nothing allows it any more), but "address family not supported" is the answer a
  // program expects, where the default's ENOSYS would read as a missing syscall; the mask also catches the
  // family with high bits set
  syscalls.push({
    names: ['socket'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: EAFNOSUPPORT,
    args: [{ index: 0, value: 0xffffffff, valueTwo: AF_VSOCK, op: 'SCMP_CMP_MASKED_EQ' }],
    comment: 'ags: no AF_VSOCK sockets (the host vsock port space)',
  });
  return { ...withoutSocketcallArches(profile as Record<string, unknown>), syscalls };
}

const CLONE_NEWUSER = 0x10000000;
const EPERM = 1;
const ENOSYS = 38;
/** The system calls that can create a user namespace. */
const USERNS_CREATORS = ['clone', 'clone3', 'unshare'];

/**
 * ags's profile (deriveSeccompProfile's output) without nested user namespaces: the variant a hardened run
 * (lockdown) gets. podman's default allows clone, clone3 and unshare whole (for podman in podman), so a sandbox
 * can make a user namespace and be "root" in it: every kernel interface that trusts namespace root (mounting
 * filesystems, nftables, ...) is then in reach. Here:
 * - clone and unshare with CLONE_NEWUSER fail with EPERM (as the kernel itself answers an unprivileged
 *   caller); without it they stay allowed. Both take the flags as a full register (unsigned long), and
 *   CLONE_NEWUSER is bit 28, so a masked compare sees exactly what the kernel reads;
 * - clone3 takes its flags behind a pointer, which no filter can read: it fails with ENOSYS, the answer of a
 *   kernel without clone3, on which glibc (threads, posix_spawn) falls back to clone.
 * The base rules for those calls are replaced; one of a shape whose replacement could widen what it allowed
 * (a denial, or an allow with conditions) is refused rather than merged.
 */
export function withoutUserNamespaces(profile: Record<string, unknown>): Record<string, unknown> {
  const rules = profile.syscalls as Rule[];
  const syscalls: Rule[] = [];
  for (const rule of rules) {
    const touched = rule.names.filter((n) => USERNS_CREATORS.includes(n));
    if (touched.length === 0) {
      syscalls.push(rule);
      continue;
    }
    if (!PERMITTING.has(rule.action) || (rule.args ?? []).length > 0) {
      throw new SeccompProfileError(
        `it has a conditional or denying rule for ${touched.join(', ')}, which ags cannot narrow to deny user namespaces`,
      );
    }
    const rest = rule.names.filter((n) => !USERNS_CREATORS.includes(n));
    if (rest.length > 0) syscalls.push({ ...rule, names: rest });
  }
  const newUser = (valueTwo: number): Condition[] => [
    { index: 0, value: CLONE_NEWUSER, valueTwo, op: 'SCMP_CMP_MASKED_EQ' },
  ];
  syscalls.push(
    { names: ['clone', 'unshare'], action: 'SCMP_ACT_ALLOW', args: newUser(0) },
    {
      names: ['clone', 'unshare'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: EPERM,
      args: newUser(CLONE_NEWUSER),
      comment: 'ags: no nested user namespaces',
    },
    {
      names: ['clone3'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: ENOSYS,
      comment: 'ags: clone3 flags cannot be filtered; ENOSYS makes libc fall back to clone',
    },
  );
  return { ...profile, syscalls };
}

/** Where the profile without nested user namespaces lives, next to ags's profile (written by ensure). */
export function noUserNamespacesProfilePath(profilePath: string): string {
  return `${profilePath.replace(/\.json$/, '')}-no-userns.json`;
}

/** The largest base profile ags reads (podman's is about 16 KB). */
const MAX_BASE_BYTES = 4 * 1024 * 1024;
/** Bump when deriveSeccompProfile changes, so that no run uses a profile derived the old way. */
const DERIVATION = 1;

/** podman's default profile on this host, and where ags keeps its profile derived from that file. */
export interface SeccompProfileFile {
  base: string;
  path: string;
}

/**
 * Finds podman's default profile and names ags's profile for it in `dir` (the private runtime dir), keyed on
 * the base file's identity and this derivation: a podman upgrade gets a new one. Reads nothing but metadata and
 * writes nothing (--dry-run calls it too). Fails closed when there is no base profile.
 */
export function locateSeccompProfile(dir: string, candidates = PODMAN_SECCOMP_PROFILES): SeccompProfileFile {
  const base = candidates.find((p) => existsSync(p));
  if (!base) {
    throw new RuntimeError(
      `podman's default seccomp profile is missing (looked for ${candidates.join(', ')}); ags derives its own from it`,
      'install the containers-common package (Debian and Ubuntu: golang-github-containers-common)',
    );
  }
  const st = statSync(base);
  const key = [DERIVATION, st.dev, st.ino, st.size, Math.floor(st.mtimeMs)].join('-');
  return { base, path: join(dir, `seccomp-${key}.json`) };
}

/**
 * Makes sure ags's profile for this base, and its variant without nested user namespaces, exist: derived once
 * (about 4 ms) and then reused by every run until the base file changes. Fails closed: a base profile ags
 * cannot derive from is an error, never passed through.
 */
export function ensureSeccompProfile(file: SeccompProfileFile): void {
  const variant = noUserNamespacesProfilePath(file.path);
  if (isOwnProfile(file.path) && isOwnProfile(variant)) return;
  let derived: Record<string, unknown>;
  let hardened: Record<string, unknown>;
  try {
    if (statSync(file.base).size > MAX_BASE_BYTES) throw new SeccompProfileError('it is larger than 4 MB');
    derived = deriveSeccompProfile(JSON.parse(readFileSync(file.base, 'utf8')));
    hardened = withoutUserNamespaces(derived);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message;
    throw new RuntimeError(
      `cannot derive ags's seccomp profile from ${file.base}: ${why}`,
      'reinstall containers-common, or report the file to ags',
    );
  }
  writeProfile(file.path, derived);
  writeProfile(variant, hardened);
}

/** Whether `path` is a profile this user wrote (a file of theirs nobody else may change); removes anything else. */
function isOwnProfile(path: string): boolean {
  try {
    const st = lstatSync(path);
    if (st.isFile() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0) return true;
    rmSync(path, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return false;
}

/** Written to a temporary name and renamed, so a concurrent run never reads half a file. */
function writeProfile(path: string, profile: Record<string, unknown>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(profile));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
