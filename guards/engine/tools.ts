/**
 * Tool calls of each agent, mapped onto the three things the guard checks: a shell command, file paths read or
 * written, or a search root. The table is data, so each agent's entry point stays a few lines.
 */
import { nullProto } from './null-proto.js';
export type AgentKind = 'claude' | 'pi' | 'opencode' | 'gemini' | 'codex';

export type FileOp = 'read' | 'write' | 'search' | 'list';

export type ToolCall =
  /** `invalid`: the command field is missing or not text (nor an argv of text): the guard cannot read it. */
  | { kind: 'shell'; tool: string; command: string; cwd: string; invalid?: string }
  | { kind: 'file'; tool: string; op: FileOp; paths: string[]; cwd: string }
  | { kind: 'other'; tool: string; cwd: string };

interface ToolSpec {
  kind: 'shell' | FileOp | 'patch';
  /** Input fields holding the command or path(s), first present wins (arrays of paths are accepted). */
  fields: readonly string[];
  /** For list/search tools: a glob pattern field joined to the path. */
  pattern?: string;
  /** A field that overrides the cwd (gemini `directory`, codex `workdir`). */
  cwdField?: string;
}

export const TOOL_TABLE: Readonly<Record<AgentKind, Readonly<Record<string, ToolSpec>>>> = nullProto({
  claude: {
    Bash: { kind: 'shell', fields: ['command'] },
    Read: { kind: 'read', fields: ['file_path'] },
    Write: { kind: 'write', fields: ['file_path'] },
    Edit: { kind: 'write', fields: ['file_path'] },
    MultiEdit: { kind: 'write', fields: ['file_path'] },
    NotebookEdit: { kind: 'write', fields: ['notebook_path'] },
    NotebookRead: { kind: 'read', fields: ['notebook_path'] },
    Grep: { kind: 'search', fields: ['path'] },
    Glob: { kind: 'list', fields: ['path'], pattern: 'pattern' },
    LS: { kind: 'list', fields: ['path'] },
  },
  pi: {
    bash: { kind: 'shell', fields: ['command'] },
    read: { kind: 'read', fields: ['path'] },
    write: { kind: 'write', fields: ['path'] },
    edit: { kind: 'write', fields: ['path'] },
    grep: { kind: 'search', fields: ['path'] },
    find: { kind: 'list', fields: ['path'], pattern: 'pattern' },
    ls: { kind: 'list', fields: ['path'] },
  },
  opencode: {
    bash: { kind: 'shell', fields: ['command'], cwdField: 'workdir' },
    read: { kind: 'read', fields: ['filePath'] },
    write: { kind: 'write', fields: ['filePath'] },
    edit: { kind: 'write', fields: ['filePath'] },
    multiedit: { kind: 'write', fields: ['filePath'] },
    patch: { kind: 'patch', fields: ['patchText'] },
    apply_patch: { kind: 'patch', fields: ['patchText'] },
    grep: { kind: 'search', fields: ['path'] },
    glob: { kind: 'list', fields: ['path'], pattern: 'pattern' },
    list: { kind: 'list', fields: ['path'] },
  },
  gemini: {
    run_shell_command: { kind: 'shell', fields: ['command'], cwdField: 'directory' },
    read_file: { kind: 'read', fields: ['absolute_path', 'file_path', 'path'] },
    read_many_files: { kind: 'read', fields: ['paths'] },
    write_file: { kind: 'write', fields: ['file_path', 'absolute_path'] },
    replace: { kind: 'write', fields: ['file_path', 'absolute_path'] },
    search_file_content: { kind: 'search', fields: ['path', 'dir_path'] },
    grep_search: { kind: 'search', fields: ['path', 'dir_path'] },
    glob: { kind: 'list', fields: ['path', 'dir_path'], pattern: 'pattern' },
    list_directory: { kind: 'list', fields: ['path', 'dir_path'] },
  },
  codex: {
    shell: { kind: 'shell', fields: ['command'], cwdField: 'workdir' },
    local_shell: { kind: 'shell', fields: ['command'], cwdField: 'workdir' },
    exec_command: { kind: 'shell', fields: ['cmd', 'command'], cwdField: 'workdir' },
    Bash: { kind: 'shell', fields: ['command'], cwdField: 'workdir' },
    apply_patch: { kind: 'patch', fields: ['input', 'patch', 'command'] },
  },
});

/** Quotes one argv element for display and re-parsing as shell. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An argv array as one shell command line (codex sends `["bash","-lc","…"]`). */
export function argvToCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Paths a codex/opencode patch adds, updates, deletes or moves to. */
export function patchPaths(patch: string): string[] {
  const out: string[] = [];
  for (const m of patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$/gm)) {
    out.push((m[1] ?? m[2]!).trim());
  }
  return out;
}

/** Maps one agent tool call onto what the guard checks. Unknown tools are `other` (allowed). */
export function toToolCall(agent: AgentKind, toolName: string, input: unknown, cwd: string): ToolCall {
  const table = TOOL_TABLE[agent];
  const spec = Object.hasOwn(table, toolName) ? table[toolName] : undefined;
  const inp = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (!spec) return { kind: 'other', tool: toolName, cwd };
  const dir = spec.cwdField && typeof inp[spec.cwdField] === 'string' ? (inp[spec.cwdField] as string) : null;
  const effCwd = dir ? (dir.startsWith('/') ? dir : `${cwd.replace(/\/$/, '')}/${dir}`) : cwd;
  let value: unknown;
  for (const f of spec.fields) {
    if (inp[f] !== undefined && inp[f] !== null) {
      value = inp[f];
      break;
    }
  }
  if (spec.kind === 'shell') {
    if (typeof value === 'string') return { kind: 'shell', tool: toolName, command: value, cwd: effCwd };
    if (Array.isArray(value) && value.every((x) => typeof x === 'string'))
      return { kind: 'shell', tool: toolName, command: argvToCommand(value), cwd: effCwd };
    const invalid =
      value === undefined
        ? 'no command'
        : `a command that is ${Array.isArray(value) ? 'an array of non-strings' : typeof value}`;
    return { kind: 'shell', tool: toolName, command: '', cwd: effCwd, invalid };
  }
  if (spec.kind === 'patch') {
    return {
      kind: 'file',
      tool: toolName,
      op: 'write',
      paths: typeof value === 'string' ? patchPaths(value) : [],
      cwd: effCwd,
    };
  }
  const paths: string[] = Array.isArray(value)
    ? value.filter((x): x is string => typeof x === 'string')
    : typeof value === 'string'
      ? [value]
      : [];
  if (spec.pattern && typeof inp[spec.pattern] === 'string') {
    const pat = inp[spec.pattern] as string;
    const base = paths[0] ?? '.';
    paths.splice(
      0,
      paths.length,
      pat.startsWith('/') || pat.startsWith('~') ? pat : `${base.replace(/\/$/, '')}/${pat}`,
    );
  }
  if (paths.length === 0 && (spec.kind === 'search' || spec.kind === 'list')) paths.push('.');
  return { kind: 'file', tool: toolName, op: spec.kind, paths, cwd: effCwd };
}
