/**
 * Pack `machine`: commands that change the machine rather than files — power and run level, the running kernel,
 * the firewall and network links, mounts and namespaces, swap, the clock, system services, and the volumes
 * (LVM, ZFS, RAID, LUKS, loop devices) under the file systems. The table is data: per group of commands, the
 * verbs (first positional) or options that change something, and the options that only look.
 */
import type { Invocation } from '../shell/invocation.js';
import { argPath, operands, positionals } from './args.js';
import type { Rule, RuleContext } from './types.js';
import { writesOf } from './writes.js';

interface Entry {
  commands: readonly string[];
  /** Fires on any invocation of the command (unless `unless` matches an argument). */
  always?: boolean;
  /** Fires when an argument matches. */
  any?: RegExp;
  /** Fires when the first positional (options and their values skipped) matches. */
  verb?: RegExp;
  /** Fires when there is at least one positional. */
  operand?: boolean;
  /** Options of the command that take a separate value (for finding positionals). */
  withArg?: readonly string[];
  /** An argument that makes the command only look (`--help`, `--list`, `--user` for services). */
  unless?: RegExp;
  /** A predicate over the positionals, for verbs with sub-verbs (`ip link set eth0 down`). */
  pos?: (p: string[]) => boolean;
}

const HELP = /^(?:-h|--help|-V|--version)$/;

const SYSTEMCTL_WITH_ARG = [
  '-t',
  '--type',
  '-p',
  '--property',
  '-s',
  '--signal',
  '-H',
  '--host',
  '-M',
  '--machine',
  '-n',
  '--lines',
  '-o',
  '--output',
  '--root',
  '--state',
  '--job-mode',
  '--kill-whom',
  '--what',
  '--message',
  '--when',
];

