/** All built-in rule packs, in priority order: when several rules fire, the first one listed is reported. */
import { credentialRules } from './credentials.js';
import { databaseRules } from './database.js';
import { dbToolRules } from './db-tools.js';
import { diskRules } from './disk.js';
import { execRules } from './exec.js';
import { filesystemRules } from './filesystem.js';
import { gitRules } from './git.js';
import { infraRules } from './infra.js';
import type { Rule } from './types.js';
import { writeRules } from './writes.js';
import { overwriteRules } from './overwrites.js';
import { miscRules } from './misc.js';
import { machineRules } from './machine.js';
import { exfilRules } from './exfil.js';
import { treeRemovalRules } from './tree-removal.js';
import { listingRules } from './listings.js';
import { remoteCodeRules } from './remote-code.js';
import { netShellRules } from './net-shell.js';
import { storeRules } from './stores.js';
import { homeSecretRules } from './home-secrets.js';
import { urlRunnerRules } from './url-runners.js';
import { workspaceExfilRules } from './workspace-exfil.js';
import { round7Rules } from './round7.js';
import { sqliteFileRules } from './sqlite-files.js';
import { fileServerRules } from './file-servers.js';
import { workAwayRules } from './work-away.js';
import { nullProto } from '../null-proto.js';
import { codeRunnerRules } from './code-runners.js';
import { toolMisuseRules } from './tool-misuse.js';
import { hookCommandRules } from './hook-commands.js';

export const BUILTIN_RULES: readonly Rule[] = [
  ...execRules,
  ...remoteCodeRules,
  ...urlRunnerRules,
  ...workspaceExfilRules,
  ...exfilRules,
  ...netShellRules,
  ...credentialRules,
  ...homeSecretRules,
  ...writeRules,
  ...overwriteRules,
  ...filesystemRules,
  ...treeRemovalRules,
  ...listingRules,
  ...miscRules,
  ...diskRules,
  ...machineRules,
  ...gitRules,
  ...databaseRules,
  ...dbToolRules,
  ...storeRules,
  ...infraRules,
  ...round7Rules,
  ...codeRunnerRules,
  ...toolMisuseRules,
  ...hookCommandRules,
  ...sqliteFileRules,
  ...fileServerRules,
  ...workAwayRules,
];

/** Ids of the rules that are not shell rules: file tools, dynamic names and the guard's own failures. */
export const META_RULES: Readonly<Record<string, { pack: string; reason: string }>> = nullProto({
  'shell.dynamic-command': {
    pack: 'shell',
    reason:
      'the command name is computed at run time and its arguments match a destructive rule; write the command literally',
  },
  'shell.dynamic-command-lockdown': {
    pack: 'shell',
    reason: 'lockdown: the command name is computed at run time; write the command literally',
  },
  'path.sensitive-read': {
    pack: 'path',
    reason: 'reads a credential file; ask the user for what you need instead',
  },
  'path.sensitive-write': { pack: 'path', reason: 'writes a credential file; ask the user instead' },
  'path.dotenv': {
    pack: 'path',
    reason: 'reads or writes a .env file, which holds secrets; use .env.example, or ask the user',
  },
  'path.sensitive-search': {
    pack: 'path',
    reason: 'searches a directory that contains credential files; search a narrower directory',
  },
  'path.agent-config-write': {
    pack: 'path',
    reason:
      'writes a file that runs code later, outside your task (agent hooks/settings, git hooks or config, shell startup, cron); ask the user',
  },
  'path.system-write': {
    pack: 'path',
    reason:
      'writes a file the system reads (accounts, name resolution, hosts, PAM, boot), which changes the machine, not the project; ask the user',
  },
  'path.state-write': {
    pack: 'path',
    reason:
      "writes git's internal state (HEAD, refs, objects, index, packed-refs) or a shell history file; use git commands, and leave history alone",
  },
  'guard.limit': { pack: 'guard', reason: 'the command is too large or too deeply nested to check' },
  'guard.parse': { pack: 'guard', reason: 'the command could not be fully parsed' },
  'guard.internal': { pack: 'guard', reason: 'the guard failed' },
  'guard.policy': { pack: 'guard', reason: 'the guard policy could not be read' },
  'guard.input': { pack: 'guard', reason: 'the hook input is not valid' },
});

/** Command names tried for a computed command name (`$CMD -rf /`). */
export const DYNAMIC_CANDIDATES: readonly string[] = [
  'rm',
  'dd',
  'find',
  'chmod',
  'chown',
  'mkfs',
  'wipefs',
  'git',
  'psql',
  'mysql',
  'sqlite3',
  'redis-cli',
  'docker',
  'podman',
  'kubectl',
  'helm',
  'terraform',
  'aws',
  'gcloud',
  'az',
  'curl',
];

export type { Rule, RuleContext } from './types.js';
