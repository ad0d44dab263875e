/** Pack `disk`: formatting, partitioning and writing raw block devices. */
import { argPath, operands } from './args.js';
import { isWithin } from '../paths.js';

/** mkfs options that take a value (ext*, xfs, vfat, btrfs and the mkfs front end). */
const MKFS_WITH_ARG =
  '-t -L -b -N -O -E -T -U -m -i -I -J -G -g -C -c -d -l -n -r -s -F -S -M -R -f -D -a -h -v -e -o -p -q -z'
    .split(' ')
    .filter((o) => !['-F', '-f', '-q', '-v', '-c', '-C', '-n'].includes(o));
import type { Rule } from './types.js';
import { writeTargets as codeWriteTargets } from '../code-writes.js';

/** Block devices (not /dev/null, /dev/zero, /dev/stdout, ttys, …). */
export const BLOCK_DEVICE =
  /^\/dev\/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|dm-\d|md\d|loop\d|nbd\d|rbd\d|zram\d|sr\d|mapper\/|disk\/|root$|mem$|kmem$|port$)/;

export const diskRules: Rule[] = [
  {
    id: 'disk.mkfs',
    pack: 'disk',
    reason: 'formats a file system, erasing what is on it; ask the user',
    match: (inv, ctx) => {
      if (!/^(?:mkfs(?:\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs)$/.test(inv.name)) return false;
      // an image file in the workspace is fine (`mkfs.ext4 ./disk.img`); a device, or anything unknown, is not
      const ops = operands(inv, MKFS_WITH_ARG);
      if (ops.length === 0) return true;
      for (const a of ops) {
        if (a.value === null || a.value.startsWith('/dev/')) return `target ${a.text}`;
        if (/^[0-9]+[kKmMgG]?$/.test(a.value)) continue; // a block count
        const abs = argPath(a, ctx);
        if (
          abs === null ||
          abs.startsWith('/dev/') ||
          !(isWithin(abs, ctx.workspace) || /^\/(?:tmp|var\/tmp)\//.test(abs))
        )
          return `target ${a.text}`;
      }
      return false;
    },
  },
  {
    id: 'disk.partition',
    pack: 'disk',
    reason: 'changes partition tables or wipes signatures; ask the user',
    commands: [
      'fdisk',
      'sfdisk',
      'cfdisk',
      'gdisk',
      'sgdisk',
      'cgdisk',
      'parted',
      'wipefs',
      'blkdiscard',
      'partprobe',
      'kpartx',
    ],
    match: (inv) => {
      const v = inv.args.map((a) => a.value ?? '');
      if (
        inv.name === 'fdisk' ||
        inv.name === 'sfdisk' ||
        inv.name === 'parted' ||
        inv.name === 'gdisk' ||
        inv.name === 'sgdisk'
      ) {
        if (
          v.some(
            (x) =>
              x === '-l' ||
              x === '--list' ||
              x === 'print' ||
              x === '-p' ||
              x === '--print' ||
              x === '-d' ||
              x === '--dump',
          )
        )
          return false;
      }
      if (inv.name === 'wipefs')
        return (
          v.some((x) => /^-(?:[a-zA-Z]*a|o)|^--(?:all|offset)/.test(x)) &&
          !v.some((x) => x === '-n' || x === '--no-act')
        );
      if (inv.name === 'partprobe') return false;
      return operands(inv).length > 0 || inv.name === 'cfdisk';
    },
  },
  {
    id: 'disk.dd-device',
    pack: 'disk',
    reason: 'dd writes straight to a block device, destroying its contents; ask the user',
    commands: ['dd'],
    match: (inv) =>
      inv.args.some(
        (a) => a.value !== null && a.value.startsWith('of=') && BLOCK_DEVICE.test(a.value.slice(3)),
      ),
  },
  {
    id: 'disk.write-device',
    pack: 'disk',
    reason: 'writes straight to a block device, destroying its contents; ask the user',
    match: (inv) => {
      for (const r of inv.redirs) {
        if ((r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>' || r.op === '<>') && r.target) {
          const t = r.target.parts.map((p) => (p.k === 'lit' ? p.v : '')).join('');
          if (BLOCK_DEVICE.test(t)) return `redirect to ${t}`;
        }
      }
      if (inv.name === 'tee' || inv.name === 'cp' || inv.name === 'cat' || inv.name === 'pv') {
        const ops = operands(inv);
        const dst = inv.name === 'tee' ? ops : inv.name === 'cp' ? ops.slice(-1) : [];
        const hit = dst.find((a) => BLOCK_DEVICE.test(a.value ?? ''));
        if (hit) return `writes ${hit.text}`;
      }
      // inline code opening a device for writing: `open('/dev/sda', 'wb')`, `fs.writeFileSync('/dev/sda', …)`
      if (inv.code?.text) {
        const dev = codeWriteTargets(inv.code.text).find((t) => BLOCK_DEVICE.test(t));
        if (dev) return `${inv.name} writes ${dev}`;
      }
      return false;
    },
  },
];
