import { describe, it, expect } from 'vitest';
import { combinations, firstClause, formatMatrix, runMatrix, matrixMain } from './matrix.ts';

describe('matrix', () => {
  it('combinations: the first axis varies slowest', () => {
    expect(combinations([['a', ['1', '2']], ['b', ['x', 'y']]])).toEqual([{ a: '1', b: 'x' }, { a: '1', b: 'y' }, { a: '2', b: 'x' }, { a: '2', b: 'y' }]);
  });

  it('firstClause', () => {
    expect(firstClause('RLIMIT_CORE is 0 (ulimit -c 0): a core file needs at least 4096 bytes')).toBe('RLIMIT_CORE is 0 (ulimit -c 0)');
    expect(firstClause('a. b')).toBe('a');
  });

  it('rlimit-core × core-pattern for a NULL dereference', () => {
    const rows = runMatrix('segv_maperr_null', [['rlimit-core', ['0', 'unlimited']], ['core-pattern', ['core', 'nodir/core']]]);
    expect(rows.map((r) => [r.settings['rlimit-core'], r.settings['core-pattern'], r.outcome, r.signal, r.core.replace(/\d+ bytes/, 'N bytes')])).toEqual([
      ['0', 'core', 'killed by SIGSEGV', 'SIGSEGV SEGV_MAPERR', 'no: RLIMIT_CORE is 0 (ulimit -c 0)'],
      ['0', 'nodir/core', 'killed by SIGSEGV', 'SIGSEGV SEGV_MAPERR', 'no: RLIMIT_CORE is 0 (ulimit -c 0)'],
      ['unlimited', 'core', 'killed by SIGSEGV', 'SIGSEGV SEGV_MAPERR', 'dumped (N bytes)'],
      ['unlimited', 'nodir/core', 'killed by SIGSEGV', 'SIGSEGV SEGV_MAPERR', 'no: the core file nodir/core could not be created (ENOENT)'],
    ]);
    expect(formatMatrix(rows.slice(0, 1), 'csv')).toBe('rlimit-core,core-pattern,outcome,signal,core\n0,core,killed by SIGSEGV,SIGSEGV SEGV_MAPERR,no: RLIMIT_CORE is 0 (ulimit -c 0)');
    expect(formatMatrix(rows.slice(0, 1), 'markdown').split('\n')[1]).toBe('| --- | --- | --- | --- | --- |');
  });

  it('matrixMain rejects an unknown key before running anything', async () => {
    expect(await matrixMain(['exit42', '--vary', 'rlimit-cor=0'])).toBe(1);
  });
});
