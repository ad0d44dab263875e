import { describe, expect, it } from 'vitest';
import { installAgentsArgv } from '../../../../src/runtime/podman/install-agents.js';
import { OWNER_LABEL, ownerLabels } from '../../../../src/runtime/podman/orphans.js';

// Every container ags starts names its owner, so one that outlives a killed ags is found at the next start.
describe('container owner labels', () => {
  it('carry the owning process identity and the session', () => {
    expect(ownerLabels('42:7:boot:4026531836', 'session-42')).toEqual({
      'ags.owner': '42:7:boot:4026531836',
      'ags.session': 'session-42',
    });
  });

  it('are rendered on the update-agents container, which is named', () => {
    const argv = installAgentsArgv({
      name: 'ags-update-agents-42',
      labels: { [OWNER_LABEL]: '42:7:boot:1' },
      image: 'localhost/ags:latest',
      toolsDir: '/data/tools',
      npmCacheDir: '/cache/npm',
      packages: ['x@1'],
      ulimits: [],
    });
    expect(argv.slice(0, 6)).toEqual([
      'run',
      '--rm',
      '--log-driver=none', // npm's output is not kept in podman's storage
      '--pull=never',
      '--name=ags-update-agents-42',
      '--label=ags.owner=42:7:boot:1',
    ]);
  });
});
