/* rt_sigreturn rejecting a corrupted frame (kernel.md §9.6): a SIGUSR1 handler damages its own frame and returns
 * (or calls rt_sigreturn itself with a bad sp); the kernel answers with a forced SIGSEGV, si_addr = regs->sp at
 * that point, SEGV_ACCERR when a VMA lies at or above it else SEGV_MAPERR, fault_code 0 (no esr_context).
 * The SIGSEGV handler runs on an alternate stack (the sp may be unusable) and exits with status 0.
 * argv[1]: fpmagic, fpsize (544 instead of 528, list still well formed), unknown (a record with magic 0x12345678), pstate (restored sp = the interrupted sp), badsp (sp = frame + 8),
 *          kernelsp (sp = 0xfffffffffffffff0: above every VMA, and access_ok fails). */
#include "sig_common.h"

static char altstack[64 * 1024] __attribute__((aligned(16)));
static const char *mode;
static uintptr_t expect_sp;
static uintptr_t interrupted_sp;

static void on_segv(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  out("segv: sig=%d code=%d addr=%s esr=%s fault_address=0x%lx\n", sig, si->si_code,
      (uintptr_t)si->si_addr == expect_sp ? "expected_sp" : sym((uintptr_t)si->si_addr, 0),
      frame_esr(uc) < 0 ? "none" : "present", (unsigned long)uc->uc_mcontext.fault_address);
  out("segv: interrupted sp %s\n", uc->uc_mcontext.sp == expect_sp ? "= si_addr" : "!= si_addr");
  _exit(0);
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  struct ctx_head *h = (struct ctx_head *)uc->uc_mcontext.__reserved;
  (void)sig; (void)si;
  interrupted_sp = uc->uc_mcontext.sp;
  expect_sp = interrupted_sp;
  out("usr1: first record magic=0x%x size=%u\n", h->magic, h->size);
  if (!strcmp(mode, "fpmagic")) h->magic = 0x46508002;
  else if (!strcmp(mode, "fpsize")) {
    /* a well-formed list whose fpsimd record claims 544 bytes: only the exact-size check rejects it */
    struct ctx_head *t = (struct ctx_head *)((char *)h + 544);
    h->size = 544;
    t->magic = 0; t->size = 0;
  }
  else if (!strcmp(mode, "unknown")) {
    struct ctx_head *n = (struct ctx_head *)((char *)h + h->size);
    while (n->magic) n = (struct ctx_head *)((char *)n + n->size);
    n->magic = 0x12345678; n->size = 16;
    ((struct ctx_head *)((char *)n + 16))->magic = 0; ((struct ctx_head *)((char *)n + 16))->size = 0;
  } else if (!strcmp(mode, "pstate")) uc->uc_mcontext.pstate |= 0x5; /* PSR_MODE_EL1h */
  else if (!strcmp(mode, "badsp") || !strcmp(mode, "kernelsp")) {
    uintptr_t frame = (uintptr_t)si; /* the rt_sigframe starts with the siginfo */
    expect_sp = !strcmp(mode, "badsp") ? frame + 8 : 0xfffffffffffffff0ul;
    register uintptr_t x0 asm("x0") = expect_sp;
    asm volatile("mov sp, x0\n mov x8, #139\n svc #0\n brk #1" :: "r"(x0) : "memory");
  }
  out("usr1: returning\n");
}

int main(int argc, char **argv) {
  mode = argc > 1 ? argv[1] : "";
  out("mode %s\n", mode);
  stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
  sigaltstack(&ss, NULL);
  install(SIGSEGV, on_segv, SA_ONSTACK);
  install(SIGUSR1, on_usr1, 0);
  raise(SIGUSR1);
  out("returned normally\n");
  return 1;
}
