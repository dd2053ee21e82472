// Guest memory in few engine regions (Unicorn >= 2.1, see tlb.c for how accesses reach it). Unicorn aborts the
// host process after about a thousand memory regions (phys_section_add: map->sections_nb < TARGET_PAGE_SIZE),
// while Linux lets a process have vm.max_map_count = 65,530 VMAs. So the engine's "physical" memory is a pool of
// large chunks (host mmaps, each one uc_mem_map_ptr region) mapped once, and each guest mapping
// is an extent: [start, end) of guest addresses → [pbase, pbase + end - start) of the pool, with its UC_PROT_*
// permissions. tlb.c's TLB fill translates and checks permissions page by page from these extents.
// Extents are a sorted array with a gap (a gap buffer): mmap's top-down placement inserts next to the last
// insertion, so 65,530 mappings cost no quadratic memmove.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "af.h"

#define PG 4096ull
#define POOL_BASE (1ull << 40)  /* the pool's physical addresses: above the trap window (tlb.c) */
#define POOL_LIMIT (1ull << 47)
#define CHUNK_MIN (1ull << 30)  /* host address space only: pages are committed when touched */

struct extent *ext_at(struct pmem *m, size_t i) { return &m->ext[i < m->gap ? i : i + (m->cap - m->n)]; }

static void move_gap(struct pmem *m, size_t p)
{
    size_t hole = m->cap - m->n;
    if (p < m->gap) memmove(&m->ext[p + hole], &m->ext[p], (m->gap - p) * sizeof(struct extent));
    else if (p > m->gap) memmove(&m->ext[m->gap], &m->ext[m->gap + hole], (p - m->gap) * sizeof(struct extent));
    m->gap = p;
}

static int ext_insert(struct pmem *m, size_t p, struct extent e)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        move_gap(m, m->n);
        struct extent *a = realloc(m->ext, cap * sizeof(*a));
        if (!a) return -1;
        m->ext = a;
        m->cap = cap;
    }
    move_gap(m, p);
    m->ext[p] = e;
    m->gap++;
    m->n++;
    return 0;
}

static void ext_erase(struct pmem *m, size_t i, size_t j)
{
    move_gap(m, j);
    m->gap = i;
    m->n -= j - i;
}

/* index of the first extent whose end is above addr */
size_t ext_find(struct pmem *m, uint64_t addr)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ext_at(m, mid)->end <= addr) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

struct extent *ext_lookup(struct pmem *m, uint64_t addr)
{
    size_t i = ext_find(m, addr);
    if (i == m->n) return NULL;
    struct extent *e = ext_at(m, i);
    return e->start <= addr ? e : NULL;
}

/* extent i becomes [start, at) and [at, end), the same pool pages in the same order */
static int ext_split(struct pmem *m, size_t i, uint64_t at)
{
    struct extent r = *ext_at(m, i);
    r.pbase += at - r.start;
    r.start = at;
    ext_at(m, i)->end = at;
    return ext_insert(m, i + 1, r);
}

/* is [start, end) wholly covered by extents? (uc_mem_protect and uc_mem_unmap refuse holes too) */
static int covered(struct pmem *m, uint64_t start, uint64_t end)
{
    for (size_t i = ext_find(m, start); start < end; i++) {
        if (i == m->n || ext_at(m, i)->start > start) return 0;
        start = ext_at(m, i)->end;
    }
    return 1;
}

uint8_t *pmem_host(struct pmem *m, uint64_t paddr)
{
    for (size_t i = 0; i < m->nchunks; i++)
        if (paddr >= m->chunks[i].pbase && paddr - m->chunks[i].pbase < m->chunks[i].size)
            return m->chunks[i].host + (paddr - m->chunks[i].pbase);
    return NULL;
}

