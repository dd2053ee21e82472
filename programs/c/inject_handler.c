/* Fault injection with handlers (--inject KIND@insns=N): a load/store loop on `counter` that starts at the global
 * label inject_here, and SIGSEGV/SIGBUS handlers that print what they were given (si_code, si_addr, the frame's
 * fault_address and ESR, si_addr_lsb for BUS_MCEERR_*) and leave the loop with siglongjmp; the program then
 * prints "recovered" and exits 0. Inject at or after the count at which the pc reaches inject_here; without an
 * injected fault it prints "done". */
#include "sig_common.h"

static sigjmp_buf jb;
static long counter __attribute__((aligned(16)));
extern char inject_here[];

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  print_fault("fault", sig, si, ucv);
  if (sig == SIGBUS && (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO))
    out("si_addr_lsb=%d si_addr=0x%lx\n", si->si_addr_lsb, (unsigned long)si->si_addr);
  siglongjmp(jb, 1);
}

int main(void) {
  name_addr("counter", &counter);
  name_addr("inject_here", inject_here);
  install(SIGSEGV, on_fault, 0);
  install(SIGBUS, on_fault, 0);
  if (sigsetjmp(jb, 1)) {
    out("recovered\n");
    return 0;
  }
  /* every third instruction touches counter: the next memory access after any count is close */
  asm volatile(".globl inject_here\ninject_here:\n"
               "  mov x9, #100\n"
               "1: ldr x10, [%0]\n"
               "  add x10, x10, #1\n"
               "  str x10, [%0]\n"
               "  subs x9, x9, #1\n"
               "  b.ne 1b\n" :: "r"(&counter) : "x9", "x10", "memory", "cc");
  out("done counter=%ld\n", counter);
  return 0;
}
