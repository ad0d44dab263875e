import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { readConfigFile, resolveUserConfigPath } from '../../config/load.js';
import { isYes, stdio } from '../../config/prompt.js';
import { ConfigSchema } from '../../config/schema.js';
import { writeStarterConfig } from '../../config/starter.js';
import { requireHome } from '../../host/home.js';
import { readHidden } from '../../setup/hidden-input.js';
import { withSigningKey, withSshKey } from '../../setup/config-edit.js';
import {
  AGS_KEYS,
  ensureSshDir,
  generateKey,
  keyComment,
  keyExists,
  publicKey,
  sshDir,
} from '../../setup/ssh-keys.js';
import { osKeyring } from '../../session/secrets.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { displayPath } from '../../util/paths.js';
import { AgsError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';
import { configPathOf } from '../../launch/context.js';
import { renderText, runChecks } from './doctor-checks.js';
import { doctorState } from './doctor-state.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** How setup asks: --yes agrees to everything; without a terminal it says what it would ask and skips. */
export function asker(yes: boolean, interactive: boolean): (question: string) => Promise<boolean> {
  return async (question) => {
    if (yes) return true;
    if (!interactive) {
      say(`skipped: ${question} (no terminal to ask; run \`ags setup --yes\` to agree to everything)`);
      return false;
    }
    const answer = await stdio.ask(`${question} [Y/n] `);
    return answer !== null && (answer.trim() === '' || isYes(answer));
  };
}

async function setupKeys(home: string, ask: (q: string) => Promise<boolean>): Promise<string[]> {
  const made: string[] = [];
  for (const key of AGS_KEYS) {
    const path = join(sshDir(home), key.file);
    if (keyExists(path)) {
      say(`kept ${displayPath(path)} (it exists; ags never replaces a key)`);
    } else if (await ask(`Create the ${key.id} SSH key ${displayPath(path)} (ed25519)?`)) {
      ensureSshDir(home);
      await generateKey(path, keyComment(key.id));
      say(`created ${displayPath(path)}`);
      made.push(path);
    }
    const pub = publicKey(path);
    if (pub) say(`  public key: ${pub}\n  ${key.use}`);
  }
  return made;
}

/** Adds the auth key to `[sandbox] ssh_keys`, so runs offer it through the sandbox's ssh-agent. */
async function offerAuthKey(
  configFile: string,
  home: string,
  ask: (q: string) => Promise<boolean>,
): Promise<void> {
  const path = join(sshDir(home), AGS_KEYS[0].file);
  if (!keyExists(path) || !existsSync(configFile)) return;
  const text = readFileSync(configFile, 'utf8');
  const config = ConfigSchema.parse(readConfigFile(configFile, 'user', process.env).expanded);
  if (config.sandbox.ssh_keys.includes(path)) {
    say(`kept [sandbox] ssh_keys: it has ${displayPath(path)}`);
    return;
  }
  const shown = `~/.ssh/${AGS_KEYS[0].file}`;
  const next = withSshKey(text, shown);
  if (next === null) {
    say(
      `to offer the key to the sandbox, add "${shown}" to [sandbox] ssh_keys in ${displayPath(configFile)}`,
    );
    return;
  }
  if (await ask(`Offer ${shown} to the sandbox ([sandbox] ssh_keys in ${displayPath(configFile)})?`)) {
    writeFileAtomic(configFile, next, statSync(configFile).mode & 0o7777);
    say(`updated ${displayPath(configFile)}: [sandbox] ssh_keys = ["${shown}"]`);
  }
}

/** Sets `[sandbox] signing_key` to the signing key, so commits made in the sandbox are signed with it. */
async function offerSigningKey(
  configFile: string,
  home: string,
  ask: (q: string) => Promise<boolean>,
): Promise<void> {
  const path = join(sshDir(home), AGS_KEYS[1].file);
  if (!keyExists(path) || !existsSync(configFile)) return;
  const text = readFileSync(configFile, 'utf8');
  const config = ConfigSchema.parse(readConfigFile(configFile, 'user', process.env).expanded);
  if (config.sandbox.signing_key !== undefined) {
    say(`kept [sandbox] signing_key = ${displayPath(config.sandbox.signing_key)}`);
    return;
  }
  const shown = `~/.ssh/${AGS_KEYS[1].file}`;
  const next = withSigningKey(text, shown);
  if (next === null) {
    say(
      `to sign commits made in the sandbox, set [sandbox] signing_key = "${shown}" in ${displayPath(configFile)}`,
    );
    return;
  }
  if (
    await ask(
      `Sign commits made in the sandbox with ${shown} ([sandbox] signing_key in ${displayPath(configFile)})?`,
    )
  ) {
    writeFileAtomic(configFile, next, statSync(configFile).mode & 0o7777);
    say(`updated ${displayPath(configFile)}: [sandbox] signing_key = "${shown}"`);
  }
}

/** Stores the value of each configured keyring secret that the keyring does not have yet. */
async function storeKeyringSecrets(configFile: string, interactive: boolean): Promise<void> {
  if (!existsSync(configFile)) return;
  const config = ConfigSchema.parse(readConfigFile(configFile, 'user', process.env).expanded);
  for (const s of config.secret) {
    if (!s.keyring) continue;
    const item = `keyring item ${s.keyring.service}/${s.keyring.account} (secret ${s.env})`;
    let present: boolean;
    try {
      present = (await osKeyring(s.keyring.service, s.keyring.account)) !== null;
    } catch (err) {
      say(`cannot check ${item}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (present) {
      say(`kept ${item}: it is stored`);
      continue;
    }
    if (!interactive) {
      say(
        `skipped: the value of ${item} (no terminal to read it from without echo; run \`ags setup\` in a terminal)`,
      );
      continue;
    }
    const value = await readHidden(`Value for ${item} (not shown): `);
    if (value === null || value === '') {
      say(`skipped ${item}: no value given`);
      continue;
    }
    const { Entry } = await import('@napi-rs/keyring');
    const options =
      process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
    new Entry(s.keyring.service, s.keyring.account, options).setPassword(value);
    say(`stored ${item}`);
  }
}

/** `ags setup`: the first-run steps, each done only when missing, then doctor. */
export function setupCommand(report: ReportExit): Command {
  return new Command('setup')
    .description('first-run setup: dedicated SSH keys, a starter config, keyring secrets, then doctor')
    .option(
      '--yes',
      'agree to every step without asking (values of secrets are still only read from a terminal)',
    )
    .addHelpText(
      'after',
      `
Steps (each only when missing; a second run changes nothing):
  ~/.ssh/ags-agent-auth and ~/.ssh/ags-agent-signing: ed25519 keys made with ssh-keygen (an existing key is
  never replaced); a starter config; the auth key in [sandbox] ssh_keys and the signing key as [sandbox]
  signing_key (git in the sandbox then signs commits and tags with it); the values of [[secret]] keyring
  items not stored yet (read without echo); then ags doctor, whose exit code setup returns.
Without a terminal and without --yes, setup says what it would ask and skips it.`,
    )
    .action(
      returningExit(report, async (opts: { yes?: boolean }, cmd: Command) => {
        const home = requireHome(process.env, { mustExist: true });
        const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
        const ask = asker(Boolean(opts.yes), interactive);
        const configFile = resolveUserConfigPath(configPathOf(cmd), process.cwd(), process.env);

        await setupKeys(home, ask);
        if (existsSync(configFile)) say(`kept ${displayPath(configFile)}`);
        else if (await ask(`Write a starter config to ${displayPath(configFile)}?`)) {
          writeStarterConfig(configFile, false);
          say(`created ${displayPath(configFile)}`);
        }
        try {
          await offerAuthKey(configFile, home, ask);
          await offerSigningKey(configFile, home, ask);
          await storeKeyringSecrets(configFile, interactive);
        } catch (err) {
          // a broken config is doctor's to report, below
          if (!(err instanceof AgsError)) throw err;
        }

        say('\nags doctor:');
        const results = await runChecks(await doctorState(configPathOf(cmd)));
        process.stdout.write(renderText(results));
        return results.some((r) => r.status === 'fail') ? 1 : 0;
      }),
    );
}
