import { execa } from 'execa';
import { type ProcessIdentity, hasEnded } from '../../session/process-identity.js';

/** The label naming the ags process that owns a container (a process identity: pid, start time, boot, pid ns). */
export const OWNER_LABEL = 'ags.owner';
/** The label naming the run's session (`session-<pid>`), for people reading `podman ps`. */
export const SESSION_LABEL = 'ags.session';

/** The labels every container ags starts carries, so that one outliving its ags process can be found. */
export function ownerLabels(owner: ProcessIdentity, session: string): Record<string, string> {
  return { [OWNER_LABEL]: owner, [SESSION_LABEL]: session };
}

interface PsEntry {
  Id?: string;
  Labels?: Record<string, string> | null;
}

/**
 * Removes the containers whose owning ags process has ended (killed with SIGKILL, or the machine lost power, while
 * the container ran: it keeps running, with the run's secrets in its environment). A container whose owner is
 * running, or cannot be judged, is left alone. Best effort: returns the removed ids, never throws.
 */
export async function removeOrphanContainers(): Promise<string[]> {
  try {
    const ps = await execa(
      'podman',
      ['ps', '--all', '--filter', `label=${OWNER_LABEL}`, '--format', 'json'],
      { stdin: 'ignore', reject: false },
    );
    if (ps.exitCode !== 0) return [];
    const entries = JSON.parse(String(ps.stdout) || '[]') as PsEntry[];
    const orphans = entries
      .filter((e) => e.Id && e.Labels?.[OWNER_LABEL] && hasEnded(e.Labels[OWNER_LABEL]))
      .map((e) => e.Id!);
    if (orphans.length === 0) return [];
    await execa('podman', ['rm', '--force', '--ignore', '--time=0', ...orphans], {
      stdio: 'ignore',
      reject: false,
    });
    return orphans;
  } catch {
    return [];
  }
}
