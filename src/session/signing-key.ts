import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { displayPath } from '../util/paths.js';
import { quoteText } from '../util/terminal-text.js';

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];
const PUBLIC_KEY = /^(\S+) ([A-Za-z0-9+/]+={0,3})(?: [^\r\n]*)?$/;

/**
 * `type base64` of an OpenSSH public key file's text, or null when it is not one. The comment is dropped:
 * the value goes into git's config, so nothing but the two checked fields may reach it.
 */
export function parsePublicKey(text: string): string | null {
  const m = PUBLIC_KEY.exec(text.trim());
  if (!m || !KEY_TYPES.includes(m[1]!)) return null;
  return `${m[1]} ${m[2]}`;
}

/** The public half of `[sandbox] signing_key` (KEY.pub), checked; a config error names the fix when it is not there. */
export function signingPublicKey(keyPath: string): string {
  const pubPath = `${keyPath}.pub`;
  let text: string;
  try {
    text = readFileSync(pubPath, 'utf8');
  } catch {
    throw new ConfigError(
      `[sandbox] signing_key: cannot read its public key ${quoteText(displayPath(pubPath))}`,
      `write it with \`ssh-keygen -y -f ${displayPath(keyPath)} > ${displayPath(pubPath)}\`, or remove signing_key`,
    );
  }
  const key = parsePublicKey(text);
  if (key === null)
    throw new ConfigError(
      `[sandbox] signing_key: ${quoteText(displayPath(pubPath))} is not an OpenSSH public key`,
      `write it with \`ssh-keygen -y -f ${displayPath(keyPath)} > ${displayPath(pubPath)}\``,
    );
  return key;
}

/**
 * Git settings, as GIT_CONFIG_COUNT/KEY/VALUE variables, that sign every commit and tag in SSH format with the
 * key held by the sandbox's ssh-agent. `key::` hands git the public key itself, so no key file is mounted: git
 * asks the agent to sign with the matching private key.
 */
export function signingGitEnv(publicKey: string): Record<string, string> {
  const settings: [string, string][] = [
    ['gpg.format', 'ssh'],
    ['user.signingkey', `key::${publicKey}`],
    ['commit.gpgsign', 'true'],
    ['tag.gpgsign', 'true'],
  ];
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(settings.length) };
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
