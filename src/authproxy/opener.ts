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
    // resolves once the browser process has started; a browser that cannot be started rejects
    const child = await open(url, browser ? { app: { name: browser } } : {});
    child.on('error', () => {});
  };
}
