// Exact instruction counting for arm64-fault, in C so that counting never calls into JS. Two schemes:
//  - per block (AF_COUNT_BLOCK, Unicorn >= 2.1): a UC_HOOK_BLOCK callback adds the block's instruction count;
//    a stop inside a block recovers the position from the exact pc Unicorn 2.1 restores at faults and
//    exceptions (count = count before the block + (pc - block start) / 4). A limit inside a block is reached by
//    re-running that block with Unicorn's `until` exit at the limit (run.c). The alignment checks are code
//    hooks on their sites only; a misaligned SP switches to the per-instruction scheme for the rest of the run.
//  - per instruction (AF_COUNT_INSN, Debian's 2.0.1, whose fault pcs are block starts): a UC_HOOK_CODE
//    callback before each instruction; when the budget is reached it stops the engine *before* that
//    instruction runs, as Unicorn's own count hook does (unicorn uc.c hook_count_cb).
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include "af.h"

/* site kinds, a bit mask: one instruction can be both */
#define SITE_SP 1    /* the instruction after an SP write that can misalign SP */
#define SITE_ALIGN 2 /* an access whose natural alignment the engine does not check (arch/arm64/align.ts) */

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

/* adds kind to the site at address; an alignment site also sets its check argument */
static int site_add(struct icount *c, uint64_t address, int kind, uint64_t arg)
{
    if ((c->nsites + 1) * 2 > c->cap) {
        size_t old = c->cap;
        uint64_t *prev = c->sites;
        uint64_t *prev_args = c->site_args;
        c->cap = old ? old * 2 : 1024;
        c->sites = calloc(c->cap, sizeof(uint64_t));
        c->site_args = calloc(c->cap, sizeof(uint64_t));
        if (!c->sites || !c->site_args) return -1;
        for (size_t i = 0; i < old; i++) {
            if (!prev[i]) continue;
            size_t j = site_slot(c, prev[i] & ~3ull);
            c->sites[j] = prev[i];
            c->site_args[j] = prev_args[i];
        }
        free(prev);
        free(prev_args);
    }
    size_t i = site_slot(c, address);
    if (!c->sites[i]) c->nsites++;
    c->sites[i] = address | (c->sites[i] & 3ull) | (uint64_t)kind;
    if (kind == SITE_ALIGN) c->site_args[i] = arg;
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

static int align_check(uc_engine *uc, struct icount *c, uint64_t address);

/* Returns 1 when the instruction at address must take an SP alignment fault. While SP is misaligned the
 * per-instruction hook checks every instruction (sp_watch); an aligned SP ends that. */
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
    if (af_read(uc, c, address, &insn, 4) != 0 || !ldst_sp_base(insn)) return 0;
    c->sp_fault = 1;
    c->sp_fault_pc = address;
    uc_emu_stop(uc);
    return 1;
}

/* per-instruction scheme: before every instruction */
static void count_cb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct icount *c = user;
    (void)size;
    if (c->retired >= c->limit) {
        uc_emu_stop(uc);
        return;
    }
    if (c->sp_watch && sp_check(uc, c, address)) return;
    int kind = site_kind(c, address);
    /* an SP alignment fault comes first: CheckSPAlignment precedes the access */
    if ((kind & SITE_SP) && !c->sp_watch && sp_check(uc, c, address)) return;
    if ((kind & SITE_ALIGN) && align_check(uc, c, address)) return;
    c->pc = address;
    c->retired++;
}

/* per-block scheme: before every translated block runs (Unicorn emits the hook ahead of the block's exit
 * check, so uc_emu_stop here stops before any of its instructions). */
static void block_cb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct icount *c = user;
    uint64_t n = size / 4;
    if (c->mode != AF_COUNT_BLOCK) return;
    if (c->retired + n > c->limit) {
        /* the limit is before this block or inside it: stop before it; run.c runs the first k instructions */
        c->partial = c->retired < c->limit;
        c->partial_at = address;
        c->partial_k = c->limit - c->retired;
        uc_emu_stop(uc);
        return;
    }
    c->blk_start = address;
    c->blk_base = c->retired;
    c->retired += n;
}

