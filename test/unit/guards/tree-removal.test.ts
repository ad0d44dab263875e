import { describe, expect, it } from 'vitest';
import { decide, type DecideOptions } from '../../../guards/engine/decide.js';

const base: DecideOptions = { home: '/home/dev', workspace: '/work/ws', gitBranch: () => 'feature/x' };
const rule = (command: string) =>
  decide({ kind: 'shell', tool: 'Bash', command, cwd: '/work/ws' }, base).rule ?? 'allow';

describe('removing the tree or its history by other routes', () => {
  it('find -name NAME makes every {} a path called NAME, for ; and + alike', () => {
    expect(rule('find . -name .git -exec rm -rf {} \\;')).toBe('fs.rm-git-dir');
    expect(rule('find . -name .git -exec rm -rf {} +')).toBe('fs.rm-git-dir');
    expect(rule('find . -name "*.orig" -exec rm -f {} \\;')).toBe('allow');
    expect(rule('find . -type d -name node_modules -prune -exec rm -rf {} +')).toBe('allow');
  });

  it('xargs -I replaces its string in every argument, inside sh -c too', () => {
    expect(rule('echo .git | xargs -I{} sh -c "rm -rf {}"')).toBe('fs.rm-git-dir');
    expect(rule('echo ~ | xargs -I % rm -rf %')).toBe('fs.rm-recursive-home');
    expect(rule('echo dist | xargs -I{} rm -rf {}')).toBe('allow');
  });

  it('moving /, home, the workspace or .git away is a delete', () => {
    expect(rule('mv ~ /tmp/x && rm -rf /tmp/x')).toBe('fs.mv-away');
    expect(rule('mv -t /tmp .git')).toBe('fs.mv-away');
    expect(rule('mv /work/ws /dev/null')).toBe('fs.mv-away');
    expect(rule('mv build dist')).toBe('allow');
  });

  it('archivers that delete what they pack', () => {
    expect(rule('tar -czf /tmp/a.tgz --remove-files /work/ws')).toBe('fs.archive-remove');
    expect(rule('zip -rm /tmp/a.zip .')).toBe('fs.archive-remove');
    expect(rule('7z a -sdel /tmp/a.7z .git')).toBe('fs.archive-remove');
    expect(rule('tar -czf logs.tgz --remove-files logs/old')).toBe('allow');
    expect(rule('zip -r a.zip .')).toBe('allow');
  });

  it('truncate: a log may be emptied; source files and xargs-fed lists may not', () => {
    expect(rule('truncate -s 0 app.log')).toBe('allow');
    expect(rule('truncate -s 0 src/app.ts')).toBe('fs.truncate');
    expect(rule('git ls-files | xargs truncate -s 0')).toBe('fs.truncate');
  });

  it('a template copied onto .env reads no secret; copying .env itself does', () => {
    expect(rule('cp .env.example .env')).toBe('allow');
    expect(rule('cp .env.local.example .env.local')).toBe('allow');
    expect(rule('cp .env .env.bak')).toBe('cred.dotenv');
    expect(rule('cp .env.production .env')).toBe('cred.dotenv');
    expect(rule('cp .env.example .env; cat .env')).toBe('cred.dotenv');
  });
});
