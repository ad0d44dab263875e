import { scrubText } from './util/terminal-text.js';

/** Exit codes of the ags convention: 2 for usage and config errors, 1 for runtime failures. */
export const EXIT_USAGE = 2;
export const EXIT_RUNTIME = 1;

/** An error the user can fix; printed as one line (plus an optional hint), never with a stack trace. */
export class AgsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends AgsError {
  constructor(message: string, hint?: string) {
    super(message, EXIT_USAGE, hint);
  }
}

/** Broken or invalid configuration. */
export class ConfigError extends AgsError {
  constructor(message: string, hint?: string) {
    super(message, EXIT_USAGE, hint);
  }
}

/** Something on the host failed: podman missing, image build failed, and so on. */
export class RuntimeError extends AgsError {
  constructor(message: string, hint?: string) {
    super(message, EXIT_RUNTIME, hint);
  }
}

/**
 * Renders an error for the terminal: the message, and the fix on a second line when there is one. Messages
 * quote paths and values from files ags did not write; any control character left in them is escaped here.
 */
export function formatError(err: AgsError): string {
  const message = scrubText(err.message);
  return err.hint ? `ags: ${message}\n  ${scrubText(err.hint)}\n` : `ags: ${message}\n`;
}
