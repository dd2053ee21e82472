// The guest's page tables, as the engine sees them (Unicorn >= 2.1, UC_TLB_VIRTUAL): a TLB fill hook translates
// each guest page to its place in the pool (pmem.c) with the permissions of its extent, so that the engine needs
// a few large regions instead of one per VMA, and checks permissions page by page exactly as before.
//
// An access the extent does not allow (or to no extent) must stop the engine with its exact address, its kind
// (read, write, fetch) and whether the page is mapped (SEGV_ACCERR) or not (SEGV_MAPERR). The fill hook sees
// only the page, and a refused fill (return false) ends the run with no address at all. So a refused access is
// filled too, with a "trap page": a physical page of the trap window, where no memory is, that stands for that
// guest page (trap_slots[] remembers which). Unicorn then raises its own unmapped-memory hook for the access with
// the trap address, which carries the exact offset in the page; trap_cb turns it back into the guest address and
// names the fault. The trap entry holds exactly the refused kinds of access, so allowed ones refill normally.
//
// Guest stores run at full speed: data pages get TLB entries without execute permission, and no memory hook
// covers the pool (Unicorn keeps TLB_NOTDIRTY, a slow path on every store, on any page a memory hook's range
// covers and on every page whose entry is executable). Self-modifying code stays detected: an executable page's
// entries are executable, and the pool regions are UC_PROT_ALL, so a store into translated code invalidates it.
// Every change of the translation (map, protect, unmap) flushes the engine's TLB when it may hold an entry for
// the changed pages.
// A debugger's watchpoint is the exception: its hooks cover the pool pages behind it (af_phys, at the end).
#include <stdlib.h>
#include <string.h>
#include "af.h"

#define PG 4096ull
#define TRAP_BASE (1ull << 39)
#define TRAP_SLOTS 4096

static void tlb_flush(uc_engine *uc, struct icount *c)
{
    uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_FLUSH, 0));
    c->nfilled = 0;
    c->filled_all = 0;
    c->trap_next = 0;
}

/* the pages [start, end) changed: flush when the TLB may hold an entry for one of them */
void tlb_changed(uc_engine *uc, struct icount *c, uint64_t start, uint64_t end)
{
    int hit = c->filled_all;
    for (size_t i = 0; !hit && i < c->nfilled; i++) hit = c->filled[i] >= start && c->filled[i] < end;
    if (hit) tlb_flush(uc, c);
}

static void note_filled(struct icount *c, uint64_t page)
{
    if (c->nfilled && c->filled[c->nfilled - 1] == page) return;
    if (c->nfilled == AF_FILLED_MAX) c->filled_all = 1;
    else c->filled[c->nfilled++] = page;
}

static bool tlb_fill_cb(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *e, void *user)
{
    struct icount *c = user;
    struct extent *x = ext_lookup(&c->pm, vaddr);
    uint32_t want = type == UC_MEM_READ ? 1 : type == UC_MEM_WRITE ? 2 : 4;
    uint32_t perms = x ? x->perms | (c->force_fetch ? 4 : 0) : 0;
    note_filled(c, vaddr);
    if (perms & want) {
        e->paddr = x->pbase + (vaddr - x->start);
        e->perms = perms;
        return true;
    }
    if (c->trap_next == TRAP_SLOTS) tlb_flush(uc, c); /* af_run resets it long before; a slot is never reused live */
    c->trap_slots[c->trap_next] = vaddr;
    e->paddr = TRAP_BASE + c->trap_next++ * PG;
    e->perms = 7 & ~perms;
    return true;
}