static int free_insert(struct pmem *m, uint64_t start, uint64_t end)
{
    size_t i = 0;
    while (i < m->nfree && m->free[i].start < start) i++;
    if (i > 0 && m->free[i - 1].end == start) { /* coalesce with the range below, maybe the one above too */
        m->free[i - 1].end = end;
        if (i < m->nfree && m->free[i].start == end) {
            m->free[i - 1].end = m->free[i].end;
            memmove(&m->free[i], &m->free[i + 1], (m->nfree - i - 1) * sizeof(struct prange));
            m->nfree--;
        }
        return 0;
    }
    if (i < m->nfree && m->free[i].start == end) {
        m->free[i].start = start;
        return 0;
    }
    if (m->nfree == m->freecap) {
        size_t cap = m->freecap ? m->freecap * 2 : 64;
        struct prange *f = realloc(m->free, cap * sizeof(*f));
        if (!f) return -1;
        m->free = f;
        m->freecap = cap;
    }
    memmove(&m->free[i + 1], &m->free[i], (m->nfree - i) * sizeof(struct prange));
    m->free[i] = (struct prange){ start, end };
    m->nfree++;
    return 0;
}

/* a new engine region at pbase: fresh private host memory, or shm's (one more engine maps it) */
static int add_chunk(uc_engine *uc, struct pmem *m, uint64_t pbase, uint64_t size, struct shm *shm)
{
    uint8_t *host = shm ? shm->host : NULL;
    if (m->nchunks >= AF_CHUNKS_MAX) return -1;
    if (m->nchunks == m->chunkcap) {
        size_t cap = m->chunkcap ? m->chunkcap * 2 : 8;
        struct chunk *c = realloc(m->chunks, cap * sizeof(*c));
        if (!c) return -1;
        m->chunks = c;
        m->chunkcap = cap;
    }
    if (!host) {
        /* as Unicorn's own uc_mem_map allocates (no MAP_NORESERVE): a mapping the host would refuse to commit
         * still fails with ENOMEM in the guest (README: the engine backs every mapping) */
        host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (host == MAP_FAILED) return -1;
    }
    if (uc_mem_map_ptr(uc, pbase, size, 7, host) != 0) {
        if (!shm) munmap(host, size);
        return -1;
    }
    if (shm) shm->refs++;
    m->chunks[m->nchunks++] = (struct chunk){ pbase, size, host, shm, size };
    return 0;
}

static void put_shm(struct shm *shm)
{
    if (--shm->refs > 0) return;
    munmap(shm->host, shm->size);
    free(shm);
}

static struct chunk *chunk_of(struct pmem *m, uint64_t paddr)
{
    for (size_t i = 0; i < m->nchunks; i++)
        if (paddr >= m->chunks[i].pbase && paddr - m->chunks[i].pbase < m->chunks[i].size) return &m->chunks[i];
    return NULL;
}

/* a MAP_SHARED mapping: host memory of its own (MAP_SHARED, so it is not copied by the host either), one engine
 * region at the top of the pool, which a fork child's engine maps as well (pmem_clone) */
static int shared_alloc(uc_engine *uc, struct pmem *m, uint64_t size, uint64_t *pbase)
{
    uint64_t base = m->pool_top ? m->pool_top : POOL_BASE;
    if (base + size > POOL_LIMIT) return -1;
    struct shm *shm = malloc(sizeof *shm);
    if (!shm) return -1;
    shm->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shm->size = size;
    shm->refs = 0;
    if (shm->host == MAP_FAILED || add_chunk(uc, m, base, size, shm) != 0) {
        if (shm->host != MAP_FAILED) munmap(shm->host, size);
        free(shm);
        return -1;
    }
    m->pool_top = base + size + PG;
    *pbase = base;
    return 0;
}

/* n bytes of a shared chunk are unmapped in this engine: the region goes when none is left */
static int shared_release(uc_engine *uc, struct pmem *m, struct chunk *ch, uint64_t n)
{
    if ((ch->live -= n) > 0) return 0;
    if (uc_mem_unmap(uc, ch->pbase, ch->size) != 0) return -1;
    put_shm(ch->shm);
    *ch = m->chunks[--m->nchunks];
    return 0;
}

