/** Destinations and reasons carry what the sandbox asked for: at most this many characters of each are shown. */
const MAX_SHOWN = 120;
const clip = (text: string) => (text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);

/** The refusals of one run, by destination, for the line the run prints when it ends. */
export class DenialTally {
  private readonly byDestination = new Map<string, { reason: string; count: number }>();
  private total = 0;

  /** Destinations kept apart; later new ones are only counted (a hostile agent may try thousands). */
  constructor(private readonly keep = 64) {}

  add(host: string, port: number, reason: string): void {
    this.total++;
    const key = `${clip(host)}:${port}`;
    const seen = this.byDestination.get(key);
    if (seen) seen.count++;
    else if (this.byDestination.size < this.keep) this.byDestination.set(key, { reason, count: 1 });
  }

  /**
   * One line naming the first few refused destinations with their reasons and where the full log is, or null when
   * nothing was refused. Agents show a refusal their own way or not at all; this says it in every case.
   */
  summary(logPath: string, shown = 6): string | null {
    if (this.total === 0) return null;
    const entries = [...this.byDestination.entries()];
    const parts = entries
      .slice(0, shown)
      .map(([dest, { reason, count }]) => `${dest} (${clip(reason)})${count > 1 ? ` ×${count}` : ''}`);
    const rest = this.total - entries.slice(0, shown).reduce((n, [, e]) => n + e.count, 0);
    const more = rest > 0 ? `, and ${rest} more` : '';
    const n = this.total === 1 ? '1 connection' : `${this.total} connections`;
    return `ags: network: the proxy refused ${n}: ${parts.join(', ')}${more}; all decisions in ${logPath}`;
  }
}