/* Unicorn's unmapped-memory hook on the trap window: the guest access that the TLB fill refused */
static bool trap_cb(uc_engine *uc, int type, uint64_t paddr, int size, int64_t value, void *user)
{
    struct icount *c = user;
    /* a slot is 4 KiB, the engine's page smaller: the offset within the slot is the offset within that page */
    uint64_t vaddr = c->trap_slots[(paddr - TRAP_BASE) / PG] + (paddr & (PG - 1));
    if (ext_lookup(&c->pm, vaddr))
        type = type == UC_MEM_READ_UNMAPPED ? UC_MEM_READ_PROT : type == UC_MEM_WRITE_UNMAPPED ? UC_MEM_WRITE_PROT
             : UC_MEM_FETCH_PROT;
    return af_mem_cb(uc, type, vaddr, size, value, c);
}

/* Before a run: trap slots are plenty (each refused access stops the run), but never run out inside one. */
void tlb_before_run(uc_engine *uc, struct icount *c)
{
    if (c->paged && c->trap_next > TRAP_SLOTS / 2) tlb_flush(uc, c);
}

/* Drops the translated code of the pool pages behind [start, end) of extent x. Unicorn's TB_REMOVE_CACHE finds
 * the pool address through a fetch translation of start: granted here even on a page that is no longer
 * executable (it may have been when the code was translated), with the TLB flushed around it. */
void tlb_drop_code(uc_engine *uc, struct icount *c, struct extent *x, uint64_t start, uint64_t end)
{
    int forced = !(x->perms & 4);
    if (forced) {
        tlb_flush(uc, c);
        c->force_fetch = 1;
    }
    uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), start, end);
    if (forced) {
        c->force_fetch = 0;
        tlb_flush(uc, c);
    }
}

/* Cpu.invalidateCode: forget the translated code of [start, end), page runs of each extent that ever ran code */
int af_invalidate(uc_engine *uc, struct icount *c, uint64_t start, uint64_t end)
{
    if (!c->paged) return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), start, end);
    for (size_t i = ext_find(&c->pm, start); i < c->pm.n; i++) {
        struct extent *x = ext_at(&c->pm, i);
        if (x->start >= end) break;
        if (x->ever_exec) tlb_drop_code(uc, c, x, x->start > start ? x->start : start, x->end < end ? x->end : end);
    }
    return 0;
}

/* Turns the scheme on; 1 when the engine is too old for it (then every VMA stays its own engine region). */
int af_vtlb_enable(uc_engine *uc, struct icount *c)
{
    uint32_t page = 0;
    if (uc_version(NULL, NULL) < 0x02010000) return 1;
    /* the engine's TLB pages (1 KiB for Unicorn's AArch64) must tile the guest's 4 KiB pages and the trap slots */
    if (uc_ctl(uc, UC_CTL_READ(UC_CTL_UC_PAGE_SIZE, 1), &page) != 0 || page == 0 || page > PG || PG % page) return 1;
    c->trap_slots = calloc(TRAP_SLOTS, sizeof(uint64_t));
    if (!c->trap_slots) return -1;
    if (uc_hook_add(uc, &c->tlb_hook, UC_HOOK_TLB_FILL, (void *)tlb_fill_cb, c, 1, 0) != 0) return -1;
    if (uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_TYPE, 1), UC_TLB_VIRTUAL) != 0) return -1;
    /* the invalid-access hook over everything goes: only the trap window can see an invalid access now */
    uc_hook_del(uc, c->mem_hook);
    if (uc_hook_add(uc, &c->mem_hook, UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED |
                    UC_HOOK_MEM_FETCH_UNMAPPED, (void *)trap_cb, c, TRAP_BASE, TRAP_BASE + TRAP_SLOTS * PG - 1) != 0)
        return -1;
    c->paged = 1;
    return 0;
}

// ---- the memory calls Cpu makes, in either scheme --------------------------------------------------------

int af_map(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, int perms)
{
    return c->paged ? pmem_map(uc, c, start, size, (uint32_t)perms) : (int)uc_mem_map(uc, start, size, (uint32_t)perms & 7);
}

int af_protect(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, int perms)
{
    return c->paged ? pmem_protect(uc, c, start, size, (uint32_t)perms) : (int)uc_mem_protect(uc, start, size, (uint32_t)perms & 7);
}

