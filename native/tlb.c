// Guest stores at full speed (Unicorn >= 2.1). With the MMU off, QEMU's own TLB fill marks every page
// executable; Unicorn then never clears TLB_NOTDIRTY on a page whose TLB entry is executable (cputlb.c
// notdirty_write), so every guest store leaves the generated code for store_helper and notdirty_write, ~20x
// the cost of a load. A TLB fill hook (UC_TLB_VIRTUAL) that maps each page to itself with the permissions of its
// engine region makes data pages' entries non-executable, so their stores take QEMU's inline fast path.
// The permission of the access itself is always granted here, so that Unicorn's own checks of the region's
// permissions (its PROT and UNMAPPED hooks) see every access exactly as before; an unmapped page gets RWX, as the
// MMU-off fill gives it. Self-modifying code stays detected: a page of an executable region keeps executable entries.
// Unicorn also keeps TLB_NOTDIRTY on every page that the range of any memory hook covers (uc_mem_hook_installed),
// so the invalid-access hooks cover every address except the plain data regions (read-write, not executable).
// The one fault those hooks cannot see, a fetch from a data region, comes back as UC_ERR_FETCH_PROT with the pc
// at the fetched address (run.c).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "af.h"

struct region { uint64_t start, end; uint32_t perms; };

/* index of the first region whose end is above addr */
static size_t region_find(const struct icount *c, uint64_t addr)
{
    size_t lo = 0, hi = c->nregions;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->regions[mid].end <= addr) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int fast_region(uint32_t perms) { return (perms & 7) == 3; }

int af_mem_cb(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user);

/* One UC_HOOK_MEM_INVALID hook per gap between the plain data regions. */
static int gap_hooks_rebuild(uc_engine *uc, struct icount *c)
{
    for (size_t i = 0; i < c->ngaps; i++) uc_hook_del(uc, c->gap_hooks[i]);
    c->ngaps = 0;
    if (c->gaps_cap < c->nregions + 1) {
        uc_hook *h = realloc(c->gap_hooks, (c->nregions + 1) * sizeof(uc_hook));
        if (!h) return -1;
        c->gap_hooks = h;
        c->gaps_cap = c->nregions + 1;
    }
    uint64_t from = 0;
    int open = 1; /* 0 once a data region reaches 2^64 */
    for (size_t i = 0; i < c->nregions; i++) {
        if (!fast_region(c->regions[i].perms)) continue;
        uint64_t s = c->regions[i].start;
        if (open && s > from &&
            uc_hook_add(uc, &c->gap_hooks[c->ngaps++], UC_HOOK_MEM_INVALID, (void *)af_mem_cb, c, from, s - 1) != 0)
            return -1;
        from = c->regions[i].end;
        open = from != 0;
    }
    if (open && uc_hook_add(uc, &c->gap_hooks[c->ngaps++], UC_HOOK_MEM_INVALID, (void *)af_mem_cb, c, from, UINT64_MAX) != 0)
        return -1;
    return 0;
}

/* The engine's mapping of [start, start + size) became perms (< 0: unmapped). */
int af_region_set(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, int perms)
{
    int fast = perms >= 0 && fast_region((uint32_t)perms);
    uint64_t end = start + size;
    if (c->nregions + 3 > c->rcap) {
        size_t cap = c->rcap ? c->rcap * 2 : 64;
        struct region *r = realloc(c->regions, cap * sizeof(*r));
        if (!r) return -1;
        c->regions = r;
        c->rcap = cap;
    }
    size_t i = region_find(c, start);
    struct region keep[2];
    size_t nkeep = 0, j = i;
    /* the regions overlapping [start, end) go; their parts outside it stay */
    while (j < c->nregions && c->regions[j].start < end) {
        struct region r = c->regions[j];
        fast |= fast_region(r.perms);
        if (r.start < start) keep[nkeep++] = (struct region){ r.start, start, r.perms };
        if (r.end > end) keep[nkeep++] = (struct region){ end, r.end, r.perms };
        j++;
    }
    struct region add[3];
    size_t nadd = 0;
    if (nkeep && keep[0].start < start) add[nadd++] = keep[0];
    if (perms >= 0) add[nadd++] = (struct region){ start, end, (uint32_t)perms };
    for (size_t k = 0; k < nkeep; k++)
        if (keep[k].start >= end) add[nadd++] = keep[k];
    memmove(&c->regions[i + nadd], &c->regions[j], (c->nregions - j) * sizeof(struct region));
    memcpy(&c->regions[i], add, nadd * sizeof(struct region));
    c->nregions = c->nregions - (j - i) + nadd;
    return fast && c->gap_mode ? gap_hooks_rebuild(uc, c) : 0;
}

static bool tlb_fill_cb(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *e, void *user)
{
    struct icount *c = user;
    (void)uc;
    size_t i = region_find(c, vaddr);
    uint32_t perms = i < c->nregions && c->regions[i].start <= vaddr ? c->regions[i].perms : 7;
    perms |= type == UC_MEM_READ ? 1 : type == UC_MEM_WRITE ? 2 : 4;
    e->paddr = vaddr;
    e->perms = perms;
    return true;
}

/* Turns the scheme on; 1 when the engine is too old for it (nothing changes then). */
int af_vtlb_enable(uc_engine *uc, struct icount *c)
{
    if (uc_version(NULL, NULL) < 0x02010000) return 1;
    if (uc_hook_add(uc, &c->tlb_hook, UC_HOOK_TLB_FILL, (void *)tlb_fill_cb, c, 1, 0) != 0) return -1;
    if (uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_TYPE, 1), UC_TLB_VIRTUAL) != 0) return -1;
    /* the invalid-access hook over everything goes; one per gap between data regions replaces it */
    uc_hook_del(uc, c->mem_hook);
    c->gap_mode = 1;
    return gap_hooks_rebuild(uc, c);
}
