/** What a command writes to its stdout, classified as a source for the next stage of a pipe. */
import { DECODERS, NETWORK, PASSTHROUGH } from './commands.js';
import type { Invocation, Producer } from './invocation.js';
import { asText, echoText, filterOutput, printfText } from './decoders.js';

/** Decoded text that is plain text is judged as that text; binary or unmodelled output stays "decoded". */
function known(text: string | null, desc: string): Producer {
  return text === null || asText(Buffer.from(text, 'utf8')) === null
    ? { kind: 'decoded', desc }
    : { kind: 'literal', text, desc: `${desc} (decoded)` };
}

/** A decoder fed known text (`echo … | base64 -d`, `rev <<< …`): its output, when it is modelled exactly. */
function decodedOf(inv: Invocation): Producer {
  const argv = inv.args.map((a) => a.value);
  const fed = inv.stdin?.kind === 'literal' ? inv.stdin.text : undefined;
  if (fed === undefined || argv.some((v) => v === null)) return { kind: 'decoded', desc: inv.display };
  const out = filterOutput([inv.name, ...(argv as string[])], Buffer.from(fed, 'utf8'));
  const text = out === null ? null : asText(out);
  return text === null
    ? { kind: 'decoded', desc: inv.display }
    : { kind: 'literal', text, desc: `${inv.display} (decoded)` };
}

export function classifyOutput(inv: Invocation): Producer {
  if (inv.dynamic) return { kind: 'dynamic', desc: inv.display };
  const n = inv.name;
  if (inv.appendsArgs && (n === 'echo' || n === 'printf')) {
    // `… | base64 -d | xargs -0 printf %s`: prints what xargs fed it, text nobody read in the command
    const up = inv.upstream[inv.upstream.length - 1];
    const fed = inv.stdin ?? (up ? classifyOutput(up) : null);
    if (fed?.kind === 'network') return fed;
    if (fed?.kind === 'decoded' || fed?.kind === 'literal')
      return { kind: 'decoded', desc: `${fed.desc} | xargs ${n}` };
    return { kind: 'dynamic', desc: inv.display };
  }
  if (n === 'echo' || n === 'printf') return echoProducer(inv);
  if (NETWORK.has(n) && n !== 'openssl') return { kind: 'network', desc: n };
  if (n === 'cat' && inv.args.every((a) => a.value === '-' || (a.value ?? '').startsWith('-'))) {
    return inv.stdin ?? { kind: 'dynamic', desc: 'cat' };
  }
  if (n === 'ls') {
    // `ls -d PATH…` prints the paths as given, one per line
    const vals = inv.args.map((a) => a.value);
    const opts = vals.filter((v) => v !== null && v.startsWith('-'));
    const paths = vals.filter((v) => v === null || !v.startsWith('-'));
    if (
      opts.some((o) => o!.includes('d')) &&
      opts.every((o) => /^-[d1]+$/.test(o!)) &&
      paths.length > 0 &&
      paths.every((v) => v !== null) &&
      !inv.args.some((a) => a.glob)
    )
      return { kind: 'literal', text: paths.join('\n') + '\n', desc: 'ls -d' };
  }
  if (n === 'cat') return { kind: 'file', desc: `cat ${inv.args.map((a) => a.text).join(' ')}` };
  const up = inv.upstream[inv.upstream.length - 1];
  const fed = inv.stdin ?? (up ? classifyOutput(up) : null);
  if (PASSTHROUGH.has(n)) {
    // known text through a stage that changes it (`head -c 8`, `sort`) is text nobody read: obfuscated
    if (fed?.kind === 'literal' && !IDENTITY.has(n)) return { kind: 'decoded', desc: `${fed.desc} | ${n}` };
    return fed ?? { kind: 'dynamic', desc: n };
  }
  if (DECODERS.has(n) || /^python[0-9.]*$/.test(n)) return decodedOf(inv);
  // an unmodelled filter (`cut`, `fold`, `xargs printf`) of decoded text still prints decoded text
  if (fed?.kind === 'decoded' || (fed?.kind === 'literal' && fed.desc.endsWith('(decoded)')))
    return { kind: 'decoded', desc: `${fed.desc} | ${n}` };
  return { kind: 'dynamic', desc: n };
}

/** Pass-through stages whose output is their input, unchanged. */
const IDENTITY = new Set(['tee', 'cat', 'less', 'more']);

function echoProducer(inv: Invocation): Producer {
  const vals = inv.args.map((a) => a.value);
  if (vals.some((v) => v === null)) return { kind: 'dynamic', desc: inv.display };
  const args = vals as string[];
  if (inv.name === 'echo') {
    let i = 0;
    let escapes = false;
    while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
      if (args[i]!.includes('e')) escapes = true;
      i++;
    }
    const text = args.slice(i).join(' ');
    if (escapes && text.includes('\\')) return known(echoText(args), 'echo -e');
    return { kind: 'literal', text: text + '\n', desc: 'echo' };
  }
  const [fmt = '', ...rest] = args[0] === '--' ? args.slice(1) : args;
  if (
    /\\(?:x|u|U|[0-7])|%b|%[-+ 0#]*(?:\*|\d*\.\*)/.test(fmt) ||
    rest.some((r) => /\\(?:x|[0-7])/.test(r) && fmt.includes('%b'))
  ) {
    return known(printfText(args), 'printf with escapes');
  }
  // the format is reused while arguments remain: `printf '%s\n' a b` prints two lines
  const convs = (fmt.match(/%[sd]/g) ?? []).length;
  const rounds = convs > 0 ? Math.max(1, Math.min(Math.ceil(rest.length / convs), 256)) : 1;
  let k = 0;
  const text = fmt
    .repeat(rounds)
    .replace(/%[sd]/g, () => rest[k++] ?? '')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t');
  return { kind: 'literal', text, desc: 'printf' };
}
