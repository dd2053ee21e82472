/* Shared by icount.c (counting and the alignment checks) and run.c (one native call per engine stop). */
#ifndef AF_H
#define AF_H
#include <stdint.h>
#include <stddef.h>

#ifdef AF_UC_HEADERS
/* the engine's own headers (.engine/include, Unicorn 2.1.4): the same library is loaded at run time */
#include <unicorn/unicorn.h>
#else
/* Debian's libunicorn2 ships no headers: the declarations and constants used here, from Unicorn 2.0.1 */
typedef struct uc_struct uc_engine;
typedef size_t uc_hook;
extern int uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback, void *user_data,
                       uint64_t begin, uint64_t end, ...);
extern int uc_hook_del(uc_engine *uc, uc_hook hh);
extern int uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count);
extern int uc_emu_stop(uc_engine *uc);
extern int uc_reg_read(uc_engine *uc, int regid, void *value);
extern int uc_reg_write(uc_engine *uc, int regid, const void *value);
extern int uc_mem_read(uc_engine *uc, uint64_t address, void *bytes, size_t size);
extern int uc_ctl(uc_engine *uc, uint32_t control, ...);
extern unsigned int uc_version(unsigned int *major, unsigned int *minor);
#define UC_HOOK_INTR (1 << 0)
#define UC_HOOK_CODE (1 << 2)
#define UC_HOOK_BLOCK (1 << 3)
#define UC_HOOK_MEM_INVALID 0x3f0
#define UC_MEM_FETCH_UNMAPPED 21
#define UC_MEM_FETCH_PROT 24
#define UC_ARM64_REG_X29 1
#define UC_ARM64_REG_X30 2
#define UC_ARM64_REG_NZCV 3
#define UC_ARM64_REG_SP 4
#define UC_ARM64_REG_Q0 104
#define UC_ARM64_REG_X0 199
#define UC_ARM64_REG_PC 260
#define UC_ARM64_REG_TPIDR_EL0 262
#define UC_ARM64_REG_FPCR 291
#define UC_ARM64_REG_FPSR 292
#define UC_CTL_WRITE(type, nr) ((type) | ((nr) << 26) | (1u << 30))
#define UC_CTL_TLB_TYPE 12
#define UC_TLB_VIRTUAL 1
#define UC_HOOK_TLB_FILL (1 << 17)
typedef enum uc_mem_type { UC_MEM_READ = 16, UC_MEM_WRITE, UC_MEM_FETCH } uc_mem_type;
typedef struct uc_tlb_entry { uint64_t paddr; uint32_t perms; } uc_tlb_entry;
#include <stdbool.h>
#define UC_CTL_TB_REMOVE_CACHE 9
#define UC_CTL_TB_FLUSH 10
#endif

/* how instructions are counted */
enum { AF_COUNT_NONE = 0, AF_COUNT_INSN = 1, AF_COUNT_BLOCK = 2 };
enum { AF_PENDING_NONE = 0, AF_PENDING_INTR = 1, AF_PENDING_MEM = 2 };
#define EXCP_SWI 2

struct icount {
    int mode;          /* AF_COUNT_* */
    uint64_t retired;  /* instructions that completed */
    uint64_t limit;    /* stop before the instruction that would make retired exceed this */
    uint64_t pc;       /* per-insn mode: address of the last instruction the hook saw (the one about to run) */
    uc_hook hook, block_hook, intr_hook, mem_hook, tlb_hook;
    /* tlb.c: the engine's regions, sorted, with their UC_PROT_* permissions */
    struct region *regions;
    size_t nregions, rcap;
    int gap_mode; /* the invalid-access hooks cover the gaps between data regions only (tlb.c) */
    uc_hook *gap_hooks;
    size_t ngaps, gaps_cap;
    /* per-block mode: the block being run, and the count before it */
    uint64_t blk_start, blk_base;
    /* per-block mode: the limit falls inside the block at partial_at (partial_k instructions into it) */
    uint64_t partial_at, partial_k;
    int partial;
    int want_insn_mode; /* per-block mode met a misaligned SP: continue counting per instruction */
    /* SP alignment (Linux runs EL0 with SCTLR_EL1.SA0 = 1; QEMU never checks it): see icount.c */
    int sp_watch;
    int sp_fault;
    uint64_t sp_fault_pc;
    int align_fault;
    uint64_t align_fault_pc;
    uint64_t *sites;     /* open-addressed: address | SITE_* mask */
    uint64_t *site_args; /* per slot: the alignment site's check (icount.c align_check) */
    size_t nsites, cap;
    uc_hook *site_hooks;
    size_t nsite_hooks, site_hooks_cap;
    /* the stop the engine hooks recorded (the first one wins) */
    int pending;
    uint32_t intno;
    int mem_type, mem_size;
    uint64_t mem_addr;
};

void af_count_insn_mode(uc_engine *uc, struct icount *c);
void af_block_fixup(uc_engine *uc, struct icount *c, uint64_t pc, int unused);
uint64_t af_take_fault(struct icount *c);
int af_interrupted(void);
void af_running(uc_engine *uc);
static inline uint64_t af_take_fault_peek(const struct icount *c)
{
    return c->sp_fault ? (c->sp_fault_pc | (1ull << 62)) : c->align_fault ? (c->align_fault_pc | (2ull << 62)) : 0;
}
#endif
