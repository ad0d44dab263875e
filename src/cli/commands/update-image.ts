import { Command } from 'commander';
import { IMAGE_REF_FORM, imageRefProblem } from '../../config/image-ref.js';
import { quoteText } from '../../util/terminal-text.js';
import { UsageError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';
import { buildContextImage, configPathOf, loadSandboxContext } from '../../launch/context.js';

/** `ags update-image [--base-image REF]`: (re)builds the sandbox image with visible progress. */
export function updateImageCommand(report: ReportExit): Command {
  return new Command('update-image')
    .description('build (or rebuild) the sandbox image from the Containerfile')
    .option('--base-image <ref>', "override the Containerfile's BASE_IMAGE (it must provide node and npm)")
    .action(
      returningExit(report, async (opts: { baseImage?: string }, cmd: Command) => {
        const problem = opts.baseImage === undefined ? null : imageRefProblem(opts.baseImage);
        if (problem !== null) {
          throw new UsageError(
            `--base-image ${quoteText(opts.baseImage!)}: not a valid image reference (${IMAGE_REF_FORM}): ${problem}`,
            'for example: ags update-image --base-image docker.io/library/node:24-bookworm-slim',
          );
        }
        const ctx = await loadSandboxContext('shell', configPathOf(cmd));
        await buildContextImage(ctx, opts.baseImage ?? ctx.baseImage);
        process.stderr.write(`ags: image ${ctx.settings.image} is ready\n`);
        return 0;
      }),
    );
}
