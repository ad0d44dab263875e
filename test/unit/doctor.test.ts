import { describe, expect, it } from 'vitest';
import { diagnoseStartFailure } from '../../src/cli/commands/doctor.js';

describe('diagnoseStartFailure', () => {
  it('names the config option that fixes each known podman start failure', () => {
    expect(diagnoseStartFailure('Error: crun: cgroups in hybrid mode not supported')).toMatch(
      /oci_runtime = "runc"/,
    );
    expect(diagnoseStartFailure('setrlimit `RLIMIT_NPROC`: Operation not permitted')).toMatch(
      /\[runtime\] ulimits/,
    );
    expect(diagnoseStartFailure('open /dev/net/tun: permission denied')).toMatch(/\/dev\/net\/tun/);
    expect(diagnoseStartFailure('newuidmap: write to uid_map failed')).toMatch(/\/etc\/subuid/);
    expect(diagnoseStartFailure('something else entirely')).toBeUndefined();
  });
});
