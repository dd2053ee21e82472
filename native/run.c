// One native call per engine stop (Cpu.run in src/cpu/cpu.ts): write back the registers the host changed, run,
// fold the stop (exception, invalid access, alignment fault, count limit) into an exact count and pc, and read
// the registers back, all in one FFI call instead of one per register. See af.h for the hooks' state.
#include <stdint.h>
#include <string.h>
#include "af.h"

/* The register file Cpu keeps between stops, in this order (io[0..AF_NREGS-1]). */
#define AF_NREGS 37
static const int reg_ids[AF_NREGS] = {
    UC_ARM64_REG_X0 + 0, UC_ARM64_REG_X0 + 1, UC_ARM64_REG_X0 + 2, UC_ARM64_REG_X0 + 3, UC_ARM64_REG_X0 + 4,
    UC_ARM64_REG_X0 + 5, UC_ARM64_REG_X0 + 6, UC_ARM64_REG_X0 + 7, UC_ARM64_REG_X0 + 8, UC_ARM64_REG_X0 + 9,
    UC_ARM64_REG_X0 + 10, UC_ARM64_REG_X0 + 11, UC_ARM64_REG_X0 + 12, UC_ARM64_REG_X0 + 13, UC_ARM64_REG_X0 + 14,
    UC_ARM64_REG_X0 + 15, UC_ARM64_REG_X0 + 16, UC_ARM64_REG_X0 + 17, UC_ARM64_REG_X0 + 18, UC_ARM64_REG_X0 + 19,
    UC_ARM64_REG_X0 + 20, UC_ARM64_REG_X0 + 21, UC_ARM64_REG_X0 + 22, UC_ARM64_REG_X0 + 23, UC_ARM64_REG_X0 + 24,
    UC_ARM64_REG_X0 + 25, UC_ARM64_REG_X0 + 26, UC_ARM64_REG_X0 + 27, UC_ARM64_REG_X0 + 28,
    UC_ARM64_REG_X29, UC_ARM64_REG_X30, UC_ARM64_REG_SP, UC_ARM64_REG_PC, UC_ARM64_REG_NZCV,
    UC_ARM64_REG_FPSR, UC_ARM64_REG_FPCR, UC_ARM64_REG_TPIDR_EL0,
};
#define R_PC 32
/* io[] after the registers */
enum {
    IO_DIRTY = AF_NREGS, /* in: bit i set = write register i before running */
    IO_LIMIT,            /* in: absolute count to stop at (counted modes) */
    IO_ERR,              /* out: uc_emu_start's error */
    IO_PENDING,          /* out: AF_PENDING_* */
    IO_CODE,             /* out: intno, or the UC_MEM_* type */
    IO_ADDR,             /* out: the invalid access's address */
    IO_SIZE,             /* out: its size */
    IO_FAULT,            /* out: af_take_fault() */
    IO_ICOUNT,           /* out: instructions retired */
    IO_PC,               /* out: the pc of the stop (see Cpu.run) */
    IO_CODE_AT,          /* out: where IO_WORDS were read (the faulting instruction's pc as Cpu.run reports it) */
    IO_CODE_LEN,         /* out: how many of their bytes are valid: 16, or 0 (a svc or limit stop; unreadable) */
    IO_WORDS,            /* out: 16 bytes of code from IO_CODE_AT, which the kernel path decodes (the ESR) */
    IO_VREGS_OK = IO_WORDS + 2, /* out: 1 when IO_VREGS holds v0..v31 (a memory fault: its signal frame saves them) */
    IO_VREGS,            /* out: v0..v31, 16 bytes each */
    IO_LEN = IO_VREGS + 64
};

/* io[]'s length in u64s: Cpu checks it against its own (a helper built from older sources has another) */
int af_io_len(void) { return IO_LEN; }

/* Writes the registers whose bit is set in mask (bit 0 = x0 … see reg_ids); returns the first error. */
int af_regs_write(uc_engine *uc, const uint64_t *regs, uint64_t mask)
{
    for (int i = 0; i < AF_NREGS; i++) {
        if (!(mask >> i & 1)) continue;
        int err = uc_reg_write(uc, reg_ids[i], &regs[i]);
        if (err) return err;
    }
    return 0;
}

void af_regs_read(uc_engine *uc, uint64_t *regs)
{
    for (int i = 0; i < AF_NREGS; i++) {
        regs[i] = 0;
        uc_reg_read(uc, reg_ids[i], &regs[i]);
    }
}

/* v0..v31, 16 bytes each */
void af_vregs_read(uc_engine *uc, uint8_t *out)
{
    for (int i = 0; i < 32; i++) uc_reg_read(uc, UC_ARM64_REG_Q0 + i, out + 16 * i);
}

int af_vregs_write(uc_engine *uc, const uint8_t *in)
{
    for (int i = 0; i < 32; i++) {
        int err = uc_reg_write(uc, UC_ARM64_REG_Q0 + i, in + 16 * i);
        if (err) return err;
    }
    return 0;
}

