// Issue 13 item 5: Linux's vm.max_map_count (65,530) VMAs without a host crash (the engine keeps a few regions
// and translates pages itself: native/tlb.c, pmem.c), ENOMEM where Linux gives it, protections still exact.
import { describe, it, expect } from 'vitest';
import { Cpu } from '../src/cpu/cpu.ts';
import { run } from './helpers.ts';

describe('vm.max_map_count', () => {
  it('65,531 VMAs (do_mmap refuses once map_count > 65,530), every one usable; splits and brk at the limit', () => {
    const { report } = run('max_map_count');
    expect(report.stdout.split('\n').slice(1)).toEqual([
      'three pages at the limit: ok',
      'munmap of the middle page: Cannot allocate memory', // vms_gather_munmap_vmas: split in three, count >= max
      'mprotect of the middle page: Cannot allocate memory', // split_vma: count >= max
      'munmap of the first page: ok', // a split that frees: the count may pass the limit for it
      'brk: Cannot allocate memory', // do_brk_flags: count > max
      'brk two mappings below: ok',
      'mappings now: 65529',
      '',
    ]);
    const first = /^mapped (\d+) more, (\d+) in all; the next mmap: (.*); touched all: (.*)$/.exec(report.stdout.split('\n')[0]);
    expect(first?.slice(2)).toEqual(['65531', 'Cannot allocate memory', 'ok']);
    expect(report.exit.code).toBe(0);
  }, 300_000);

  it('a write to /proc/sys/vm/max_map_count is the limit from then on (sysctl_max_map_count is global)', () => {
    const { report } = run('max_map_count', { uid: 0, gid: 0, argv: ['max_map_count', '70000', '100'] });
    expect(report.stdout).toBe('mapped 94 more, 101 in all; the next mmap: Cannot allocate memory; touched all: ok\n');
  });
});

describe('guest memory in few engine regions', () => {
  it('thousands of mappings with alternating permissions use one engine region and keep their own permissions', () => {
    const cpu = new Cpu({ countInsns: false });
    try {
      for (let i = 0n; i < 5000n; i++) cpu.map(0x10000000n + i * 0x2000n, 0x1000n, i & 1n ? 3 : 1);
      expect(cpu.engineRegions).toBe(1);
      expect(cpu.write(0x10002000n, Buffer.from('abc'))).toBe(true); // the host writes whatever the permissions
      expect(cpu.read(0x10002000n, 3)?.toString()).toBe('abc');
      expect(cpu.read(0x10001000n, 1)).toBeNull(); // the hole between two mappings
      cpu.unmap(0x10002000n, 0x1000n);
      cpu.map(0x10002000n, 0x1000n, 3);
      expect(cpu.read(0x10002000n, 3)).toEqual(Buffer.alloc(3)); // a new mapping reads zero, not the old bytes
    } finally {
      cpu.close();
    }
  });

  it('copyMemoryFrom gives a second engine the same mappings and bytes (fork)', () => {
    const parent = new Cpu({ countInsns: false });
    const child = new Cpu({ countInsns: false });
    try {
      parent.map(0x400000n, 0x3000n, 5);
      parent.map(0x7f0000000000n, 0x10000n, 3);
      parent.write(0x400000n, Buffer.from('code'));
      parent.write(0x7f000000fff0n, Buffer.from('stack top'));
      expect(child.copyMemoryFrom(parent)).toBe(true);
      expect(child.read(0x400000n, 4)?.toString()).toBe('code');
      expect(child.read(0x7f000000fff0n, 9)?.toString()).toBe('stack top');
      child.write(0x7f000000fff0n, Buffer.from('child'));
      expect(parent.read(0x7f000000fff0n, 5)?.toString()).toBe('stack'); // two copies, not one shared
      expect(child.read(0x403000n, 1)).toBeNull();
    } finally {
      parent.close();
      child.close();
    }
  });
});
