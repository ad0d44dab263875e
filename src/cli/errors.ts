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

/** Renders an error for the terminal: the message, and the fix on a second line when there is one. */
export function formatError(err: AgsError): string {
  return err.hint ? `ags: ${err.message}\n  ${err.hint}\n` : `ags: ${err.message}\n`;
}
