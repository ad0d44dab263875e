import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deriveSeccompProfile,
  ensureSeccompProfile,
  locateSeccompProfile,
  noUserNamespacesProfilePath,
  withoutUserNamespaces,
} from '../../../src/runtime/podman/seccomp.js';

interface Cond {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
interface Rule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Cond[] | null;
  includes?: { caps?: string[] };
  excludes?: { caps?: string[] };
}

/**
 * A small base profile shaped like podman's default: deny by default; without CAP_AUDIT_WRITE, socket is
 * allowed unless it is an audit netlink socket; with it, socket is allowed whole.
 */
interface Profile {
  defaultAction: string;
  defaultErrnoRet: number;
  archMap: { architecture: string; subArchitectures: string[] }[];
  syscalls: Rule[];
}

const base = (): Profile => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    {
      names: ['read', 'socketcall', 'io_uring_setup', 'write', 'clone', 'clone3', 'unshare'],
      action: 'SCMP_ACT_ALLOW',
      args: [],
    },
    {
      names: ['socket'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 22,
      args: [
        { index: 0, value: 16, valueTwo: 0, op: 'SCMP_CMP_EQ' },
        { index: 2, value: 9, valueTwo: 0, op: 'SCMP_CMP_EQ' },
      ],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['socket'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['socket'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 16, op: 'SCMP_CMP_NE' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['bind', 'socket'],
      action: 'SCMP_ACT_ALLOW',
      args: null,
      includes: { caps: ['CAP_AUDIT_WRITE'] },
    },
  ],
});

/** A condition on a 64-bit register, evaluated the way the kernel's filter does. */
function holds(c: Cond, regs: bigint[]): boolean {
  const x = regs[c.index] ?? 0n;
  const v = BigInt(c.value);
  switch (c.op) {
    case 'SCMP_CMP_EQ':
      return x === v;
    case 'SCMP_CMP_NE':
      return x !== v;
    case 'SCMP_CMP_LT':
      return x < v;
    case 'SCMP_CMP_MASKED_EQ':
      return (x & v) === BigInt(c.valueTwo ?? 0);
    default:
      throw new Error(`op ${c.op} not modelled`);
  }
}

/** The rules of `profile` that match a call: each as "ACTION" or "ACTION/errno". */
function matching(
  profile: { syscalls?: unknown },
  name: string,
  regs: bigint[],
  caps: string[] = [],
): string[] {
  const applies = (r: Rule) =>
    (r.includes?.caps ?? []).every((c) => caps.includes(c)) &&
    !(r.excludes?.caps ?? []).some((c) => caps.includes(c));
  return (profile.syscalls as Rule[])
    .filter((r) => applies(r) && r.names.includes(name) && (r.args ?? []).every((c) => holds(c, regs)))
    .map((r) => (r.errnoRet ? `${r.action}/${r.errnoRet}` : r.action));
}

