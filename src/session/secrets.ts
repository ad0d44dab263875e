import { RuntimeError } from '../cli/errors.js';
import { runSecretCommand, shownText } from './secret-command.js';

/** One [[secret]]: the variable it sets inside the sandbox and exactly one source. */
export interface SecretSpec {
  env: string;
  from_env?: string;
  keyring?: { service: string; account: string };
  command?: string[];
}

export type KeyringLookup = (service: string, account: string) => Promise<string | null>;

/** Reads one item from the OS keyring (Secret Service on Linux, Keychain on macOS) with @napi-rs/keyring. */
export const osKeyring: KeyringLookup = async (service, account) => {
  let Entry: typeof import('@napi-rs/keyring').Entry;
  try {
    ({ Entry } = await import('@napi-rs/keyring'));
  } catch (err) {
    throw new RuntimeError(`the OS keyring library could not load: ${(err as Error).message}`);
  }
  try {
    return new Entry(service, account).getPassword() ?? null;
  } catch (err) {
    throw new RuntimeError(
      `keyring lookup of ${service}/${account} failed: ${(err as Error).message}`,
      'is the keyring unlocked? (on Linux a Secret Service such as gnome-keyring must be running)',
    );
  }
};

/**
 * Resolves every secret to its value. A source that yields nothing is an error naming the secret and where it
 * looked; values are never printed.
 */
export async function resolveSecrets(
  specs: SecretSpec[],
  env: Record<string, string | undefined>,
  keyring: KeyringLookup = osKeyring,
  { commandTimeoutMs }: { commandTimeoutMs?: number } = {},
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const s of specs) {
    let value: string | null | undefined;
    let source: string;
    if (s.from_env !== undefined) {
      source = `host variable ${s.from_env}`;
      value = env[s.from_env];
    } else if (s.keyring) {
      source = `keyring item ${s.keyring.service}/${s.keyring.account}`;
      value = await keyring(s.keyring.service, s.keyring.account);
    } else if (s.command && s.command.length > 0) {
      source = `command ${shownText(s.command[0]!, 200)}`;
      value = await runSecretCommand(
        s.env,
        s.command,
        commandTimeoutMs === undefined ? {} : { timeoutMs: commandTimeoutMs },
      );
    } else {
      throw new RuntimeError(`secret ${s.env} has no source`);
    }
    if (value === undefined || value === null || value === '') {
      throw new RuntimeError(
        `secret ${s.env}: ${source} ${s.command ? 'printed nothing' : 'is empty or missing'}`,
        'set it, or remove the [[secret]] entry',
      );
    }
    values[s.env] = value;
  }
  return values;
}
