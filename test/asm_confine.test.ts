// Inline assembly (scenario files, createMachine({ asm })) cannot read host files.
import { describe, it, expect } from 'vitest';
import { createMachine } from '../src/index.ts';

const tryAsm = (asm: string): string => {
  try {
    createMachine({ asm, root: '/tmp' }).run();
    return 'assembled';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('inline assembly and host files', () => {
  it.each([
    ['.incbin "/etc/hostname"', '.incbin "/etc/hostname" names a host path'],
    ['.incbin "../../../../etc/hostname"', '.incbin "../../../../etc/hostname" names a host path'],
    ['.incbin "\\057etc\\057hostname"', 'names a host path'],
    ['.include "/etc/passwd"', '.include "/etc/passwd" names a host path'],
    ['.incbin /etc/hostname', '.incbin /etc/hostname names a host path'],
    ['.macro m a\n.inc\\()\\a "/etc/hostname"\n.endm\nm bin', 'macro concatenation'],
  ])('%s is refused before the assembler runs', (asm, why) => {
    const msg = tryAsm(asm);
    expect(msg).toContain(why);
    expect(msg).toContain('inline assembly cannot read files outside its own text');
  });

  it('a relative .incbin finds nothing: the assembler runs in a private, empty directory', () => {
    expect(tryAsm('.incbin "package.json"')).toMatch(/program\.asm does not assemble: [^]*file not found: package\.json/);
  });

  it('ordinary assembly still assembles and runs', () => {
    expect(tryAsm('mov x0, #7\nmov x8, #93\nsvc #0')).toBe('assembled');
  });
});
