/**
 * Hard limits for one guard decision. Every loop in the parser and the analyser ticks the budget, so no input can
 * make a decision run long or recurse deeper than `maxDepth`; past a limit a `LimitError` is thrown and `decide`
 * blocks.
 *
 * Time is counted in CPU time, not only wall-clock time: an input that costs about `wallMs` of CPU is an input too
 * costly to read (padding a destructive command with thousands of benign ones), whatever the machine's load, while
 * a host so busy that the decision waits for the CPU only slows it down — up to `starvedMs` of wall clock, past
 * which the guard gives up and blocks too (the agent can load the machine; that must not buy an allow).
 */
export interface Limits {
  /** Time for one decision, in milliseconds: half of it wall clock, the other half CPU time spent on it. */
  wallMs: number;
  /** Wall-clock time after which a decision starved of CPU by the host's load gives up, in milliseconds. */
  starvedMs: number;
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
  wallMs: 500,
  starvedMs: 3000,
  maxInputChars: 512 * 1024,
  maxDepth: 32,
  maxTokens: 200_000,
  maxCommands: 20_000,
});

export type LimitKind = 'time' | 'starved' | 'input' | 'depth' | 'tokens' | 'commands';

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

/** This thread's CPU time in ms where Node can tell it apart (≥ 23.9), else the process's. */
const cpuNow: () => number = (() => {
  const p = process as NodeJS.Process & { threadCpuUsage?: () => NodeJS.CpuUsage };
  const read = typeof p.threadCpuUsage === 'function' ? () => p.threadCpuUsage!() : () => process.cpuUsage();
  return () => {
    const u = read();
    return (u.user + u.system) / 1000;
  };
})();

export interface Clocks {
  /** Wall clock, ms. */
  now: () => number;
  /** CPU time of the deciding thread, ms. */
  cpu: () => number;
}

export class Budget {
  readonly limits: Limits;
  private readonly start: number;
  private readonly deadline: number;
  private cpuMark: number | null = null;
  private tokens = 0;
  private commands = 0;
  private ticks = 0;
  private readonly now: () => number;
  private readonly cpu: () => number;

  constructor(limits: Partial<Limits> = {}, clocks: Partial<Clocks> | (() => number) = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const c = typeof clocks === 'function' ? { now: clocks, cpu: clocks } : clocks;
    this.now = c.now ?? perfNow;
    this.cpu = c.cpu ?? cpuNow;
    this.start = this.now();
    this.deadline = this.start + this.limits.wallMs / 2;
  }

  /** Checks the clocks; cheap enough to call in every loop (it reads the wall clock every 64th call). */
  tick(): void {
    if ((++this.ticks & 63) === 0) this.checkTime();
  }

  checkTime(): void {
    const t = this.now();
    if (t <= this.deadline) return;
    // Past half the time, the CPU clock (a system call) starts to be read: the other half must be CPU spent on
    // this decision, so an unloaded host blocks at about wallMs and a starved one only once the input itself
    // has cost wallMs / 2 — or once starvedMs of wall clock has passed.
    if (this.cpuMark === null) this.cpuMark = this.cpu();
    else if (this.cpu() - this.cpuMark > this.limits.wallMs / 2) {
      throw new LimitError('time', `the command costs more than ${this.limits.wallMs} ms to check`);
    }
    if (t - this.start > this.limits.starvedMs) {
      throw new LimitError(
        'starved',
        `the machine was too busy to finish the check within ${this.limits.starvedMs / 1000} s`,
      );
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
