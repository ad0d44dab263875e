/**
 * The fallback scan: when a command exceeds the guard's limits it cannot be parsed, but padding must not hide
 * `rm -rf /` behind 600 KiB of comments. A few linear regular expressions over the raw text catch the worst
 * shapes; a hit blocks even outside lockdown.
 */
const SCAN_CHARS = 2 * 1024 * 1024;

const PATTERNS: Array<[RegExp, string]> = [
  [
    /\brm\s+(?:-[a-zA-Z]*\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-\S+\s+)*["']?(?:\/|~|\$HOME|\$\{HOME\}|\.\.?)["']?(?:[\s/*;&|)]|$)/,
    'rm -r on /, ~ or ..',
  ],
  [/\bgit\b[^\n;|&]{0,200}\breset\s+--hard\b/, 'git reset --hard'],
  [/\bgit\b[^\n;|&]{0,200}\bpush\b[^\n;|&]{0,200}(?:\s-[a-zA-Z]*f\b|--force|--mirror)/, 'git push --force'],
  [/\bmkfs(?:\.\w+)?\b|\bwipefs\b/, 'mkfs/wipefs'],
  [/\bdd\b[^\n]{0,200}\bof=\/dev\/(?:sd|nvme|vd|hd|xvd|mmcblk)/, 'dd to a block device'],
  [/\bDROP\s+(?:DATABASE|TABLE|SCHEMA)\b/i, 'DROP DATABASE/TABLE'],
  [/\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b|\b(?:ba)?sh\s+<\(/, 'a pipe into a shell'],
  [/\bbase64\s+(?:-\w*d|--decode)|\bxxd\s+-r/, 'a decoder'],
  [
    /\.ssh\/(?!\S*\.pub\b)|\.aws\/credentials|\/proc\/[^/\s]+\/environ|\.gnupg\b|\.kube\/config|\.docker\/config\.json|\.netrc\b|\.git-credentials|\/run\/ags-secrets\b/,
    'a credential path',
  ],
];

/** What the worst-shape scan found in `text`, or null. */
export function fallbackScan(text: string): string | null {
  const t = text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text;
  for (const [re, what] of PATTERNS) if (re.test(t)) return what;
  return null;
}
