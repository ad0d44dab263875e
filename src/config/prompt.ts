import { createInterface } from 'node:readline';

/** What loading a config may do on the terminal: warn, and ask the trust question. */
export interface ConfigIO {
  /** Writes one line (without the newline) to stderr. */
  warn(line: string): void;
  /** Asks a question on the terminal; resolves to the answer line, or null at end of input. */
  ask(question: string): Promise<string | null>;
}

export const stdio: ConfigIO = {
  warn(line) {
    process.stderr.write(`${line}\n`);
  },
  ask(question) {
    process.stderr.write(question);
    return new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, terminal: false });
      let answered = false;
      rl.once('line', (line) => {
        answered = true;
        rl.close();
        resolve(line);
      });
      rl.once('close', () => {
        if (!answered) resolve(null);
      });
    });
  },
};

/** `y` or `yes`, any case, counts as yes; everything else (including an empty line) as no. */
export function isYes(answer: string | null): boolean {
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}
