import { describe, expect, it } from 'vitest';
import {
  allowlistNetworkFinding,
  noneNetworkFinding,
  openNetworkFinding,
} from '../../src/cli/commands/doctor-network.js';

// What `ags doctor` says each network mode needs, by value: a missing piece fails only for a mode the config
// gives runs, and is a warning (`--network MODE` would not run) otherwise.
describe('doctor: network modes', () => {
  const forwarder = '/opt/ags/dist/sandbox/net-forward.mjs';
  const socketPath = '/run/user/1000/ags/session-4194304/egress.sock';

  it('open: slirp4netns found, or missing (fail when in use, warn otherwise)', () => {
    expect(openNetworkFinding('/usr/bin/slirp4netns', true)).toEqual({
      status: 'ok',
      detail: 'slirp4netns /usr/bin/slirp4netns',
    });
    const fix = 'install slirp4netns (Debian/Ubuntu: sudo apt install slirp4netns)';
    expect(openNetworkFinding(undefined, true)).toEqual({
      status: 'fail',
      detail: 'slirp4netns not found: runs with network "open" cannot start',
      fix,
    });
    expect(openNetworkFinding(undefined, false)).toEqual({
      status: 'warn',
      detail: 'slirp4netns not found: --network open cannot run here',
      fix,
    });
  });

  it('allowlist: ok when the forwarder is built and the proxy answered on a socket of a usable length', () => {
    expect(allowlistNetworkFinding({ forwarder, socketPath, proxyError: null }, true)).toEqual({
      status: 'ok',
      detail: `the egress proxy answers on a Unix socket; forwarder ${forwarder}`,
    });
  });

  it('allowlist: a missing forwarder bundle names the build', () => {
    expect(allowlistNetworkFinding({ forwarder: null, socketPath, proxyError: null }, true)).toEqual({
      status: 'fail',
      detail:
        'the in-sandbox forwarder (dist/sandbox/net-forward.mjs) is not built: runs with network "allowlist" cannot start',
      fix: 'run `npm ci` (or `node scripts/build.mjs`) in the ags checkout',
    });
  });

  it('allowlist: a socket path over 107 bytes (Node would cut it short) names a shorter runtime dir', () => {
    const long = `/tmp/${'r'.repeat(71)}/ags/session-4194304/egress.sock`;
    expect(Buffer.byteLength(long)).toBe(108);
    expect(allowlistNetworkFinding({ forwarder, socketPath: long, proxyError: null }, false)).toEqual({
      status: 'warn',
      detail: `the proxy socket ${long} would be 108 bytes, over the 107 a Unix socket path may have: --network allowlist cannot run here`,
      fix: 'set XDG_RUNTIME_DIR (or TMPDIR) to a shorter directory',
    });
    const fits = `/tmp/${'r'.repeat(70)}/ags/session-4194304/egress.sock`;
    expect(allowlistNetworkFinding({ forwarder, socketPath: fits, proxyError: null }, true).status).toBe(
      'ok',
    );
  });

  it('allowlist: a proxy that did not answer says what happened', () => {
    expect(
      allowlistNetworkFinding(
        { forwarder, socketPath, proxyError: 'listen EACCES: permission denied' },
        true,
      ),
    ).toEqual({
      status: 'fail',
      detail:
        'the egress proxy did not answer on a Unix socket: listen EACCES: permission denied: runs with network "allowlist" cannot start',
      fix: 'run `ags --network allowlist --agent shell -- -c true` to see the full error',
    });
  });

  it('none: needs nothing', () => {
    expect(noneNetworkFinding()).toEqual({
      status: 'ok',
      detail: 'needs nothing (no interface but loopback)',
    });
  });
});
