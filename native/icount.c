// Exact instruction counting for arm64-fault: a UC_HOOK_CODE callback in C, so that counting costs one
// native call per instruction instead of a JS callback. Unicorn calls the hook before each instruction;
// when the budget is reached we stop the engine *before* that instruction runs, as Unicorn's own
// count hook does (unicorn uc.c hook_count_cb).
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

typedef struct uc_struct uc_engine;
extern int uc_hook_add(uc_engine *uc, size_t *hh, int type, void *callback, void *user_data,
                       uint64_t begin, uint64_t end, ...);
extern int uc_hook_del(uc_engine *uc, size_t hh);
extern int uc_emu_stop(uc_engine *uc);
extern int uc_reg_read(uc_engine *uc, int regid, void *value);
extern int uc_mem_read(uc_engine *uc, uint64_t address, void *bytes, size_t size);

#define UC_HOOK_CODE (1 << 2)
#define UC_ARM64_REG_SP 4

struct icount {
    uint64_t retired;  /* instructions that completed */
    uint64_t limit;    /* stop before the instruction that would make retired exceed this */
    uint64_t pc;       /* address of the last instruction the hook saw (the one about to run) */
    size_t hook;
    /* SP alignment (Linux runs EL0 with SCTLR_EL1.SA0 = 1; QEMU never checks it). While sp_watch is set the
     * counting hook checks every instruction: a load/store whose base register is a misaligned SP stops the
     * engine before it runs, with sp_fault_pc set. sp_watch is raised by the hooks on the instructions that
     * follow an SP write which can misalign it, and by the host whenever it writes a misaligned SP. */
    int sp_watch;
    int sp_fault;
    uint64_t sp_fault_pc;
    int align_fault;
    uint64_t align_fault_pc;
    /* Instructions that need a check before they run, as an open-addressing set of (address | kind).
     * One hook for everything: Unicorn walks every UC_HOOK_CODE hook for every instruction, so per-site hooks
     * would multiply the cost of counting by their number. */
    uint64_t *sites;
    size_t nsites, cap;
};

#define SITE_SP 1   /* the instruction after an SP write that can misalign SP */
#define SITE_EXCL 2 /* a store-exclusive */

static size_t site_slot(const struct icount *c, uint64_t address)
{
    size_t i = (size_t)((address >> 2) * 0x9E3779B97F4A7C15ull) & (c->cap - 1);
    while (c->sites[i] && (c->sites[i] & ~3ull) != address) i = (i + 1) & (c->cap - 1);
    return i;
}

static int site_kind(const struct icount *c, uint64_t address)
{
    if (!c->nsites) return 0;
    return (int)(c->sites[site_slot(c, address)] & 3);
}

static int site_add(struct icount *c, uint64_t address, int kind)
{
    if ((c->nsites + 1) * 2 > c->cap) {
        size_t old = c->cap;
        uint64_t *prev = c->sites;
        c->cap = old ? old * 2 : 1024;
        c->sites = calloc(c->cap, sizeof(uint64_t));
        if (!c->sites) return -1;
        for (size_t i = 0; i < old; i++)
            if (prev[i]) c->sites[site_slot(c, prev[i] & ~3ull)] = prev[i];
        free(prev);
    }
    size_t i = site_slot(c, address);
    if (!c->sites[i]) c->nsites++;
    c->sites[i] = address | (uint64_t)kind;
    return 0;
}

/* A64 loads and stores (op0 x1x0) with a base register field Rn = 31, which means SP there; literal loads
 * (no base register) and PRFM (CheckSPAlignment is skipped for prefetches) excluded. */
static int ldst_sp_base(uint32_t insn)
{
    if ((insn & 0x0a000000) != 0x08000000) return 0;
    if ((insn & 0x3b000000) == 0x18000000) return 0;           /* load register (literal) */
    if ((insn & 0xffc00000) == 0xf9800000) return 0;           /* PRFM (immediate) */
    if ((insn & 0xffe00c00) == 0xf8a00800) return 0;           /* PRFM (register) */
    if ((insn & 0xffe00c00) == 0xf8800000) return 0;           /* PRFUM */
    return ((insn >> 5) & 31) == 31;
}

