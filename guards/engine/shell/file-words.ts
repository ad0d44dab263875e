/**
 * A command word that reads a file: `$(<f)`, `$(cat f)`, `` `cat f` `` (also through a variable, `x=$(<f); $x`).
 * When the same command wrote `f` with known text, the word runs that text, as `bash f` would.
 */
import type { Script } from './ast.js';
import { staticValue } from './words.js';

/** The file a substitution's script only reads and prints, or null. */
export function fileReadBy(script: Script): string | null {
  if (script.pipelines.length !== 1 || script.pipelines[0]!.stages.length !== 1) return null;
  const st = script.pipelines[0]!.stages[0]!;
  if (st.k !== 'cmd' || st.assigns.length > 0) return null;
  const words = st.words.map(staticValue);
  const inRedir = st.redirs.find((r) => r.op === '<' && r.target);
  if (words.length === 0 && inRedir && st.redirs.length === 1) return staticValue(inRedir.target!);
  if (words[0] === 'cat' && st.redirs.length === 0) {
    const ops = words.slice(1).filter((x) => x !== '--');
    return ops.length === 1 && ops[0] !== null && !ops[0]!.startsWith('-') ? ops[0]! : null;
  }
  return null;
}
