/**
 * What the sandbox may have left the terminal in, undone before ags writes to it again: the agent shares the
 * terminal, and its last bytes can hide or garble everything after them (concealed or same-colour text, the
 * line-drawing character set, the alternate screen, a scroll region, redefined default colours, a hidden
 * cursor). Without this an agent could end its run with `ESC[8m` and make ags's post-run warnings invisible.
 */
export const TERMINAL_RESET =
  '\x1b[0m' + // SGR: every attribute and colour off (concealed, reverse, fg = bg …)
  '\x0f\x1b(B' + // shift in, G0 = ASCII
  '\x1b]110\x07\x1b]111\x07' + // default foreground and background colours reset
  '\x1b[r' + // no scroll region
  '\x1b[?1049l' + // off the alternate screen
  '\x1b[?25h'; // the cursor shown

/** Writes TERMINAL_RESET to stderr when stderr is a terminal (a log file gets nothing). */
export function resetTerminal(stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY) stream.write(TERMINAL_RESET);
}