/* first fit in the free pool; a new chunk (one more engine region) when nothing fits */
static int palloc(uc_engine *uc, struct pmem *m, uint64_t size, uint64_t *pbase)
{
    for (size_t i = 0; i < m->nfree; i++) {
        if (m->free[i].end - m->free[i].start < size) continue;
        *pbase = m->free[i].start;
        m->free[i].start += size;
        if (m->free[i].start == m->free[i].end) {
            memmove(&m->free[i], &m->free[i + 1], (m->nfree - i - 1) * sizeof(struct prange));
            m->nfree--;
        }
        return 0;
    }
    uint64_t csize = (size + CHUNK_MIN - 1) / CHUNK_MIN * CHUNK_MIN;
    uint64_t base = m->pool_top ? m->pool_top : POOL_BASE;
    if (csize < size || base + csize > POOL_LIMIT || add_chunk(uc, m, base, csize, NULL) != 0) return -1;
    m->pool_top = base + csize + PG; /* an unmapped page between chunks: no free range spans two host mmaps */
    *pbase = base;
    return size < csize ? free_insert(m, base + size, base + csize) : 0;
}

/* pool pages go back zeroed (MADV_DONTNEED: an anonymous mapping reads zero again), their host memory released */
static int pfree(struct pmem *m, uint64_t pbase, uint64_t size)
{
    uint8_t *h = pmem_host(m, pbase);
    if (h) madvise(h, size, MADV_DONTNEED);
    return free_insert(m, pbase, pbase + size);
}

int pmem_map(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, uint32_t perms)
{
    struct pmem *m = &c->pm;
    uint64_t end = start + size, pbase;
    size_t i = ext_find(m, start);
    if (i < m->n && ext_at(m, i)->start < end) return 11; /* UC_ERR_MAP, as uc_mem_map over a mapping */
    int shared = perms & AF_MAP_SHARED;
    perms &= 7;
    if ((shared ? shared_alloc(uc, m, size, &pbase) : palloc(uc, m, size, &pbase)) != 0) return 1; /* UC_ERR_NOMEM */
    if (ext_insert(m, i, (struct extent){ start, end, pbase, perms, perms & 4 }) != 0) return 1;
    tlb_changed(uc, c, start, end); /* a trap entry may be cached for these pages */
    return 0;
}

int pmem_protect(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size, uint32_t perms)
{
    struct pmem *m = &c->pm;
    uint64_t end = start + size;
    if (!covered(m, start, end)) return 1;
    perms &= 7;
    size_t i = ext_find(m, start);
    if (ext_at(m, i)->start < start && ext_split(m, i++, start) != 0) return 1;
    for (; i < m->n && ext_at(m, i)->start < end; i++) {
        if (ext_at(m, i)->end > end && ext_split(m, i, end) != 0) return 1;
        struct extent *e = ext_at(m, i);
        e->perms = perms;
        e->ever_exec |= perms & 4;
    }
    tlb_changed(uc, c, start, end);
    return 0;
}

int pmem_unmap(uc_engine *uc, struct icount *c, uint64_t start, uint64_t size)
{
    struct pmem *m = &c->pm;
    uint64_t end = start + size;
    if (!covered(m, start, end)) return 1;
    size_t i = ext_find(m, start);
    if (ext_at(m, i)->start < start && ext_split(m, i++, start) != 0) return 1;
    size_t j = i;
    for (; j < m->n && ext_at(m, j)->start < end; j++) {
        if (ext_at(m, j)->end > end && ext_split(m, j, end) != 0) return 1;
        struct extent *e = ext_at(m, j);
        /* translated code is keyed by pool address: drop it before the pages can serve another mapping */
        if (e->ever_exec) tlb_drop_code(uc, c, e, e->start, e->end);
        struct chunk *ch = chunk_of(m, e->pbase);
        if (ch && ch->shm ? shared_release(uc, m, ch, e->end - e->start) : pfree(m, e->pbase, e->end - e->start)) return 1;
    }
    ext_erase(m, i, j);
    tlb_changed(uc, c, start, end);
    return 0;
}

