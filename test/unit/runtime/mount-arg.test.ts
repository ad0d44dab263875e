import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { bindMountArg } from '../../../src/runtime/podman/mount-arg.js';

describe('--mount rendering', () => {
  it('quotes source and target as whole CSV fields', () => {
    expect(bindMountArg('/srv/app', '/srv/app', 'rw')).toBe(
      '--mount=type=bind,"source=/srv/app","target=/srv/app",rw',
    );
  });

  it('carries ":", "," "=" and quotes inside the fields, so a name cannot add options', () => {
    expect(bindMountArg('/t/x:/etc:rw', '/t/x:/etc:rw', 'ro')).toBe(
      '--mount=type=bind,"source=/t/x:/etc:rw","target=/t/x:/etc:rw",ro',
    );
    expect(bindMountArg('/t/a,relabel=shared', '/w', 'ro')).toBe(
      '--mount=type=bind,"source=/t/a,relabel=shared","target=/w",ro',
    );
    expect(bindMountArg('/t/say "hi"', '/w', 'rw')).toBe(
      '--mount=type=bind,"source=/t/say ""hi""","target=/w",rw',
    );
  });

  it('refuses a control character (podman would read CR LF as LF) and a relative path', () => {
    expect(() => bindMountArg('/t/a\r\nb', '/w', 'rw')).toThrow(ConfigError);
    expect(() => bindMountArg('/t', 'w', 'rw')).toThrow(/is not an absolute path/);
  });
});