/* per-block scheme: a code hook on each alignment site only */
static void site_cb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct icount *c = user;
    uint64_t sp = 0;
    (void)size;
    if (c->mode != AF_COUNT_BLOCK) return; /* the per-instruction hook checks sites itself */
    int kind = site_kind(c, address);
    if (kind & SITE_SP) {
        uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
        if ((sp & 15) != 0) {
            /* SP may stay misaligned for many instructions: continue per instruction from here (run.c), which
             * checks this instruction again, SP first */
            c->want_insn_mode = 1;
            uc_emu_stop(uc);
            return;
        }
    }
    if (kind & SITE_ALIGN) align_check(uc, c, address);
}

/* The count at a stop before the instruction at pc (which has not run) inside the current block. */
void af_block_fixup(uc_engine *uc, struct icount *c, uint64_t pc, int unused)
{
    (void)uc;
    (void)unused;
    if (pc >= c->blk_start && pc - c->blk_start <= (c->retired - c->blk_base) * 4)
        c->retired = c->blk_base + (pc - c->blk_start) / 4;
}

/* Switches the per-block scheme to the per-instruction one for the rest of the run (a misaligned SP). */
void af_count_insn_mode(uc_engine *uc, struct icount *c)
{
    c->want_insn_mode = 0;
    if (c->mode != AF_COUNT_BLOCK) return;
    c->mode = AF_COUNT_INSN;
    for (size_t i = 0; i < c->nsite_hooks; i++) uc_hook_del(uc, c->site_hooks[i]);
    c->nsite_hooks = 0;
    uc_hook_del(uc, c->block_hook);
    uc_hook_add(uc, &c->hook, UC_HOOK_CODE, (void *)count_cb, c, 1, 0);
    /* translated blocks carry no per-instruction hook calls: drop them all */
    uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
}

static int site_hook(uc_engine *uc, struct icount *c, uint64_t address)
{
    if (c->mode != AF_COUNT_BLOCK) return 0;
    if (c->nsite_hooks == c->site_hooks_cap) {
        size_t cap = c->site_hooks_cap ? c->site_hooks_cap * 2 : 64;
        uc_hook *h = realloc(c->site_hooks, cap * sizeof(uc_hook));
        if (!h) return -1;
        c->site_hooks = h;
        c->site_hooks_cap = cap;
    }
    if (uc_hook_add(uc, &c->site_hooks[c->nsite_hooks], UC_HOOK_CODE, (void *)site_cb, c, address, address) != 0)
        return -1;
    c->nsite_hooks++;
    return 0;
}

int af_sp_site(uc_engine *uc, struct icount *c, uint64_t address)
{
    int had = site_kind(c, address);
    if (had & SITE_SP) return 0;
    if (site_add(c, address, SITE_SP, 0) != 0) return -1;
    return had ? 0 : site_hook(uc, c, address);
}

/* The natural-alignment check of an alignment site. Its argument (arch/arm64/align.ts encodeAlignSite) holds the
 * instruction word it was made for (bits 63:32) and how to compute the address, X[rn] (SP for 31) + imm, and the
 * alignment it needs (bits 31:0): which instruction classes get a site, and why, is decided there, not here. A
 * site whose word is no longer at its address (the code was unmapped and replaced) checks nothing. */
static int align_check(uc_engine *uc, struct icount *c, uint64_t address)
{
    uint64_t site = c->site_args[site_slot(c, address)];
    uint32_t insn = 0;
    if (af_read(uc, c, address, &insn, 4) != 0 || insn != (uint32_t)(site >> 32)) return 0;
    int32_t arg = (int32_t)(uint32_t)site;
    unsigned rn = (unsigned)arg & 31;
    uint64_t align = 1ull << (((unsigned)arg >> 5) & 7);
    int64_t imm = arg >> 8; /* arithmetic shift: the signed immediate */
    int reg = rn == 31 ? UC_ARM64_REG_SP : rn == 29 ? UC_ARM64_REG_X29 : rn == 30 ? UC_ARM64_REG_X30 : UC_ARM64_REG_X0 + (int)rn;
    uint64_t base = 0;
    uc_reg_read(uc, reg, &base);
    if (((base + (uint64_t)imm) & (align - 1)) == 0) return 0;
    c->align_fault = 1;
    c->align_fault_pc = address;
    uc_emu_stop(uc);
    return 1;
}

