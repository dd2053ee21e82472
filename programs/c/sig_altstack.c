/* Stack overflow caught on an alternate signal stack (kernel.md §9.3 sigsp, §9.7): argv[1] "alt" installs a
 * SA_ONSTACK SIGSEGV handler on a sigaltstack and siglongjmps out of the overflow, twice; "noalt" installs the
 * same handler without an alternate stack: the frame cannot be written → force_sigsegv → dies SIGSEGV + core. */
#include "sig_common.h"

static sigjmp_buf jb;
static char altstack[64 * 1024] __attribute__((aligned(16)));
static volatile long depth, maxdepth;

static void on_segv(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  char here;
  stack_t cur;
  sigaltstack(NULL, &cur);
  out("segv: sig=%d code=%d on_altstack=%d ss_flags=%d uc_stack_sp=%s uc_stack_size=%lu uc_stack_flags=%d\n", sig,
      si->si_code, (uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof altstack,
      cur.ss_flags, sym((uintptr_t)uc->uc_stack.ss_sp, 0), (unsigned long)uc->uc_stack.ss_size, uc->uc_stack.ss_flags);
  long d = (long)((uintptr_t)si->si_addr - uc->uc_mcontext.sp);
  out("segv: si_addr-sp=%ld fault_address=si_addr:%d esr=0x%lx deep=%d\n", d,
      uc->uc_mcontext.fault_address == (uintptr_t)si->si_addr, (unsigned long)frame_esr(uc) & ~0x1ul, depth > 5000);
  maxdepth = depth;
  siglongjmp(jb, 1);
}

__attribute__((noinline)) static long recurse(long n) {
  volatile char pad[1024];
  pad[0] = (char)n;
  depth = n;
  return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  name_addr("altstack", altstack);
  out("mode %s\n", m);
  if (!strcmp(m, "alt")) {
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL)) { out("sigaltstack failed\n"); return 3; }
  }
  install(SIGSEGV, on_segv, SA_ONSTACK);
  for (int round = 1; round <= 2; round++) {
    depth = 0;
    if (sigsetjmp(jb, 1) == 0) recurse(1);
    stack_t cur;
    sigaltstack(NULL, &cur);
    out("round %d recovered: segv_blocked=%d ss_flags=%d\n", round, is_blocked(SIGSEGV), cur.ss_flags);
  }
  return 0;
}
