import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError } from '../../../src/errors.js';
import { describeOverlay } from '../../../src/config/overlay.js';
import {
  addTrust,
  isTrusted,
  readTrustStore,
  removeTrust,
  sha256,
  writeTrustStore,
} from '../../../src/config/trust.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ags-trust-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('the trust store', () => {
  it('keys trust by repository and exact content hash; re-trusting replaces the old hash', () => {
    const store = join(tmp, 'state', 'ags', 'trust.json');
    const a = sha256(Buffer.from('one'));
    const b = sha256(Buffer.from('two'));
    addTrust(store, { repo: '/r', sha256: a, overlay: '/r/.ags/config.toml' });
    expect(isTrusted(readTrustStore(store), '/r', a)).toBe(true);
    expect(isTrusted(readTrustStore(store), '/r', b)).toBe(false);
    expect(isTrusted(readTrustStore(store), '/other', a)).toBe(false);
    addTrust(store, { repo: '/r', sha256: b, overlay: '/r/.ags/config.toml' });
    expect(readTrustStore(store).map((e) => e.sha256)).toEqual([b]);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp, 'state', 'ags')).mode & 0o777).toBe(0o700);
    // written through a temporary file and a rename: nothing else is left in the directory
    expect(readdirSync(join(tmp, 'state', 'ags'))).toEqual(['trust.json']);
    expect(removeTrust(store, '/r')).toBe(true);
    expect(removeTrust(store, '/r')).toBe(false);
  });

  it('a store that cannot be written is a runtime error with a hint', () => {
    writeFileSync(join(tmp, 'state'), 'a file where a directory should be');
    const store = join(tmp, 'state', 'ags', 'trust.json');
    expect(() => writeTrustStore(store, [])).toThrow(RuntimeError);
  });
});

describe('what an overlay widens', () => {
  it('lists mounts (with mode and creation), tools, secrets, env, network and guard rules', () => {
    const lines = describeOverlay({
      mount: [{ host: '/h/a', mode: 'rw', create: true }],
      agent_mount: [{ host: '/h/b', container: '/b', mode: 'ro', agent: 'pi' }],
      tool: [{ name: 'jq', path: '/usr/bin/jq', directory: [{ host: '/h/jq', mode: 'ro' }] }],
      secret: [{ env: 'T', keyring: { service: 's', account: 'a' } }],
      sandbox: { passthrough_env: ['CI'], ssh_keys: ['/h/.ssh/id'] },
      network: { mode: 'slirp4netns', allow_host_loopback: true },
      guard: { rules: [{ id: 'x', pattern: 'rm', reason: 'no' }] },
      runtime: { pids_limit: 10 },
    });
    expect(lines).toEqual([
      'mount host path /h/a READ-WRITE (CREATED on the host if missing)',
      'mount host path /h/b at /b read-only for agent pi',
      'mount host binary /usr/bin/jq read-only as tool "jq"',
      'mount host path /h/jq read-only for tool "jq"',
      'read keyring item service="s" account="a" into secret T',
      'pass host env vars into the sandbox: CI',
      'offer SSH keys to the sandbox: /h/.ssh/id',
      'set network mode to "slirp4netns"',
      "let the sandbox reach the host's loopback services",
      'add guard rule "x": "rm" (no)',
      'set runtime.pids_limit = 10',
    ]);
  });

  it('lists the domains an overlay adds to the allowlist, for the run and per agent', () => {
    expect(
      describeOverlay({
        network: { mode: 'allowlist', allow_domains: ['evil.example', '@packages'] },
        agents: { pi: { network: { allow_domains: ['*.cdn.example'] } } },
      }),
    ).toEqual([
      'let pi reach, under the allowlist network: *.cdn.example',
      'set network mode to "allowlist"',
      'let the sandbox reach, under the allowlist network: evil.example, @packages',
    ]);
  });

  it('shows what the overlay supplies escaped: escape sequences cannot erase a line or draw a fake one', () => {
    const lines = describeOverlay({
      mount: [{ host: '/home/me/.ssh\x1b[2K\r', container: '/x\u202e', mode: 'rw' }],
      sandbox: { passthrough_env: ['AWS_SECRET_ACCESS_KEY'], ssh_keys: ['/k\b\b'] },
      agents: { claude: { env: { X: 'v\u202e' }, args: ['--a\x1b]0;t\x07'] } },
      guard: {
        rules: [
          {
            id: 'r',
            pattern: 'p\u200b',
            reason: '\x1b[1A\x1b[2K\x1b[1A\x1b[2K\r  - (change nothing)\u009b',
          },
        ],
        sensitive_paths: ['/s\u2066'],
      },
      ['k\x1b[8m']: { ['\u202e']: 1 },
    });
    expect(lines).toEqual([
      'mount host path "/home/me/.ssh\\x1b[2K\\r" at /x\\u202e READ-WRITE',
      'pass host env vars into the sandbox: AWS_SECRET_ACCESS_KEY',
      'offer SSH keys to the sandbox: /k\\x08\\x08',
      'set env X="v\\u202e" for agent claude',
      'pass extra arguments to claude: ["--a\\x1b]0;t\\x07"]',
      'add guard rule "r": "p\\u200b" (\\x1b[1A\\x1b[2K\\x1b[1A\\x1b[2K\\r  - (change nothing)\\x9b)',
      'add sensitive paths: /s\\u2066',
      'set "k\\x1b[8m"."\\u202e" = 1',
    ]);
    for (const line of lines) expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('cuts long values and shows at most 40 lines, counting the rest', () => {
    const long = describeOverlay({ mount: [{ host: `/${'a'.repeat(100_000)}`, mode: 'ro' }] });
    expect(long).toEqual([`mount host path /${'a'.repeat(299)}... [cut: 99701 more characters] read-only`]);

    const many = describeOverlay({
      mount: Array.from({ length: 100 }, (_, i) => ({ host: `/m${i}`, mode: 'rw' })),
    });
    expect(many).toHaveLength(40);
    expect(many[38]).toBe('mount host path /m38 READ-WRITE');
    expect(many[39]).toBe(
      '... and 61 more changes not shown: read the overlay file itself before trusting it',
    );

    const envs = describeOverlay({
      sandbox: { passthrough_env: Array.from({ length: 1000 }, (_, i) => `VAR_${i}`) },
    });
    expect(envs).toHaveLength(1);
    expect(envs[0]!.length).toBeLessThan(400);
    expect(envs[0]).toMatch(/^pass host env vars into the sandbox: VAR_0, VAR_1, .*, \.\.\. and \d+ more$/);

    // a space in a path could make a READ-WRITE mount read like a read-only one
    expect(describeOverlay({ mount: [{ host: '/h/.ssh read-only', mode: 'rw' }] })).toEqual([
      'mount host path "/h/.ssh read-only" READ-WRITE',
    ]);
  });
});
