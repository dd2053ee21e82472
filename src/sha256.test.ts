import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { sha256 } from './sha256.ts';

describe('sha256', () => {
  it('gives node:crypto\'s digest for every length across the padding boundaries, and for parts', () => {
    for (let n = 0; n <= 200; n++) {
      const msg = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(sha256(msg).toString('hex'), `length ${n}`).toBe(createHash('sha256').update(msg).digest('hex'));
    }
    // FIPS 180-4's example "abc"
    expect(sha256('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const seed = createHash('sha256').update('arm64-fault seed 0').digest();
    expect(sha256(seed, '17').equals(createHash('sha256').update(seed).update('17').digest())).toBe(true);
    expect(sha256('é€😀').equals(createHash('sha256').update('é€😀').digest())).toBe(true);
  });
});
