import { describe, expect, it } from 'vitest';
import { parsePublicKey, signingGitEnv } from '../../../src/session/signing-key.js';
import { withSigningKey, withSshKey } from '../../../src/setup/config-edit.js';

describe('parsePublicKey', () => {
  it('keeps the type and key of an OpenSSH public key, and drops the comment', () => {
    expect(parsePublicKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@host\n')).toBe(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB',
    );
    expect(parsePublicKey('ecdsa-sha2-nistp256 AAAAE2Vj==')).toBe('ecdsa-sha2-nistp256 AAAAE2Vj==');
  });

  it('refuses what is not one: a private key, two lines, an unknown type, characters git config would read', () => {
    expect(parsePublicKey('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n')).toBeNull();
    expect(parsePublicKey('ssh-ed25519 AAAA\nssh-ed25519 BBBB')).toBeNull();
    expect(parsePublicKey('ssh-dss AAAA')).toBeNull();
    expect(parsePublicKey('ssh-ed25519 AAAA"\n[core]\n\tfsmonitor = x')).toBeNull();
    expect(parsePublicKey('ssh-ed25519 AA;AA')).toBeNull();
    expect(parsePublicKey('')).toBeNull();
  });
});

describe('signingGitEnv', () => {
  it('sets SSH signing of commits and tags with the literal key, as numbered git config variables', () => {
    expect(signingGitEnv('ssh-ed25519 AAAA')).toEqual({
      GIT_CONFIG_COUNT: '4',
      GIT_CONFIG_KEY_0: 'gpg.format',
      GIT_CONFIG_VALUE_0: 'ssh',
      GIT_CONFIG_KEY_1: 'user.signingkey',
      GIT_CONFIG_VALUE_1: 'key::ssh-ed25519 AAAA',
      GIT_CONFIG_KEY_2: 'commit.gpgsign',
      GIT_CONFIG_VALUE_2: 'true',
      GIT_CONFIG_KEY_3: 'tag.gpgsign',
      GIT_CONFIG_VALUE_3: 'true',
    });
  });
});

describe('setup config edits', () => {
  it('adds signing_key under [sandbox], beside an ssh_keys line', () => {
    const withAuth = withSshKey('[sandbox]\nimage = "x"\n', '~/.ssh/a');
    expect(withAuth).toBe('[sandbox]\nssh_keys = ["~/.ssh/a"]\nimage = "x"\n');
    expect(withSigningKey(withAuth!, '~/.ssh/s')).toBe(
      '[sandbox]\nsigning_key = "~/.ssh/s"\nssh_keys = ["~/.ssh/a"]\nimage = "x"\n',
    );
  });

  it('appends a [sandbox] table when there is none, and leaves a set key alone', () => {
    expect(withSigningKey('', '~/.ssh/s')).toBe('\n[sandbox]\nsigning_key = "~/.ssh/s"\n');
    expect(withSigningKey('[sandbox]\nsigning_key = "~/k"\n', '~/.ssh/s')).toBeNull();
    expect(withSigningKey('sandbox.signing_key = "~/k"\n', '~/.ssh/s')).toBeNull();
  });
});
