import { existsSync, readFileSync } from 'node:fs';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Ends the processes whose ids a test's helper script appended to `file`, one a line (the headless Chromium a
 * fake $BROWSER started in the background, which would otherwise outlive the test and keep writing to its
 * profile while the test's directory is removed), and waits up to 5 s for them to go.
 */
export async function killRecordedPids(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const pids = readFileSync(file, 'utf8')
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 1);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const end = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}
