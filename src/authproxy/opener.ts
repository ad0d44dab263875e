/**
 * Opens an approved URL in the host's browser with `open`. The host's own `$BROWSER` wins when set (its first
 * `:`-separated entry, run with the URL as its one argument, no shell); otherwise `open` picks the desktop's
 * browser. The URL reaching here has been checked to be http or https.
 */
import open from 'open';

export type OpenBrowser = (url: string) => Promise<void>;

export function hostBrowserOpener(env: NodeJS.ProcessEnv = process.env): OpenBrowser {
  return async (url) => {
    const browser = env.BROWSER?.split(':').find((b) => b.trim() !== '' && !b.includes('%s'));
    const child = await open(url, browser ? { app: { name: browser } } : {});
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve());
    });
  };
}
