import { quoteText } from '../util/terminal-text.js';

/**
 * Image references as podman reads them (the container "reference" grammar): `NAME[:TAG][@DIGEST]`, where NAME
 * is an optional registry `HOST[:PORT]/` and a lowercase repository path. Checked when the config is read,
 * so a mistyped image is a config error naming its key instead of podman's failure at start-up.
 */

export const IMAGE_REF_FORM = 'NAME[:TAG][@DIGEST]';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const MAX_NAME = 255;

function validHost(domain: string): boolean {
  const m = /^(.*?)(?::(\d+))?$/.exec(domain)!;
  const host = m[1]!;
  if (IPV6.test(host)) return true;
  return host !== '' && host.split('.').every((label) => HOST_LABEL.test(label));
}

/** Why `ref` is not a valid image reference, or null when it is one. */
export function imageRefProblem(ref: string): string | null {
  if (ref === '') return 'must not be empty';
  if (/[^\x21-\x7e]/.test(ref)) return 'contains a space, control or non-ASCII character';
  let rest = ref;
  const at = rest.indexOf('@');
  if (at !== -1) {
    if (!DIGEST.test(rest.slice(at + 1)))
      return `the digest after "@" must be ALGORITHM:HEX, for example "sha256:" and 64 hex digits`;
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    const tag = rest.slice(colon + 1);
    if (!TAG.test(tag))
      return `the tag ${quoteText(tag, 64)} may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")`;
    rest = rest.slice(0, colon);
  }
  if (rest === '') return 'the image name is missing';
  if (rest.length > MAX_NAME) return `the image name is longer than ${MAX_NAME} characters`;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  // as podman decides: a first part with ".", ":" or capitals (or "localhost") is a registry host
  const hasHost = slash !== -1 && (/[.:A-Z]/.test(first) || first === 'localhost');
  if (hasHost && !validHost(first)) return `the registry ${quoteText(first, 64)} is not a valid HOST[:PORT]`;
  const path = hasHost ? rest.slice(slash + 1) : rest;
  for (const part of path.split('/')) {
    if (part === '') return 'the repository path has an empty part ("//", or "/" at an end)';
    if (/[A-Z]/.test(part)) return `the repository path must be lowercase (${quoteText(part, 64)})`;
    if (!PATH_COMPONENT.test(part))
      return `the repository path part ${quoteText(part, 64)} may hold only lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  }
  return null;
}