/** Each group is one rule: its id, its reason, and the table entries that make it fire. */
const GROUPS: ReadonlyArray<{ id: string; reason: string; entries: Entry[] }> = [
  {
    id: 'machine.power',
    reason: 'powers off, reboots or halts the machine, or switches its run level; ask the user',
    entries: [
      {
        commands: ['shutdown', 'poweroff', 'reboot', 'halt'],
        always: true,
        unless: /^(?:--help|--version|-c|--show)$/,
      },
      {
        commands: ['systemctl'],
        withArg: SYSTEMCTL_WITH_ARG,
        verb: /^(?:poweroff|reboot|halt|kexec|suspend|hibernate|hybrid-sleep|suspend-then-hibernate|soft-reboot|emergency|rescue|isolate|default|exit|switch-root)$/,
      },
      {
        commands: ['loginctl'],
        verb: /^(?:poweroff|reboot|halt|suspend|hibernate|kill-session|kill-user|terminate-session|terminate-user|terminate-seat)$/,
      },
      { commands: ['init', 'telinit'], verb: /^(?:[0-6sS]|single|emergency)$/ },
      { commands: ['kexec'], always: true, unless: HELP },
    ],
  },
  {
    id: 'machine.kernel',
    reason:
      'changes the running kernel (sysrq, /proc/sys, /sys, sysctl, modules), which can crash or open the machine; ask the user',
    entries: [
      { commands: ['sysctl'], any: /^(?:-w|--write|-p.*|--load.*|--system)$|^[^-][^=]*=/ },
      {
        commands: ['modprobe'],
        always: true,
        unless: /^(?:-n|--dry-run|-c|--showconfig|--show-depends|-D|-h|--help|-V|--version)$/,
      },
      { commands: ['insmod', 'rmmod'], always: true, unless: HELP },
    ],
  },
  {
    id: 'machine.firewall',
    reason:
      'changes or flushes the firewall (iptables, nft, ufw, firewalld), which can cut the machine off or open it; ask the user',
    entries: [
      {
        commands: [
          'iptables',
          'ip6tables',
          'iptables-nft',
          'ip6tables-nft',
          'iptables-legacy',
          'ip6tables-legacy',
          'ebtables',
          'arptables',
        ],
        any: /^-[A-Za-z]*[FXPDAIRNEZ][A-Za-z]*$|^--(?:flush|delete-chain|policy|delete|append|insert|replace|new-chain|rename-chain|zero)$/,
      },
      {
        commands: [
          'iptables-restore',
          'ip6tables-restore',
          'iptables-nft-restore',
          'iptables-legacy-restore',
          'ebtables-restore',
        ],
        always: true,
        unless: /^(?:-t|--test|-h|--help|-V|--version)$/,
      },
      {
        commands: ['nft'],
        withArg: ['-I', '--includepath', '-D', '--define'],
        verb: /^(?:flush|delete|destroy|add|insert|replace|create|reset|rename)$/,
        any: /^(?:-f|--file)$/,
      },
      {
        commands: ['ufw'],
        verb: /^(?:disable|enable|reset|delete|deny|reject|allow|limit|default|insert|prepend|route|reload)$/,
      },
      {
        commands: ['firewall-cmd', 'firewall-offline-cmd'],
        any: /^--(?!(?:list|get|query|info)-|state$|zone(?:=|$)|permanent$|help$|version$|quiet$)/,
      },
    ],
  },
  {
    id: 'machine.network',
    reason: 'takes a network interface down or flushes routes or addresses; ask the user',
    entries: [
      {
        commands: ['ip'],
        withArg: ['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-f', '-family'],
        pos: (p) =>
          (/^(?:l|li|lin|link)$/.test(p[0] ?? '') && (p.includes('down') || /^del/.test(p[1] ?? ''))) ||
          (/^(?:r|ro|rou|rout|route|a|addr|address|neigh|n|rule|ru|netns)$/.test(p[0] ?? '') &&
            /^(?:flush|f|del|delete|replace|change)$/.test(p[1] ?? '')),
      },
      { commands: ['ifconfig'], any: /^down$/ },
      { commands: ['ifdown'], always: true, unless: HELP },
      {
        commands: ['nmcli'],
        pos: (p) =>
          ((p[0] === 'networking' || p[0] === 'n' || p[0] === 'radio' || p[0] === 'r') &&
            p.includes('off')) ||
          (/^(?:c|con|connection|d|dev|device)$/.test(p[0] ?? '') &&
            /^(?:down|delete|del|disconnect)$/.test(p[1] ?? '')),
      },
    ],
  },
  {
    id: 'machine.mount',
    reason:
      'mounts, unmounts, enters namespaces or turns off swap: changes what the machine and its processes see; ask the user',
    entries: [
      {
        commands: ['mount'],
        withArg: [
          '-t',
          '-o',
          '-O',
          '-L',
          '-U',
          '-T',
          '-N',
          '--types',
          '--options',
          '--test-opts',
          '--namespace',
        ],
        operand: true,
        any: /^(?:-a|--all|--bind|--rbind|--move|-B|-M|-R)$|(?:^|,)remount(?:,|$)/,
        unless: /^(?:-l|--list|-h|--help|-V|--version)$/,
      },
      { commands: ['umount', 'umount2', 'pivot_root', 'switch_root', 'swapoff'], always: true, unless: HELP },
      { commands: ['fusermount', 'fusermount3'], any: /^-[a-z]*[uz][a-z]*$/ },
      { commands: ['nsenter', 'unshare'], always: true, unless: HELP },
      {
        commands: ['swapon'],
        operand: true,
        any: /^(?:-a|--all)$/,
        unless: /^(?:-s|--summary|--show(?:=.*)?|-h|--help|-V|--version)$/,
      },
    ],
  },
  {
    id: 'machine.clock',
    reason: 'sets the system clock or time zone; ask the user',
    entries: [
      { commands: ['date'], any: /^(?:-s|--set(?:=.*)?|-s.+|\d{8,12}(?:\.\d\d)?)$/ },
      { commands: ['hwclock'], any: /^(?:--set|-w|--systohc|-s|--hctosys|--adjust|-a|--systz)$/ },
      { commands: ['timedatectl'], verb: /^set-/ },
    ],
  },
  {
    id: 'machine.service',
    reason: 'stops, disables or masks a system service, or kills its processes; ask the user',
    entries: [
      {
        commands: ['systemctl'],
        withArg: SYSTEMCTL_WITH_ARG,
        verb: /^(?:stop|disable|mask|kill)$/,
        unless: /^--user$/,
      },
      { commands: ['service'], pos: (p) => /^(?:stop|--full-restart)$/.test(p[1] ?? '') },
    ],
  },
  {
    id: 'disk.volume-remove',
    reason:
      'removes volumes, pools, RAID arrays, encryption headers or device mappings, destroying their data; ask the user',
    entries: [
      { commands: ['lvremove', 'vgremove', 'pvremove', 'lvreduce'], always: true, unless: HELP },
      { commands: ['zpool'], verb: /^(?:destroy|labelclear|remove|detach|offline|split)$/ },
      { commands: ['zfs'], verb: /^(?:destroy|rollback)$/ },
      { commands: ['mdadm'], any: /^(?:--stop|--remove|--fail|--zero-superblock|-S|-r|-f)$/ },
      {
        commands: ['cryptsetup'],
        verb: /^(?:luksErase|erase|luksKillSlot|luksRemoveKey|luksFormat|close|luksClose|reencrypt)$/,
      },
      { commands: ['losetup'], any: /^(?:-d|--detach|-D|--detach-all)$/ },
      { commands: ['dmsetup'], verb: /^(?:remove|remove_all|wipe_table|clear|reload|load|suspend)$/ },
      {
        commands: ['btrfs'],
        pos: (p) =>
          /^(?:s|su|sub|subv|subvolume|d|dev|device)/.test(p[0] ?? '') &&
          /^(?:delete|remove|del)$/.test(p[1] ?? ''),
      },
    ],
  },
];

