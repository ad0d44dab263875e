import { RuntimeError } from '../errors.js';
import { escapeText } from '../util/terminal-text.js';
import { runSecretCommand } from './secret-command.js';

/** One [[secret]]: the variable it sets inside the sandbox and exactly one source. */
export interface SecretSpec {
  env: string;
  from_env?: string;
  keyring?: { service: string; account: string };
  command?: string[];
}

export type KeyringLookup = (service: string, account: string) => Promise<string | null>;

/** A keyring failure, said without the secret's name (resolveSecrets puts it in front). */
export class KeyringError extends RuntimeError {}

/**
 * The one line for a failed lookup. @napi-rs/keyring only names D-Bus's own error, so the two ways a
 * Secret Service can be missing are told apart here: no session bus at all, or a bus where nothing owns
 * org.freedesktop.secrets.
 */
export function keyringFailure(
  service: string,
  account: string,
  message: string,
  env: Record<string, string | undefined>,
): KeyringError {
  const item = `keyring item ${service}/${account}`;
  const noBus = /DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to socket/i;
  const noService =
    /org\.freedesktop\.secrets|ServiceUnknown|NameHasNoOwner|not provided by any \.service files/i;
  const start =
    'start one in your session (gnome-keyring-daemon --start --components=secrets, or KeePassXC with Secret Service integration), or take this secret from_env or from a command';
  if (noBus.test(message)) {
    const bus = env.DBUS_SESSION_BUS_ADDRESS
      ? `the D-Bus session bus at ${escapeText(env.DBUS_SESSION_BUS_ADDRESS, 120)} cannot be reached`
      : 'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)';
    return new KeyringError(
      `the Secret Service is not running: ${bus}, so ${item} cannot be read`,
      `run ags from your desktop session, or ${start}`,
    );
  }
  if (noService.test(message)) {
    return new KeyringError(
      `the Secret Service is not running: nothing on the D-Bus session bus provides org.freedesktop.secrets, so ${item} cannot be read`,
      start,
    );
  }
  return new KeyringError(
    `${item} could not be read: ${escapeText(message, 300)}`,
    'is the keyring unlocked? (on Linux a Secret Service such as gnome-keyring must be running)',
  );
}

/** Reads one item from the OS keyring (Secret Service on Linux, Keychain on macOS) with @napi-rs/keyring. */
export const osKeyring: KeyringLookup = async (service, account) => {
  let Entry: typeof import('@napi-rs/keyring').Entry;
  try {
    ({ Entry } = await import('@napi-rs/keyring'));
  } catch (err) {
    throw new KeyringError(`the OS keyring library could not load: ${(err as Error).message}`);
  }
  try {
    // on Linux the library falls back to the kernel keyring when no Secret Service answers, which hides why
    // the item is not found; asking the Secret Service only makes its absence an error that can be told
    const options =
      process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
    return new Entry(service, account, options).getPassword() ?? null;
  } catch (err) {
    throw keyringFailure(service, account, (err as Error).message, process.env);
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
      try {
        value = await keyring(s.keyring.service, s.keyring.account);
      } catch (err) {
        if (err instanceof KeyringError) throw new RuntimeError(`secret ${s.env}: ${err.message}`, err.hint);
        throw err;
      }
    } else if (s.command && s.command.length > 0) {
      source = `command ${escapeText(s.command[0]!)}`;
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
        s.keyring
          ? 'store it (a locked keyring looks the same: unlock it), or remove the [[secret]] entry'
          : 'set it, or remove the [[secret]] entry',
      );
    }
    values[s.env] = value;
  }
  return values;
}
