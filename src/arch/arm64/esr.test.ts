import { describe, it, expect } from 'vitest';
import * as esr from './esr.ts';
import {
  ESR_ELx_EC, ESR_ELx_ISS, esrClassStr, esrGetClassString, esrBrkComment, esrIsDataAbort,
  ESR_ELx_EC_SHIFT, ESR_ELx_EC_MASK, ESR_ELx_IL, ESR_ELx_ISS_MASK, ESR_ELx_WNR, ESR_ELx_CM, ESR_ELx_S1PTW,
  ESR_ELx_EA, ESR_ELx_FnV, ESR_ELx_ISV, ESR_ELx_SAS, ESR_ELx_SSE, ESR_ELx_SRT_MASK, ESR_ELx_SF, ESR_ELx_AR,
  ESR_ELx_FSC, ESR_ELx_FSC_TYPE, ESR_ELx_FSC_LEVEL, ESR_ELx_FSC_FAULT, ESR_ELx_FSC_ACCESS, ESR_ELx_FSC_PERM,
  ESR_ELx_FSC_EXTABT, ESR_ELx_FSC_SERROR, ESR_ELx_FSC_ADDRSZ, ESR_ELx_FSC_FAULT_L, ESR_ELx_FSC_ADDRSZ_L,
  ESR_ELx_FSC_SEA_TTW, ESR_ELx_FSC_SECC_TTW, ESR_ELx_BRK64_ISS_COMMENT_MASK, ESR_ELx_xVC_IMM_MASK,
  ESR_ELx_FP_EXC_TFV, FPEXC_IOF, FPEXC_DZF, FPEXC_OFF, FPEXC_UFF, FPEXC_IXF,
  ESR_ELx_EC_DABT_LOW, ESR_ELx_EC_DABT_CUR, ESR_ELx_EC_IABT_LOW, ESR_ELx_EC_BRK64, ESR_ELx_EC_UNKNOWN,
  ESR_ELx_EC_SP_ALIGN, ESR_ELx_EC_PC_ALIGN, ESR_ELx_EC_ILL, ESR_ELx_EC_OTHER,
} from './esr.ts';