function entryMatches(e: Entry, inv: Invocation): boolean {
  const vals = inv.args.map((a) => a.value ?? '');
  if (e.unless && vals.some((v) => e.unless!.test(v))) return false;
  if (e.always) return true;
  if (e.any && vals.some((v) => e.any!.test(v))) return true;
  if (e.verb || e.operand || e.pos) {
    const p = positionals(inv, e.withArg ?? []);
    if (e.operand && p.length > 0) return true;
    if (e.verb && e.verb.test(p[0] ?? '')) return true;
    if (e.pos && e.pos(p)) return true;
  }
  return false;
}

/** Files the system itself reads: accounts, PAM, sshd, mounts, the resolver, modules, boot. Not /etc/hosts. */
const SYSTEM_FILES =
  /^\/etc\/(?:passwd|group|shadow|gshadow|subuid|subgid|fstab|crypttab|resolv\.conf|nsswitch\.conf|hosts\.(?:allow|deny)|login\.defs|securetty|pam\.conf|pam\.d\/.+|security\/.+|ssh\/sshd_config(?:\.d\/.+)?|default\/grub|modprobe\.d\/.+|modules(?:-load\.d\/.+)?|sysctl\.conf|sysctl\.d\/.+|udev\/.+|ld\.so\.conf(?:\.d\/.+)?|ld\.so\.cache|apt\/sources\.list(?:\.d\/.+)?|yum\.repos\.d\/.+|selinux\/.+|apparmor(?:\.d)?\/.+|polkit-1\/.+|doas\.conf|machine-id|nftables\.conf|iptables\/.+|netplan\/.+|NetworkManager\/.+)$|^\/boot(?:\/|$)/;
/** Files a shell may append a line to (`… | sudo tee -a /etc/hosts`), but that a whole-file write replaces. */
const SYSTEM_REPLACED = /^\/etc\/(?:hosts|hostname|environment|sudo\.conf)$/;

/**
 * A file the system reads (accounts, name resolution, PAM, boot), for the file tools. `whole`: the tool replaces
 * the file (Write), which for /etc/hosts drops every mapping the machine had.
 */
export function isSystemFile(abs: string, whole: boolean): boolean {
  return SYSTEM_FILES.test(abs) || (whole && SYSTEM_REPLACED.test(abs));
}
const REMOVERS = new Set(['rm', 'unlink', 'shred', 'mv', 'truncate']);

/** Kernel interfaces a write to which changes the running machine. */
const KERNEL_FILES =
  /^\/proc\/(?:sysrq-trigger$|sys\/|kcore$)|^\/sys\/(?!fs\/cgroup\/)|^\/dev\/(?:mem|kmem|port)$/;

function tableRule(g: (typeof GROUPS)[number]): Rule {
  const byName = new Map<string, Entry[]>();
  for (const e of g.entries) for (const c of e.commands) byName.set(c, [...(byName.get(c) ?? []), e]);
  return {
    id: g.id,
    pack: g.id.split('.')[0]!,
    reason: g.reason,
    commands: [...byName.keys()],
    match: (inv) => {
      const entries = byName.get(inv.name);
      if (entries) for (const e of entries) if (entryMatches(e, inv)) return inv.display.slice(0, 80);
      return false;
    },
  };
}

export const machineRules: Rule[] = [
  ...GROUPS.map(tableRule),
  {
    id: 'machine.system-file',
    pack: 'machine',
    reason:
      'writes or deletes a kernel interface (sysrq, /proc/sys, /sys) or a file the system reads (accounts, PAM, sshd, fstab, boot); ask the user',
    // any command can write them (`echo b > /proc/sysrq-trigger`, `tee`, `dd of=`, `cp`, `sed -i`)
    match: (inv: Invocation, ctx: RuleContext) => {
      const writes = writesOf(inv, ctx);
      for (let i = 0; i < writes.length; i++) {
        const p = writes[i]!.path;
        if (KERNEL_FILES.test(p) || SYSTEM_FILES.test(p)) return `writes ${p}`;
      }
      if (!REMOVERS.has(inv.name)) return false;
      for (const a of operands(inv)) {
        const p = argPath(a, ctx);
        if (p !== null && SYSTEM_FILES.test(p)) return `${inv.name} ${p}`;
      }
      return false;
    },
  },
];
