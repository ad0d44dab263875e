/**
 * Hard limits for one guard decision. Every loop in the parser and the analyser ticks the budget, so no input can
 * make a decision run longer than `wallMs` or recurse deeper than `maxDepth`; past a limit a `LimitError` is thrown
 * and `decide` turns it into a fail-open (normal) or fail-closed (lockdown) verdict.
 */
export interface Limits {
  /** Wall-clock time for one decision, in milliseconds. */
  wallMs: number;
  /** Longest shell command analysed, in UTF-16 code units. */
  maxInputChars: number;
  /** Deepest nesting of `$(…)`, subshells, `bash -c`, `eval`, heredocs fed to shells, inline code. */
  maxDepth: number;
  /** Most lexer tokens over the whole decision (all nesting levels together). */
  maxTokens: number;
  /** Most normalized commands (invocations) over the whole decision. */
  maxCommands: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  wallMs: 250,
  maxInputChars: 512 * 1024,
  maxDepth: 32,
  maxTokens: 200_000,
  maxCommands: 20_000,
});

export type LimitKind = 'time' | 'input' | 'depth' | 'tokens' | 'commands';

/** Thrown when a decision exceeds one of its limits. */
export class LimitError extends Error {
  constructor(
    readonly kind: LimitKind,
    detail: string,
  ) {
    super(detail);
    this.name = 'LimitError';
  }
}

const perfNow = () => performance.now();

export class Budget {
  readonly limits: Limits;
  private readonly deadline: number;
  private tokens = 0;
  private commands = 0;
  private ticks = 0;

  constructor(limits: Partial<Limits> = {}, now: () => number = perfNow) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.now = now;
    this.deadline = now() + this.limits.wallMs;
  }

  private readonly now: () => number;

  /** Checks the wall clock; cheap enough to call in every loop (it reads the clock every 64th call). */
  tick(): void {
    if ((++this.ticks & 63) === 0) this.checkTime();
  }

  checkTime(): void {
    if (this.now() > this.deadline) {
      throw new LimitError('time', `analysis took longer than ${this.limits.wallMs} ms`);
    }
  }

  token(): void {
    if (++this.tokens > this.limits.maxTokens) {
      throw new LimitError('tokens', `more than ${this.limits.maxTokens} shell tokens`);
    }
    this.tick();
  }

  command(): void {
    if (++this.commands > this.limits.maxCommands) {
      throw new LimitError('commands', `more than ${this.limits.maxCommands} commands`);
    }
    this.tick();
  }

  depth(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new LimitError('depth', `nesting deeper than ${this.limits.maxDepth} levels`);
    }
  }

  input(length: number): void {
    if (length > this.limits.maxInputChars) {
      throw new LimitError('input', `command longer than ${this.limits.maxInputChars} characters`);
    }
  }

  elapsedSince(start: number): number {
    return this.now() - start;
  }
}
