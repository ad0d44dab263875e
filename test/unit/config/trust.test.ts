import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError } from '../../../src/cli/errors.js';
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
});