/* the host's reads and writes (the kernel side's copy_{from,to}_user, the loader): no permission checks */
int pmem_read(struct icount *c, uint64_t addr, uint8_t *out, uint64_t len)
{
    struct pmem *m = &c->pm;
    uint64_t end = addr + len;
    if (end < addr || !covered(m, addr, end)) return 6; /* UC_ERR_READ_UNMAPPED */
    for (size_t i = ext_find(m, addr); addr < end; i++) {
        struct extent *e = ext_at(m, i);
        uint64_t n = (e->end < end ? e->end : end) - addr;
        memcpy(out, pmem_host(m, e->pbase + (addr - e->start)), n);
        out += n;
        addr += n;
    }
    return 0;
}

int pmem_write(uc_engine *uc, struct icount *c, uint64_t addr, const uint8_t *in, uint64_t len)
{
    struct pmem *m = &c->pm;
    uint64_t end = addr + len;
    if (end < addr || !covered(m, addr, end)) return 7; /* UC_ERR_WRITE_UNMAPPED */
    for (size_t i = ext_find(m, addr); addr < end; i++) {
        struct extent *e = ext_at(m, i);
        uint64_t n = (e->end < end ? e->end : end) - addr, p = e->pbase + (addr - e->start);
        /* pages that may hold translated code go through the engine, which invalidates that code */
        if (e->ever_exec) {
            int err = uc_mem_write(uc, p, in, n);
            if (err) return err;
        } else memcpy(pmem_host(m, p), in, n);
        in += n;
        addr += n;
    }
    return 0;
}

/* fork's copy (Cpu.copyMemoryFrom): the same extents over the same pool layout, and the bytes of the pages the
 * source ever touched (an untouched pool page is not resident on the host and reads zero on both sides). */
int pmem_clone(uc_engine *uc, struct icount *dst, struct icount *src)
{
    struct pmem *d = &dst->pm, *s = &src->pm;
    if (d->n || d->nchunks) return 11;
    for (size_t i = 0; i < s->nchunks; i++) {
        if (add_chunk(uc, d, s->chunks[i].pbase, s->chunks[i].size, s->chunks[i].shm) != 0) return 1;
        d->chunks[i].live = s->chunks[i].live;
    }
    d->pool_top = s->pool_top;
    d->free = malloc((s->nfree ? s->nfree : 1) * sizeof(struct prange));
    if (!d->free) return 1;
    memcpy(d->free, s->free, s->nfree * sizeof(struct prange));
    d->nfree = d->freecap = s->nfree;
    unsigned char vec[256];
    for (size_t i = 0; i < s->n; i++) {
        struct extent e = *ext_at(s, i);
        if (ext_insert(d, d->n, e) != 0) return 1;
        struct chunk *ch = chunk_of(s, e.pbase);
        if (ch && ch->shm) continue; /* the same host memory on both sides */
        for (uint64_t a = e.pbase; a < e.pbase + (e.end - e.start); a += sizeof vec * PG) {
            uint64_t n = e.pbase + (e.end - e.start) - a;
            if (n > sizeof vec * PG) n = sizeof vec * PG;
            uint8_t *from = pmem_host(s, a), *to = pmem_host(d, a);
            if (mincore(from, n, vec) != 0) memset(vec, 1, sizeof vec);
            for (uint64_t k = 0; k < n / PG; k++)
                if (vec[k] & 1) memcpy(to + k * PG, from + k * PG, PG);
        }
    }
    tlb_changed(uc, dst, 0, UINT64_MAX);
    return 0;
}

void pmem_free(struct pmem *m)
{
    for (size_t i = 0; i < m->nchunks; i++) {
        if (m->chunks[i].shm) put_shm(m->chunks[i].shm);
        else munmap(m->chunks[i].host, m->chunks[i].size);
    }
    free(m->chunks);
    free(m->free);
    free(m->ext);
}