describe('deriveSeccompProfile', () => {
  const derived = deriveSeccompProfile(base(), 'x64');

  it('refuses AF_VSOCK sockets with EAFNOSUPPORT, also with high bits the kernel ignores', () => {
    for (const caps of [[], ['CAP_AUDIT_WRITE']]) {
      expect(matching(derived, 'socket', [40n, 1n, 0n], caps)).toEqual(['SCMP_ACT_ERRNO/97']);
      expect(matching(derived, 'socket', [0x1_0000_0028n, 1n, 0n], caps)).toEqual(['SCMP_ACT_ERRNO/97']);
      // the base profile allowed both
      expect(matching(base(), 'socket', [40n, 1n, 0n], caps)).toContain('SCMP_ACT_ALLOW');
    }
  });

  it('keeps every other family and the base profile’s own socket rules', () => {
    for (const caps of [[], ['CAP_AUDIT_WRITE']]) {
      for (const family of [1n, 2n, 10n, 16n, 39n, 41n, 45n]) {
        const m = matching(derived, 'socket', [family, 1n, 0n], caps);
        expect(m.length, `family ${family}`).toBeGreaterThan(0);
        expect(new Set(m), `family ${family}`).toEqual(new Set(['SCMP_ACT_ALLOW']));
      }
    }
    expect(matching(derived, 'socket', [16n, 3n, 9n])).toEqual(['SCMP_ACT_ERRNO/22']);
    expect(matching(derived, 'socket', [16n, 3n, 9n], ['CAP_AUDIT_WRITE'])).toEqual(['SCMP_ACT_ALLOW']);
    // families Linux does not know yet, and other high-bit values, fall to the default (deny)
    expect(matching(derived, 'socket', [46n, 1n, 0n])).toEqual([]);
    expect(matching(derived, 'socket', [0x1_0000_0002n, 1n, 0n])).toEqual([]);
  });

  it('adds no rule that overlaps a rule of another action', () => {
    const families = [...Array(64).keys()].map(BigInt);
    for (const family of [...families, ...families.map((f) => f | 0x1_0000_0000n), 2n ** 64n - 1n]) {
      for (const protocol of [0n, 9n]) {
        for (const caps of [[], ['CAP_AUDIT_WRITE']]) {
          const found = matching(derived, 'socket', [family, 1n, protocol], caps);
          const actions = new Set(found.map((a) => a.split('/')[0]));
          expect(actions.size, `socket(${family}, 1, ${protocol}) ${caps}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('compares the family at most once per rule', () => {
    for (const r of derived.syscalls as Rule[]) {
      const onFamily = (r.args ?? []).filter((c) => c.index === 0);
      expect(onFamily.length).toBeLessThanOrEqual(1);
    }
  });

  it('drops io_uring and the 32-bit x86 ABI (socketcall), keeps the rest', () => {
    expect(matching(derived, 'io_uring_setup', [])).toEqual([]);
    expect(matching(derived, 'read', [])).toEqual(['SCMP_ACT_ALLOW']);
    expect(matching(derived, 'bind', [], ['CAP_AUDIT_WRITE'])).toEqual(['SCMP_ACT_ALLOW']);
    expect(derived.archMap).toEqual([
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ]);
    expect(derived.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(derived.defaultErrnoRet).toBe(38);
  });

  it('fails closed on a base it cannot derive from exactly, and on a socketcall host', () => {
    const bad = (mutate: (p: Profile) => void) => {
      const p = base();
      mutate(p);
      return () => deriveSeccompProfile(p, 'x64');
    };
    expect(bad((p) => (p.defaultAction = 'SCMP_ACT_ALLOW'))).toThrow(
      /defaultAction SCMP_ACT_ALLOW does not deny/,
    );
    expect(bad((p) => (p.syscalls[0]!.action = 'SCMP_ACT_MAYBE'))).toThrow(/unknown action/);
    expect(bad((p) => p.syscalls[2]!.args!.push({ index: 2, value: 3, op: 'SCMP_CMP_NE' }))).toThrow(
      /compares one argument twice/,
    );
    expect(bad((p) => (p.syscalls[3]!.args![0]!.op = 'SCMP_CMP_SOMETIMES'))).toThrow(/unknown comparison/);
    expect(bad((p) => (p.syscalls[3]!.args![0]!.value = 2 ** 60))).toThrow(/cannot be carried over exactly/);
    expect(bad((p) => ((p as { syscalls: unknown }).syscalls = 'all'))).toThrow(/no syscalls list/);
    expect(() => deriveSeccompProfile(base(), 's390x')).toThrow(/cannot deny AF_VSOCK sockets on s390x/);
  });
});

const CLONE_NEWUSER = 0x1000_0000n;

describe('withoutUserNamespaces', () => {
  const derived = deriveSeccompProfile(base(), 'x64');
  const hardened = withoutUserNamespaces(derived);

  it('refuses clone and unshare with CLONE_NEWUSER (EPERM), also among other flags and high bits', () => {
    for (const name of ['clone', 'unshare']) {
      for (const flags of [CLONE_NEWUSER, CLONE_NEWUSER | 0x11n, CLONE_NEWUSER | 0x1_0000_0000n]) {
        expect(matching(hardened, name, [flags]), `${name}(${flags})`).toEqual(['SCMP_ACT_ERRNO/1']);
      }
      // the base allowed it
      expect(matching(derived, name, [CLONE_NEWUSER])).toEqual(['SCMP_ACT_ALLOW']);
    }
  });

  it('keeps clone and unshare without CLONE_NEWUSER: threads, fork, other namespaces (the kernel decides)', () => {
    const thread = 0x3d0f00n; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
    for (const flags of [0n, 17n, thread, 0x2_0000n /* CLONE_NEWNS */]) {
      expect(matching(hardened, 'clone', [flags])).toEqual(['SCMP_ACT_ALLOW']);
      expect(matching(hardened, 'unshare', [flags])).toEqual(['SCMP_ACT_ALLOW']);
    }
  });

  it('answers clone3 ENOSYS (its flags sit behind a pointer), so libc falls back to clone', () => {
    expect(matching(hardened, 'clone3', [0n])).toEqual(['SCMP_ACT_ERRNO/38']);
  });

  it('changes nothing else', () => {
    const others = (p: Record<string, unknown>) =>
      (p.syscalls as Rule[])
        .map((r) => ({ ...r, names: r.names.filter((n) => !['clone', 'clone3', 'unshare'].includes(n)) }))
        .filter((r) => r.names.length > 0);
    expect(others(hardened)).toEqual(others(derived));
    expect({ ...hardened, syscalls: [] }).toEqual({ ...derived, syscalls: [] });
  });

  it('refuses a base whose clone or unshare rule it cannot replace without widening it', () => {
    const withRule = (rule: Rule) => ({ ...derived, syscalls: [...(derived.syscalls as Rule[]), rule] });
    expect(() =>
      withoutUserNamespaces(
        withRule({
          names: ['clone'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
        }),
      ),
    ).toThrow(/conditional or denying rule for clone/);
    expect(() =>
      withoutUserNamespaces(withRule({ names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 })),
    ).toThrow(/conditional or denying rule for unshare/);
  });
});

describe('locateSeccompProfile / ensureSeccompProfile', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'ags-seccomp-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('derives once per base file and reuses it; a changed base gets a new profile', () => {
    const dir = tmp();
    const file = join(dir, 'base.json');
    writeFileSync(file, JSON.stringify(base()));
    const first = locateSeccompProfile(dir, [join(dir, 'absent.json'), file]);
    expect(first.base).toBe(file);
    ensureSeccompProfile(first);
    const written = statSync(first.path);
    expect(written.mode & 0o777).toBe(0o600);
    const variant = noUserNamespacesProfilePath(first.path);
    expect(variant).toBe(first.path.replace(/\.json$/, '-no-userns.json'));
    expect(statSync(variant).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(variant, 'utf8'))).toEqual(
      withoutUserNamespaces(JSON.parse(readFileSync(first.path, 'utf8')) as Record<string, unknown>),
    );
    expect(JSON.parse(readFileSync(first.path, 'utf8')).syscalls.length).toBeGreaterThan(5);
    ensureSeccompProfile(locateSeccompProfile(dir, [file]));
    expect(statSync(first.path).mtimeMs).toBe(written.mtimeMs);

    writeFileSync(file, JSON.stringify({ ...base(), defaultErrnoRet: 1 }));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = locateSeccompProfile(dir, [file]);
    expect(second.path).not.toBe(first.path);
    ensureSeccompProfile(second);
    expect(JSON.parse(readFileSync(second.path, 'utf8')).defaultErrnoRet).toBe(1);
  });

  it('writes the variant without user namespaces also where an older ags left only the profile', () => {
    const dir = tmp();
    const file = join(dir, 'base.json');
    writeFileSync(file, JSON.stringify(base()));
    const located = locateSeccompProfile(dir, [file]);
    ensureSeccompProfile(located);
    rmSync(noUserNamespacesProfilePath(located.path));
    ensureSeccompProfile(located);
    expect(
      JSON.parse(readFileSync(noUserNamespacesProfilePath(located.path), 'utf8')).syscalls,
    ).toContainEqual(expect.objectContaining({ names: ['clone3'], errnoRet: 38 }));
  });

  it('fails closed, in one line, without a base profile or with a broken one', () => {
    const dir = tmp();
    expect(() => locateSeccompProfile(dir, [join(dir, 'a.json'), join(dir, 'b.json')])).toThrow(
      `podman's default seccomp profile is missing (looked for ${dir}/a.json, ${dir}/b.json); ags derives its own from it`,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"defaultAction": ');
    expect(() => ensureSeccompProfile(locateSeccompProfile(dir, [broken]))).toThrow(
      `cannot derive ags's seccomp profile from ${broken}: it is not valid JSON`,
    );
  });
});
