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
extern int uc_mem_write(uc_engine *uc, uint64_t address, const void *bytes, size_t size);
extern int uc_mem_map(uc_engine *uc, uint64_t address, size_t size, uint32_t perms);
extern int uc_mem_map_ptr(uc_engine *uc, uint64_t address, size_t size, uint32_t perms, void *ptr);
extern int uc_mem_protect(uc_engine *uc, uint64_t address, size_t size, uint32_t perms);
extern int uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size);
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
#define UC_CTL_READ(type, nr) ((type) | ((nr) << 26) | (2u << 30))
#define UC_CTL_UC_PAGE_SIZE 1
#define UC_CTL_TLB_FLUSH 11
#define UC_HOOK_MEM_READ_UNMAPPED (1 << 4)
#define UC_HOOK_MEM_WRITE_UNMAPPED (1 << 5)
#define UC_HOOK_MEM_FETCH_UNMAPPED (1 << 6)
#define UC_MEM_READ_UNMAPPED 19
#define UC_MEM_WRITE_UNMAPPED 20
#define UC_MEM_WRITE_PROT 22
#define UC_MEM_READ_PROT 23
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

/* pmem.c: guest mappings as extents of a pool of few engine regions (Unicorn >= 2.1) */
struct extent {
    uint64_t start, end; /* guest addresses */
    uint64_t pbase;      /* the pool address of start */
    uint32_t perms;      /* UC_PROT_* */
    uint32_t ever_exec;  /* was executable once: its pool pages may hold translated code */
};
/* host memory that the engines of several processes map: a MAP_SHARED mapping after fork */
struct shm { uint8_t *host; uint64_t size; int refs; };
/* an engine region; a shared one (shm) serves one MAP_SHARED mapping and lives while live bytes are mapped */
struct chunk { uint64_t pbase, size; uint8_t *host; struct shm *shm; uint64_t live; };
/* af_map's perms bit for a MAP_SHARED mapping: its own host memory, which a fork child maps too */
#define AF_MAP_SHARED 0x100
/* at most this many engine regions: Unicorn aborts the host after about a thousand.
 * DIVERGENCE: each MAP_SHARED mapping takes a region, so past about 500 of them mmap gives ENOMEM. */
#define AF_CHUNKS_MAX 512
struct prange { uint64_t start, end; };
struct pmem {
    struct extent *ext; /* sorted by start, with a gap of cap - n free slots at gap (a gap buffer) */
    size_t n, cap, gap;
    struct chunk *chunks; /* the engine regions (uc_mem_map_ptr), at pool addresses */
    size_t nchunks, chunkcap;
    struct prange *free; /* free pool ranges, sorted, coalesced */
    size_t nfree, freecap;
    uint64_t pool_top;
};
#define AF_FILLED_MAX 1024

struct icount {
    int mode;          /* AF_COUNT_* */
    uint64_t retired;  /* instructions that completed */
    uint64_t limit;    /* stop before the instruction that would make retired exceed this */
    uint64_t pc;       /* per-insn mode: address of the last instruction the hook saw (the one about to run) */
    uc_hook hook, block_hook, intr_hook, mem_hook, tlb_hook;
    /* tlb.c, pmem.c: guest memory in the pool, translated by the TLB fill hook */
    int paged;
    struct pmem pm;
    uint64_t *trap_slots; /* trap page i of the trap window stands for guest page trap_slots[i] */
    uint32_t trap_next;
    uint64_t filled[AF_FILLED_MAX]; /* guest pages filled into the TLB since its last flush */
    size_t nfilled;
    int filled_all; /* more than AF_FILLED_MAX of them */
    int force_fetch;
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

int af_mem_cb(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user);
struct extent *ext_at(struct pmem *m, size_t i);
size_t ext_find(struct pmem *m, uint64_t addr);
struct extent *ext_lookup(struct pmem *m, uint64_t addr);
int pmem_map(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, uint32_t perms);
int pmem_protect(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, uint32_t perms);
int pmem_unmap(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size);
int pmem_read(struct icount *c, uint64_t addr, uint8_t *out, uint64_t len);
int pmem_write(uc_engine *uc, struct icount *c, uint64_t addr, const uint8_t *in, uint64_t len);
int pmem_clone(uc_engine *uc, struct icount *dst, struct icount *src);
void pmem_free(struct pmem *m);
void tlb_changed(uc_engine *uc, struct icount *c, uint64_t start, uint64_t end);
void tlb_drop_code(uc_engine *uc, struct icount *c, struct extent *x, uint64_t start, uint64_t end);
void tlb_before_run(uc_engine *uc, struct icount *c);
int af_read(uc_engine *uc, struct icount *c, uint64_t addr, void *out, uint64_t len);
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
