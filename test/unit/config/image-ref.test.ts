import { describe, expect, it } from 'vitest';
import { imageRefProblem } from '../../../src/config/image-ref.js';
import { parseSource, checkFile } from '../../../src/config/load.js';

const VALID = [
  'localhost/ags:latest',
  'docker.io/library/node:24-bookworm-slim',
  'node',
  'node:24',
  'library/node',
  'ghcr.io/owner/repo/sub:v1.2.3_rc-1',
  'registry.example.com:5000/team/app:1',
  'localhost:5000/a',
  '[::1]:5000/a:b',
  'ab_c-d__e/f--g.h',
  `node@sha256:${'a'.repeat(64)}`,
  `quay.io/x/y:1@sha256:${'0123456789abcdef'.repeat(4)}`,
  'Registry.Example/x',
];

const INVALID: [ref: string, problem: string][] = [
  ['', 'must not be empty'],
  ['Node', 'the repository path must be lowercase ("Node")'],
  ['library/Node:1', 'the repository path must be lowercase ("Node")'],
  ['ags test', 'contains a space, control or non-ASCII character'],
  ['ags\u001b[2J', 'contains a space, control or non-ASCII character'],
  [
    'node:',
    'the tag "" may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")',
  ],
  [
    'node:-x',
    'the tag "-x" may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")',
  ],
  [`node:${'a'.repeat(129)}`, expect.stringContaining('the tag "') as unknown as string],
  ['node@sha256:abc', 'the digest after "@" must be ALGORITHM:HEX, for example "sha256:" and 64 hex digits'],
  ['a//b', 'the repository path has an empty part ("//", or "/" at an end)'],
  ['a/', 'the repository path has an empty part ("//", or "/" at an end)'],
  [':latest', 'the image name is missing'],
  [
    '-node',
    'the repository path part "-node" may hold only lowercase letters and digits, separated by ".", "_", "__" or "-"',
  ],
  [
    'a..b',
    'the repository path part "a..b" may hold only lowercase letters and digits, separated by ".", "_", "__" or "-"',
  ],
  ['exa_mple.com:port/x', 'the registry "exa_mple.com:port" is not a valid HOST[:PORT]'],
  ['docker://alpine', 'the registry "docker:" is not a valid HOST[:PORT]'],
  [`${'a'.repeat(256)}`, 'the image name is longer than 255 characters'],
];

describe('image references', () => {
  for (const ref of VALID) {
    it(`accepts ${ref}`, () => {
      expect(imageRefProblem(ref)).toBeNull();
    });
  }
  for (const [ref, problem] of INVALID) {
    it(`refuses ${JSON.stringify(ref.slice(0, 40))}`, () => {
      expect(imageRefProblem(ref)).toEqual(problem);
    });
  }

  it('sandbox.image and sandbox.base_image are checked when the config is read, naming the key', () => {
    for (const key of ['image', 'base_image']) {
      const file = parseSource('/c.toml', `[sandbox]\n${key} = "Localhost/Ags:latest"\n`);
      expect(() => checkFile(file, 'user')).toThrow(
        `/c.toml:2:1: sandbox.${key}: is not a valid image reference (NAME[:TAG][@DIGEST]): the repository path must be lowercase ("Ags")`,
      );
    }
  });
});
