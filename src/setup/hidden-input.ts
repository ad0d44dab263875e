/**
 * Reads one line from the terminal without echoing it (raw mode), for a secret. Resolves null at end of input
 * or Ctrl-C / Ctrl-D. Only for a TTY stdin.
 */
export function readHidden(prompt: string): Promise<string | null> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    const finish = (result: string | null) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(value);
        if (ch === '\u0003' || ch === '\u0004') return finish(null);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