static void remove_tb(uc_engine *uc, uint64_t address)
{
    uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), address, address + 4);
}

#define END 0xfffffffffffffffcull /* an `until` no EL0 pc can reach */

/* Runs from io[R_PC] until something stops the engine; returns uc_emu_start's error (also in io[IO_ERR]). */
int af_run(uc_engine *uc, struct icount *c, uint64_t *io)
{
    int err = af_regs_write(uc, io, io[IO_DIRTY]);
    if (err) return err;
    c->limit = c->mode == AF_COUNT_NONE ? UINT64_MAX : io[IO_LIMIT];
    c->pending = AF_PENDING_NONE;
    uint64_t pc = io[R_PC];
    tlb_before_run(uc, c);
    af_running(uc);
    for (;;) {
        if (af_interrupted()) break; /* caught while the host ran: do not start */
        if (c->mode == AF_COUNT_BLOCK && (c->want_insn_mode || c->sp_watch)) af_count_insn_mode(uc, c);
        c->partial = 0;
        c->partial_k = 0;
        c->blk_start = pc;
        c->blk_base = c->retired;
        err = uc_emu_start(uc, pc, END, 0, 0);
        if (c->mode != AF_COUNT_BLOCK || c->pending || c->sp_fault || c->align_fault) break;
        if (c->want_insn_mode) { /* stopped before an SP site with a misaligned SP */
            uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
            af_block_fixup(uc, c, pc, 0);
            continue;
        }
        if (c->partial) { /* the limit is partial_k instructions into the block at partial_at: run just those */
            uint64_t at = c->partial_at, k = c->partial_k;
            c->partial = 0;
            remove_tb(uc, at);
            err = uc_emu_start(uc, at, at + 4 * k, 0, 0);
            remove_tb(uc, at); /* that block ends at the exit: translate it whole next time */
            if (!c->pending && c->want_insn_mode) {
                uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
                af_block_fixup(uc, c, pc, 0);
                continue;
            }
        }
        break;
    }
    af_running(0);
    uint64_t fault = af_take_fault_peek(c);
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    if (fault) {
        pc = fault & ((1ull << 62) - 1);
        if (c->mode == AF_COUNT_BLOCK) af_block_fixup(uc, c, pc, 0);
    } else if (c->pending == AF_PENDING_MEM && c->mem_type != UC_MEM_FETCH_UNMAPPED && c->mem_type != UC_MEM_FETCH_PROT) {
        /* the faulting load/store did not retire */
        if (c->mode == AF_COUNT_BLOCK) af_block_fixup(uc, c, pc, 0);
        else if (c->mode == AF_COUNT_INSN) {
            pc = c->pc;
            if (c->retired > 0) c->retired--;
        }
    } else if (c->pending == AF_PENDING_INTR) {
        /* svc completed (pc is past it); every other exception leaves its instruction un-retired */
        if (c->mode == AF_COUNT_BLOCK) af_block_fixup(uc, c, pc, 0);
        else if (c->mode == AF_COUNT_INSN && c->intno != EXCP_SWI && c->retired > 0) c->retired--;
    }
    if (fault) uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
    af_regs_read(uc, io);
    io[IO_ERR] = (uint64_t)err;
    io[IO_PENDING] = (uint64_t)c->pending;
    io[IO_CODE] = c->pending == AF_PENDING_INTR ? c->intno : (uint64_t)c->mem_type;
    io[IO_ADDR] = c->mem_addr;
    io[IO_SIZE] = (uint64_t)c->mem_size;
    io[IO_FAULT] = af_take_fault(c);
    io[IO_ICOUNT] = c->retired;
    io[IO_PC] = pc;
    /* the code at the exception's pc, read here rather than in another FFI call: a fault's ESR decodes it */
    io[IO_CODE_LEN] = 0;
    if (fault || c->pending == AF_PENDING_MEM || (c->pending == AF_PENDING_INTR && c->intno != EXCP_SWI)) {
        uint64_t at = c->pending == AF_PENDING_MEM && c->mode != AF_COUNT_NONE ? pc : io[R_PC];
        io[IO_CODE_AT] = at;
        if (af_read(uc, c, at, &io[IO_WORDS], 16) == 0) io[IO_CODE_LEN] = 16;
    }
    /* a memory fault most often delivers a signal, whose frame saves the FP/SIMD registers: read them here too */
    io[IO_VREGS_OK] = 0;
    if (fault || c->pending == AF_PENDING_MEM) {
        af_vregs_read(uc, (uint8_t *)&io[IO_VREGS]);
        io[IO_VREGS_OK] = 1;
    }
    return err;
}

/* A stop the host's own hook made (a breakpoint) before the instruction at pc: that instruction did not run. */
void af_stopped_before(uc_engine *uc, struct icount *c, uint64_t pc)
{
    if (c->mode == AF_COUNT_BLOCK) af_block_fixup(uc, c, pc, 0);
    else if (c->mode == AF_COUNT_INSN && c->retired > 0) c->retired--;
}
