import { describe, expect, it } from 'vitest';
import { ownerLabels } from '../../src/runtime/podman/orphans.js';

// Every container ags starts names its owner, so one that outlives a killed ags is found at the next start.
describe('container owner labels', () => {
  it('carry the owning process identity and the session', () => {
    expect(ownerLabels('42:7:boot:4026531836', 'session-42')).toEqual({
      'ags.owner': '42:7:boot:4026531836',
      'ags.session': 'session-42',
    });
  });
});
