/**
 * Pack `fs` (continued): removing the tree or its history by routes other than rm — moving it away
 * (`mv ~ /tmp/x && rm -rf /tmp/x`, `mv .git /dev/null`) and archivers that delete what they pack
 * (`tar --remove-files`, `zip -m`, `7z -sdel`).
 */
import type { Arg, Invocation } from '../shell/invocation.js';
import { operands, targetDanger, type Danger } from './args.js';
import type { Rule, RuleContext } from './types.js';

const MV_WITH_ARG = ['-t', '--target-directory', '-S', '--suffix', '--backup'];
const TAR_WITH_ARG = [
  '-f',
  '--file',
  '-C',
  '--directory',
  '-T',
  '--files-from',
  '-X',
  '--exclude-from',
  '-b',
  '-H',
];
const ZIP_WITH_ARG = ['-b', '-n', '-t', '-tt', '-x', '-i', '-P', '-O', '--out', '-s'];
const SEVENZ_WITH_ARG: string[] = [];

function danger(args: Arg[], ctx: RuleContext): string | false {
  for (const a of args) {
    const d: Danger | null = targetDanger(a, ctx);
    if (d && d !== 'unset-var') return `${a.text} (${d === 'git' ? 'the .git directory' : d})`;
  }
  return false;
}

/** The paths `mv` moves away: every operand but the destination (or all of them with `-t DIR`). */
function mvSources(inv: Invocation): Arg[] {
  const ops = operands(inv, MV_WITH_ARG);
  const targetOpt = inv.args.some((a) => /^(?:-t|--target-directory(?:=|$))/.test(a.value ?? ''));
  return targetOpt ? ops : ops.slice(0, -1);
}

function removesWhatItPacks(inv: Invocation): Arg[] | null {
  const v = inv.args.map((a) => a.value ?? '');
  // tar's archive is named by -f (a separate value, skipped): every other operand is packed and removed
  if (inv.name === 'tar' && v.includes('--remove-files')) return operands(inv, TAR_WITH_ARG);
  if (inv.name === 'zip' && v.some((x) => x === '--move' || /^-[a-zA-Z]*m[a-zA-Z]*$/.test(x)))
    return operands(inv, ZIP_WITH_ARG).slice(1);
  if ((inv.name === '7z' || inv.name === '7za') && v.includes('-sdel'))
    return operands(inv, SEVENZ_WITH_ARG).slice(2);
  return null;
}

export const treeRemovalRules: Rule[] = [
  {
    id: 'fs.mv-away',
    pack: 'fs',
    reason:
      'moves /, the home directory, the workspace or .git away (a delete by another name); move specific files instead',
    commands: ['mv'],
    match: (inv, ctx) => danger(mvSources(inv), ctx),
  },
  {
    id: 'fs.archive-remove',
    pack: 'fs',
    reason:
      'archives and then deletes /, the home directory, the workspace or .git; archive without removing, or name specific files',
    commands: ['tar', 'zip', '7z', '7za'],
    match: (inv, ctx) => {
      const srcs = removesWhatItPacks(inv);
      return srcs ? danger(srcs, ctx) : false;
    },
  },
];
