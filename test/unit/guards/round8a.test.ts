import { describe, expect, it } from 'vitest';
import { decide, type DecideOptions } from '../../../guards/engine/decide.js';
import { filterOutput, printfText } from '../../../guards/engine/shell/decoders.js';

const base: DecideOptions = { home: '/home/dev', workspace: '/work/ws', gitBranch: () => 'feature/x' };
const rule = (command: string) => {
  const v = decide({ kind: 'shell', tool: 'Bash', command, cwd: '/work/ws' }, base);
  return v.decision === 'block' ? v.rule : 'allow';
};

describe('round 8a: decoded text judged as text, hook commands, names-only git', () => {
  it('models decoders exactly, and leaves the rest unknown', () => {
    const run = (argv: string[], input: string) => filterOutput(argv, Buffer.from(input))?.toString() ?? null;
    expect(run(['base64', '-d'], 'Z2l0\n')).toBe('git');
    expect(run(['base64', '-d'], 'x')).toBeNull();
    expect(run(['xxd', '-r', '-p'], '676974')).toBe('git');
    expect(run(['rev'], 'tig\n')).toBe('git\n');
    expect(run(['tr', 'a-z', 'n-za-m'], 'tvg')).toBe('git');
    expect(run(['base64', '-d', 'f.b64'], '')).toBeNull();
    expect(printfText(['\\x67\\151t %s', 'status'])).toBe('git status');
    expect(printfText(['%q', 'x'])).toBeNull();
  });

  it.each([
    ['cat $(echo L2hvbWUvZGV2Ly5zc2gvaWRfcnNh | base64 -d)', 'cred.sensitive-path'],
    ['terraform $(echo ZGVzdHJveQ== | base64 -d) -auto-approve', 'cloud.terraform-destroy'],
    ["git $(echo 'naelc' | rev) -fdx", 'git.clean-force'],
    ['eval "$(echo cm0gLXJmIH4= | base64 -d)"', 'fs.rm-recursive-home'],
    ['$(base64 -d payload.b64)', 'exec.decode-to-shell'],
    [`GIT_SSH_COMMAND='sh -c "sh /tmp/.x" #' git fetch origin`, 'exec.hook-runs-scratch'],
    [
      "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0='sh /tmp/.x' git status",
      'exec.hook-runs-scratch',
    ],
    ["git -c alias.st='!sh /tmp/a' st", 'exec.hook-runs-scratch'],
    ['git check-ignore .env; cat .env', 'cred.dotenv'],
  ])('%s → %s', (command, id) => expect(rule(command)).toBe(id));

  it.each([
    'eval "$(echo Z2l0IHN0YXR1cyAtLXNob3J0 | base64 -d)"',
    'terraform $(echo cGxhbg== | base64 -d)',
    "GIT_SSH_COMMAND='ssh -i /tmp/deploy_key' git fetch",
    'GIT_SEQUENCE_EDITOR=/tmp/ed.sh git rebase -i HEAD~3',
    'git check-ignore -v .env',
    'git rm --cached .env',
  ])('look-alike allowed: %s', (command) => expect(rule(command)).toBe('allow'));
});
