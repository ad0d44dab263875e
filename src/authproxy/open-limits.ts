/**
 * The bounds on what one session's sandbox can make the host do. A login is one URL, one flow and one callback;
 * a hostile agent could otherwise send thousands of open requests on one connection, each a browser window, a
 * question and two host listeners.
 */

/**
 * Open requests in progress at once in a session: waiting for the user's answer, or opened and waiting for
 * their callback. Three leaves room for a login retried while the first still waits and a second MCP server's
 * login started meanwhile; a person does not work through more at a time. It also bounds the host's callback
 * listeners (two per flow) and the queued questions.
 */
export const MAX_PENDING_OPENS = 3;

/** Browser opens: this many at once, then one more per OPEN_REFILL_MS. */
export const OPEN_BURST = 4;
export const OPEN_REFILL_MS = 15_000;

/** A token bucket for host browser opens: `take()` spends one, or says how long until one is back. */
export class OpenRateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst = OPEN_BURST,
    private readonly refillMs = OPEN_REFILL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) / this.refillMs);
    this.last = t;
  }

  /** Whole seconds until an open is allowed again; 0 when one is allowed now. */
  waitSeconds(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * this.refillMs) / 1000);
  }

  /** Spends one open; false (spending nothing) when none is left. */
  take(): boolean {
    if (this.waitSeconds() > 0) return false;
    this.tokens -= 1;
    return true;
  }

  /** The open-result message for a request refused by this limit. */
  refusal(): string {
    return `not opened: too many browser opens from this sandbox (at most ${this.burst}, then one every ${this.refillMs / 1000} s); try again in ${this.waitSeconds()} s`;
  }
}
