// vFile: gdb reads the target's files through the stub (its default sysroot is "target:"), as gdbserver serves
// them: the executable, the libraries and /proc/PID/maps (which gdb reads for the vDSO's range). Paths are the
// guest's, resolved inside --root and --sysroot as the process's own opens are; without this gdb would open the
// same paths on the host (its /proc/1000/maps is some other process's). Read-only: there is no vFile:pwrite.
import * as fs from 'node:fs';
import { openExecOverlay } from '../fs/sysroot.ts';
import { procPidMaps } from '../fs/proc/task_mmu.ts';
import type { Machine } from '../machine.ts';

const ENOENT = 2, EBADF = 9, EROFS = 30;

/** struct fio_stat of gdb's File-I/O protocol: big-endian, 64 bytes; only the size and mode matter to gdb. */
function fioStat(size: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0o100444, 8); //     st_mode: a regular file
  b.writeUInt32BE(1, 12); //          st_nlink
  b.writeBigUInt64BE(BigInt(size), 28);
  b.writeBigUInt64BE(4096n, 36); //   st_blksize
  b.writeBigUInt64BE(BigInt(Math.ceil(size / 512)), 44);
  return b;
}

export class HostIo {
  private readonly files = new Map<number, Buffer>();
  private next = 3;

  constructor(private readonly m: Machine) {}

  /** The contents gdb may read at a guest path, or an errno. */
  private contents(path: string): Buffer | number {
    const t = this.m.task;
    const proc = new RegExp(`^/proc/(${t.pid}|self)(/task/${t.tid})?/maps$`);
    if (proc.test(path)) return Buffer.from(procPidMaps(this.m.mm));
    if (path === t.exePath) return fs.readFileSync(this.m.programPath);
    const r = openExecOverlay(this.m.sys.root, this.m.sys.sysroot, path);
    return typeof r === 'number' ? -r : r.data;
  }

  /** The reply to a vFile packet, or null when it is not one we know (the empty reply: unsupported). */
  handle(t: string): string | Buffer | null {
    const m = /^vFile:([a-z]+):(.*)$/.exec(t);
    if (!m) return null;
    const args = m[2].split(',');
    switch (m[1]) {
      case 'setfs': return 'F0'; // one process, one mount namespace
      case 'open': {
        if (parseInt(args[1], 16) & 3) return `F-1,${EROFS.toString(16)}`; // O_WRONLY / O_RDWR
        const c = this.contents(Buffer.from(args[0], 'hex').toString());
        if (typeof c === 'number') return `F-1,${(c || ENOENT).toString(16)}`;
        this.files.set(this.next, c);
        return `F${(this.next++).toString(16)}`;
      }
      case 'pread': {
        const f = this.files.get(parseInt(args[0], 16));
        if (!f) return `F-1,${EBADF.toString(16)}`;
        const off = parseInt(args[2], 16);
        const part = f.subarray(off, off + parseInt(args[1], 16));
        return Buffer.concat([Buffer.from(`F${part.length.toString(16)};`), part]);
      }
      case 'fstat': {
        const f = this.files.get(parseInt(args[0], 16));
        if (!f) return `F-1,${EBADF.toString(16)}`;
        return Buffer.concat([Buffer.from('F40;'), fioStat(f.length)]);
      }
      case 'close': return this.files.delete(parseInt(args[0], 16)) ? 'F0' : `F-1,${EBADF.toString(16)}`;
      default: return ''; // readlink, unlink, pwrite: unsupported
    }
  }
}