/* arg: see align_check; a site already there takes the new argument (new code at the same address) */
int af_align_site(uc_engine *uc, struct icount *c, uint64_t address, uint64_t arg)
{
    int had = site_kind(c, address);
    if (site_add(c, address, SITE_ALIGN, arg) != 0) return -1;
    return had ? 0 : site_hook(uc, c, address);
}

void af_sp_watch(struct icount *c, int on)
{
    c->sp_watch = on;
    if (on && c->mode == AF_COUNT_BLOCK) c->want_insn_mode = 1;
}

/* Returns and clears the alignment fault that stopped the engine, in one call per stop: 0 when there is none,
 * else its pc (user pcs are below 2^48) with the kind in bits 63:62, AF_FAULT_SP or AF_FAULT_ALIGN. */
#define AF_FAULT_SP   (1ull << 62)
#define AF_FAULT_ALIGN (2ull << 62)
uint64_t af_take_fault(struct icount *c)
{
    uint64_t v = c->sp_fault ? (c->sp_fault_pc | AF_FAULT_SP) : c->align_fault ? (c->align_fault_pc | AF_FAULT_ALIGN) : 0;
    c->sp_fault = c->align_fault = 0;
    return v;
}

static void intr_cb(uc_engine *uc, uint32_t intno, void *user)
{
    struct icount *c = user;
    if (!c->pending) {
        c->pending = AF_PENDING_INTR;
        c->intno = intno;
    }
    uc_emu_stop(uc);
}

int af_mem_cb(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    struct icount *c = user;
    (void)uc;
    (void)value;
    if (!c->pending) {
        c->pending = AF_PENDING_MEM;
        c->mem_type = type;
        c->mem_addr = address;
        c->mem_size = size;
    }
    return 0;
}

/* The engine's stop hooks (exceptions, invalid memory accesses) and, with mode != AF_COUNT_NONE, counting.
 * AF_COUNT_BLOCK falls back to AF_COUNT_INSN on engines older than 2.1 (no exact pc at faults). */
struct icount *af_new(uc_engine *uc, int mode)
{
    struct icount *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->limit = UINT64_MAX;
    if (mode == AF_COUNT_BLOCK && uc_version(NULL, NULL) < 0x02010000) mode = AF_COUNT_INSN;
    c->mode = mode;
    int err = uc_hook_add(uc, &c->intr_hook, UC_HOOK_INTR, (void *)intr_cb, c, 1, 0);
    if (!err) err = uc_hook_add(uc, &c->mem_hook, UC_HOOK_MEM_INVALID, (void *)af_mem_cb, c, 1, 0);
    if (!err && mode == AF_COUNT_INSN) err = uc_hook_add(uc, &c->hook, UC_HOOK_CODE, (void *)count_cb, c, 1, 0);
    if (!err && mode == AF_COUNT_BLOCK) err = uc_hook_add(uc, &c->block_hook, UC_HOOK_BLOCK, (void *)block_cb, c, 1, 0);
    if (err) {
        free(c);
        return NULL;
    }
    return c;
}

struct icount *af_icount_new(uc_engine *uc) { return af_new(uc, AF_COUNT_BLOCK); }

/* After uc_close: the engine and its hooks are gone, only our own memory is left. */
void af_free(struct icount *c)
{
    free(c->sites);
    free(c->site_args);
    free(c->site_hooks);
    free(c->trap_slots);
    pmem_free(&c->pm);
    free(c);
}
int af_mode(struct icount *c) { return c->mode; }

uint64_t af_icount_get(struct icount *c) { return c->retired; }
void af_icount_set(struct icount *c, uint64_t v) { c->retired = v; }
void af_icount_limit(struct icount *c, uint64_t limit) { c->limit = limit; }
uint64_t af_icount_pc(struct icount *c) { return c->pc; }