int af_unmap(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size)
{
    return c->paged ? pmem_unmap(uc, c, start, size) : (int)uc_mem_unmap(uc, start, size);
}

int af_read(uc_engine *uc, struct icount *c, uint64_t addr, void *out, uint64_t len)
{
    return c->paged ? pmem_read(c, addr, out, len) : (int)uc_mem_read(uc, addr, out, len);
}

int af_write(uc_engine *uc, struct icount *c, uint64_t addr, const void *in, uint64_t len)
{
    return c->paged ? pmem_write(uc, c, addr, in, len) : (int)uc_mem_write(uc, addr, in, len);
}

/* Writes n spans of data at addr (spans: pairs of u32 {offset, length}; span i goes from data + offset to
 * addr + offset): a signal frame's puts in one call, the bytes between them left as they were. 0, or the
 * first error (the spans before it are written). */
int af_write_spans(uc_engine *uc, struct icount *c, uint64_t addr, const uint8_t *data, const uint32_t *spans, int n)
{
    for (int i = 0; i < n; i++) {
        int err = af_write(uc, c, addr + spans[2 * i], data + spans[2 * i], spans[2 * i + 1]);
        if (err) return err;
    }
    return 0;
}

/* copies every mapping of src into dst, which has none: 0, or -1 when a scheme lacks the pool (copy by VMA) */
int af_clone_memory(uc_engine *uc, struct icount *dst, struct icount *src)
{
    if (!dst->paged || !src->paged) return -1;
    return pmem_clone(uc, dst, src);
}

/* how many engine regions the pool uses (tests, bench) */
int af_engine_regions(struct icount *c) { return (int)c->pm.nchunks; }

// ---- the debugger's watchpoints (src/cpu/debug.ts) ---------------------------------------------------------
// Unicorn checks a UC_HOOK_MEM_READ/WRITE hook's range against the access's physical address (cputlb.c
// load_helper/store_helper: HOOK_BOUND_CHECK(hook, entry->paddr | offset)), and reports that address to the
// callback. With the pool that is the pool address, not the guest's: a hook over guest addresses never fires.
// So a watch hooks the pool addresses behind its guest range, found here extent by extent.

/* The place of guest address vaddr: out[0] its engine ("physical") address, out[1] the bytes from vaddr on that
 * stay contiguous there (to the end of its extent). 1 when vaddr is mapped; 0 when not, with out[1] the bytes to
 * the next mapping (0 when none follows). Without the pool the two addresses are the same. */
int af_phys(struct icount *c, uint64_t vaddr, uint64_t *out)
{
    if (!c->paged) {
        out[0] = vaddr;
        out[1] = -vaddr; /* to the top of the address space (0 for vaddr = 0: wraps to "everything") */
        if (out[1] == 0) out[1] = ~0ull;
        return 1;
    }
    size_t i = ext_find(&c->pm, vaddr);
    if (i == c->pm.n) {
        out[0] = 0;
        out[1] = 0;
        return 0;
    }
    struct extent *x = ext_at(&c->pm, i);
    if (x->start > vaddr) {
        out[0] = 0;
        out[1] = x->start - vaddr;
        return 0;
    }
    out[0] = x->pbase + (vaddr - x->start);
    out[1] = x->end - vaddr;
    return 1;
}

/* A memory hook was added or removed: code translated before it took the JIT's fast path for loads and stores
 * (Unicorn's backends emit the slow path, which runs the hooks, only while such a hook exists: tcg_uc_has_hookmem),
 * and TLB entries filled before it may have lost TLB_NOTDIRTY. Both are dropped. */
int af_hooks_changed(uc_engine *uc, struct icount *c)
{
    int err = uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
    if (c->paged) tlb_flush(uc, c);
    else uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_FLUSH, 0));
    return err;
}