/** Builds an ESR the way syndrome code will: EC | IL | ISS, kept unsigned. */
const mk = (ec: number, iss: number) => ((ec << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | iss) >>> 0;

describe('ESR field constants (asm/esr.h)', () => {
  it('has the common field values', () => {
    expect(ESR_ELx_EC_SHIFT).toBe(26);
    expect(ESR_ELx_EC_MASK).toBe(0xfc000000);
    expect(ESR_ELx_IL).toBe(0x02000000);
    expect(ESR_ELx_ISS_MASK).toBe(0x01ffffff);
  });
  it('has the abort ISS bits', () => {
    expect([ESR_ELx_ISV, ESR_ELx_SAS, ESR_ELx_SSE, ESR_ELx_SRT_MASK, ESR_ELx_SF, ESR_ELx_AR])
      .toEqual([0x1000000, 0xc00000, 0x200000, 0x1f0000, 0x8000, 0x4000]);
    expect([ESR_ELx_FnV, ESR_ELx_EA, ESR_ELx_CM, ESR_ELx_S1PTW, ESR_ELx_WNR])
      .toEqual([0x400, 0x200, 0x100, 0x80, 0x40]);
  });
  it('has the fault status codes', () => {
    expect([ESR_ELx_FSC, ESR_ELx_FSC_TYPE, ESR_ELx_FSC_LEVEL]).toEqual([0x3f, 0x3c, 0x03]);
    expect([ESR_ELx_FSC_ADDRSZ, ESR_ELx_FSC_FAULT, ESR_ELx_FSC_ACCESS, ESR_ELx_FSC_PERM])
      .toEqual([0x00, 0x04, 0x08, 0x0c]);
    expect([ESR_ELx_FSC_EXTABT, ESR_ELx_FSC_SERROR]).toEqual([0x10, 0x11]);
    expect([-1, 0, 1, 2, 3].map(ESR_ELx_FSC_FAULT_L)).toEqual([0x2b, 0x04, 0x05, 0x06, 0x07]);
    expect([-1, 0, 3].map(ESR_ELx_FSC_ADDRSZ_L)).toEqual([0x25, 0x00, 0x03]);
    expect([-1, 3].map(ESR_ELx_FSC_SEA_TTW)).toEqual([0x13, 0x17]);
    expect([-1, 3].map(ESR_ELx_FSC_SECC_TTW)).toEqual([0x1b, 0x1f]);
  });
  it('has BRK, xVC and FP exception ISS bits', () => {
    expect(ESR_ELx_BRK64_ISS_COMMENT_MASK).toBe(0xffff);
    expect(ESR_ELx_xVC_IMM_MASK).toBe(0xffff);
    expect(ESR_ELx_FP_EXC_TFV).toBe(0x800000);
    expect([FPEXC_IOF, FPEXC_DZF, FPEXC_OFF, FPEXC_UFF, FPEXC_IXF]).toEqual([1, 2, 4, 8, 16]);
  });
});

describe('EC constants', () => {
  const ecs = Object.entries(esr).filter(([k, v]) =>
    /^ESR_ELx_EC_/.test(k) && typeof v === 'number' && !/_(SHIFT|WIDTH|MASK|MAX)$/.test(k));

  it('defines all 45 allocated classes, each unique and within 0..0x3f', () => {
    expect(ecs).toHaveLength(45);
    const values = ecs.map(([, v]) => v as number);
    expect(new Set(values).size).toBe(45);
    expect(values.every((v) => v >= 0 && v <= 0x3f)).toBe(true);
  });
  it('leaves exactly the unallocated holes of esr.h', () => {
    const values = new Set(ecs.map(([, v]) => v as number));
    const holes = [...Array(64).keys()].filter((i) => !values.has(i));
    expect(holes).toEqual([0x02, 0x0b, 0x0f, 0x10, 0x14, 0x1b, 0x1e, 0x23, 0x29, 0x2a, 0x2b, 0x2e,
      0x36, 0x37, 0x39, 0x3b, 0x3d, 0x3e, 0x3f]);
  });
});

describe('ESR_ELx_EC / ESR_ELx_ISS on synthesised values (kernel.md §1.5)', () => {
  it('decodes data aborts, BRK and the alignment faults', () => {
    expect(mk(ESR_ELx_EC_DABT_LOW, 0x07)).toBe(0x92000007);
    expect(mk(ESR_ELx_EC_DABT_LOW, ESR_ELx_WNR | 0x0f)).toBe(0x9200004f);
    expect(mk(ESR_ELx_EC_IABT_LOW, 0x0f)).toBe(0x8200000f);
    expect(mk(ESR_ELx_EC_BRK64, 0x3e8)).toBe(0xf20003e8);
    expect(mk(ESR_ELx_EC_UNKNOWN, 0)).toBe(0x02000000);
    expect(mk(ESR_ELx_EC_SP_ALIGN, 0)).toBe(0x9a000000);
    expect(mk(ESR_ELx_EC_PC_ALIGN, 0)).toBe(0x8a000000);
    expect(mk(ESR_ELx_EC_ILL, 0)).toBe(0x3a000000);
    expect(ESR_ELx_EC(0xf20003e8)).toBe(0x3c);
    expect(ESR_ELx_EC(0x92000047)).toBe(0x24);
    expect(ESR_ELx_ISS(0x92000047)).toBe(0x47);
    expect(esrBrkComment(0xf20003e8)).toBe(0x3e8);
  });
  it('is not fooled by a value that went negative through a 32-bit |', () => {
    expect(ESR_ELx_EC(0x92000007 | 0)).toBe(0x24);
    expect(esrIsDataAbort(mk(ESR_ELx_EC_DABT_CUR, 0))).toBe(true);
    expect(esrIsDataAbort(mk(ESR_ELx_EC_IABT_LOW, 0))).toBe(false);
  });
});

describe('esrClassStr (traps.c esr_class_str[])', () => {
  it('has 64 entries with UNRECOGNIZED EC in every hole', () => {
    expect(esrClassStr).toHaveLength(64);
    expect(esrClassStr.filter((s) => s === 'UNRECOGNIZED EC')).toHaveLength(20); // 19 holes + OTHER
    expect(esrClassStr[ESR_ELx_EC_OTHER]).toBe('UNRECOGNIZED EC');
    expect(esrClassStr[0x02]).toBe('UNRECOGNIZED EC');
    expect(esrClassStr[0x3f]).toBe('UNRECOGNIZED EC');
  });
  it('has the exact kernel strings', () => {
    expect(esrGetClassString(0x92000007)).toBe('DABT (lower EL)');
    expect(esrGetClassString(0x8200000f)).toBe('IABT (lower EL)');
    expect(esrGetClassString(0xf20003e8)).toBe('BRK (AArch64)');
    expect(esrGetClassString(0x02000000)).toBe('Unknown/Uncategorized');
    expect(esrGetClassString(0x9a000000)).toBe('SP Alignment');
    expect(esrGetClassString(0x8a000000)).toBe('PC Alignment');
    expect(esrGetClassString(0x3a000000)).toBe('PSTATE.IL');
    expect(esrClassStr[0x2c]).toBe('FP (AArch64)');
    expect(esrClassStr[0x2d]).toBe('Guarded Control Stack');
    expect(esrClassStr[0x1a]).toBe('ERET/ERETAA/ERETAB');
    expect(esrClassStr[0x32]).toBe('Software Step (lower EL)');
    expect(esrClassStr[0x3a]).toBe('Vector catch (AArch32)');
    expect(esrClassStr[0x18]).toBe('MSR/MRS (AArch64)');
    expect(esrClassStr[0x1f]).toBe('EL3 IMP DEF');
  });
  it('is frozen', () => {
    expect(Object.isFrozen(esrClassStr)).toBe(true);
  });
});
