import { readSync } from 'node:fs';

// made on first use: a V8 startup snapshot is built where SharedArrayBuffer does not exist
let sleeper: Int32Array | undefined;

/**
 * Reads all of stdin synchronously. `readFileSync(0)` is not enough: when stdin is a non-blocking pipe whose
 * writer has not finished (any hook input over the 64 KiB pipe buffer, such as a large Write), it fails with
 * EAGAIN part-way, and a guard that then saw no input would let the call through. This waits and retries.
 */
export function readStdinSync(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        sleeper ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      if (code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The whole life of a command-hook process (Claude, Codex, Gemini): read the event from stdin, decide, print
 * the reason, set the exit code (2 blocks). Unreadable input is handed on as empty, which the hook reports as
 * a parse failure (open with a warning, closed in lockdown).
 */
export function runCommandHook(decide: (stdinText: string) => { stderr: string; exitCode: number }): void {
  let text = '';
  try {
    text = readStdinSync();
  } catch {
    text = '';
  }
  const result = decide(text);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
