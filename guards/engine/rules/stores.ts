/**
 * Key-value stores and coordination services (etcd, Consul, Vault, ZooKeeper, Nomad): deleting a whole key space,
 * a top-level prefix, every version of a secret or a whole secrets engine. A table: per program, the verbs and what
 * makes them wipe. Deleting one key, or a deep prefix (`etcdctl del --prefix /app/cache/sessions`), is fine.
 */
import type { Invocation } from '../shell/invocation.js';
import type { Rule } from './types.js';

/** A key or prefix that is the whole space or one segment below it (``, `/`, `/registry`, `app/`). */
const SHALLOW = /^\/?[^/]*\/?$/;

const words = (inv: Invocation) => inv.args.map((a) => a.value ?? '\0');
const keysOf = (inv: Invocation, from: number) =>
  words(inv)
    .slice(from)
    .filter((v) => !v.startsWith('-'));

interface StoreWipe {
  commands: string[];
  /** What the invocation wipes, or null. */
  wipes: (inv: Invocation) => string | null;
}

const STORE_WIPES: StoreWipe[] = [
  {
    commands: ['etcdctl'],
    wipes: (inv) => {
      const v = words(inv);
      const del = v.findIndex((x) => x === 'del' || x === 'delete' || x === 'rm');
      if (del === -1) return null;
      if (v.some((x) => /^--from-key(?:=true)?$/.test(x))) return 'del --from-key';
      if (!v.some((x) => x === '--prefix' || x === '--prefix=true')) return null;
      const key = keysOf(inv, del + 1)[0] ?? '';
      return key === '\0' || SHALLOW.test(key) ? `del --prefix "${key === '\0' ? '…' : key}"` : null;
    },
  },
  {
    commands: ['consul'],
    wipes: (inv) => {
      const v = words(inv);
      const i = v.indexOf('kv');
      if (i === -1 || v[i + 1] !== 'delete' || !v.some((x) => /^--?recurse(?:=true)?$/.test(x))) return null;
      const key = keysOf(inv, i + 2)[0] ?? '';
      return key === '\0' || SHALLOW.test(key) ? `kv delete -recurse ${key || '(everything)'}` : null;
    },
  },
  {
    commands: ['vault'],
    wipes: (inv) => {
      const v = words(inv).filter((x) => !x.startsWith('-'));
      if (v[0] === 'kv' && ((v[1] === 'metadata' && v[2] === 'delete') || v[1] === 'destroy'))
        return `kv ${v[1]} (every version)`;
      if ((v[0] === 'secrets' || v[0] === 'auth') && v[1] === 'disable') return `${v[0]} disable`;
      if (v[0] === 'delete' && /^sys\//.test(v[1] ?? '')) return `delete ${v[1]}`;
      return null;
    },
  },
  {
    commands: ['zkCli.sh', 'zkCli', 'zookeeper-shell', 'zookeeper-shell.sh'],
    wipes: (inv) => {
      const v = words(inv);
      const i = v.findIndex((x) => x === 'deleteall' || x === 'rmr');
      return i === -1 ? null : `${v[i]} ${v[i + 1] ?? ''}`.trim();
    },
  },
  {
    commands: ['nomad'],
    wipes: (inv) => {
      const v = words(inv);
      if (v[0] === 'job' && v[1] === 'stop' && v.some((x) => /^--?purge$/.test(x))) return 'job stop -purge';
      if (['namespace', 'volume', 'var'].includes(v[0] ?? '') && (v[1] === 'delete' || v[1] === 'purge'))
        return `${v[0]} ${v[1]}`;
      return null;
    },
  },
];

export const storeRules: Rule[] = [
  {
    id: 'db.store-wipe',
    pack: 'db',
    reason:
      'deletes a whole key space or top-level prefix, every version of a secret, or a secrets engine (etcd, Consul, Vault, ZooKeeper, Nomad); ask the user',
    commands: STORE_WIPES.flatMap((s) => s.commands),
    match: (inv) => {
      for (const s of STORE_WIPES) if (s.commands.includes(inv.name)) return s.wipes(inv) ?? false;
      return false;
    },
  },
];