static int excl_check(uc_engine *uc, struct icount *c, uint64_t address);

/* Returns 1 when the instruction at address must take an SP alignment fault. */
static int sp_check(uc_engine *uc, struct icount *c, uint64_t address)
{
    uint64_t sp = 0;
    uint32_t insn = 0;
    uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
    if ((sp & 15) == 0) {
        c->sp_watch = 0;
        return 0;
    }
    c->sp_watch = 1;
    if (uc_mem_read(uc, address, &insn, 4) != 0 || !ldst_sp_base(insn)) return 0;
    c->sp_fault = 1;
    c->sp_fault_pc = address;
    uc_emu_stop(uc);
    return 1;
}

static void count_cb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct icount *c = user;
    (void)size;
    if (c->retired >= c->limit) {
        uc_emu_stop(uc);
        return;
    }
    if (c->sp_watch && sp_check(uc, c, address)) return;
    switch (site_kind(c, address)) {
    case SITE_SP:
        if (!c->sp_watch && sp_check(uc, c, address)) return;
        break;
    case SITE_EXCL:
        if (excl_check(uc, c, address)) return;
        break;
    }
    c->pc = address;
    c->retired++;
}

int af_sp_site(uc_engine *uc, struct icount *c, uint64_t address)
{
    (void)uc;
    return site_add(c, address, SITE_SP);
}

/* Store-exclusives (STXR/STLXR/STXP/STLXP) must be naturally aligned (pairs: to their total size) whatever the
 * exclusive monitor says; QEMU checks the monitor first and so never faults. */
static int excl_check(uc_engine *uc, struct icount *c, uint64_t address)
{
    uint32_t insn = 0;
    uint64_t base = 0;
    if (uc_mem_read(uc, address, &insn, 4) != 0) return 0;
    if ((insn & 0x3f400000) != 0x08000000 || (insn & (1u << 23))) return 0;
    unsigned rn = (insn >> 5) & 31;
    int reg = rn == 31 ? UC_ARM64_REG_SP : rn == 29 ? 1 : rn == 30 ? 2 : 199 + (int)rn;
    uint64_t align = (1ull << (insn >> 30)) << ((insn >> 21) & 1);
    uc_reg_read(uc, reg, &base);
    if ((base & (align - 1)) == 0) return 0;
    c->align_fault = 1;
    c->align_fault_pc = address;
    uc_emu_stop(uc);
    return 1;
}

int af_align_site(uc_engine *uc, struct icount *c, uint64_t address)
{
    (void)uc;
    return site_add(c, address, SITE_EXCL);
}


void af_sp_watch(struct icount *c, int on) { c->sp_watch = on; }
/* Returns and clears the alignment fault that stopped the engine, in one call per stop: 0 when there is none,
 * else its pc (user pcs are below 2^48) with the kind in bits 63:62, AF_FAULT_SP or AF_FAULT_EXCL. */
#define AF_FAULT_SP   (1ull << 62)
#define AF_FAULT_EXCL (2ull << 62)
uint64_t af_take_fault(struct icount *c)
{
    uint64_t v = c->sp_fault ? (c->sp_fault_pc | AF_FAULT_SP) : c->align_fault ? (c->align_fault_pc | AF_FAULT_EXCL) : 0;
    c->sp_fault = c->align_fault = 0;
    return v;
}

struct icount *af_icount_new(uc_engine *uc)
{
    struct icount *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->limit = UINT64_MAX;
    if (uc_hook_add(uc, &c->hook, UC_HOOK_CODE, (void *)count_cb, c, 1, 0) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void af_icount_free(uc_engine *uc, struct icount *c)
{
    uc_hook_del(uc, c->hook);
    free(c->sites);
    free(c);
}

uint64_t af_icount_get(struct icount *c) { return c->retired; }
void af_icount_set(struct icount *c, uint64_t v) { c->retired = v; }
void af_icount_limit(struct icount *c, uint64_t limit) { c->limit = limit; }
uint64_t af_icount_pc(struct icount *c) { return c->pc; }
