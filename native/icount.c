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

#define UC_HOOK_CODE (1 << 2)

struct icount {
    uint64_t retired;  /* instructions that completed */
    uint64_t limit;    /* stop before the instruction that would make retired exceed this */
    uint64_t pc;       /* address of the last instruction the hook saw (the one about to run) */
    size_t hook;
};

static void count_cb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct icount *c = user;
    (void)size;
    if (c->retired >= c->limit) {
        uc_emu_stop(uc);
        return;
    }
    c->pc = address;
    c->retired++;
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
    free(c);
}

uint64_t af_icount_get(struct icount *c) { return c->retired; }
void af_icount_set(struct icount *c, uint64_t v) { c->retired = v; }
void af_icount_limit(struct icount *c, uint64_t limit) { c->limit = limit; }
uint64_t af_icount_pc(struct icount *c) { return c->pc; }
