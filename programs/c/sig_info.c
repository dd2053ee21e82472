/* What a SA_SIGINFO handler sees for each kind of fault, in one run (kernel.md §2–4, §9.5): a BRK before any
 * fault (no esr_context), a NULL read, an unmapped write, a misaligned LDXR, a BRK after it (fault_address and
 * esr stale from the LDXR), kill(SIGUSR1) (stale too, si_pid/si_uid of the sender), udf (clears both, no
 * esr_context), kill again. The fault handlers leave with siglongjmp. */
#include "sig_common.h"

static sigjmp_buf jb;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  print_fault("fault", sig, si, ucv);
  out("records=%s\n", frame_records(ucv));
  siglongjmp(jb, 1);
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  print_fault("usr1", sig, si, uc);
  out("usr1: si_pid=%s si_uid=%s\n", si->si_pid == getpid() ? "self" : "other", si->si_uid == getuid() ? "self" : "other");
  out("raw: si_pid=%d si_uid=%u\n", si->si_pid, si->si_uid);
}

static void step(const char *what, void (*fn)(void)) {
  out("step %s\n", what);
  if (sigsetjmp(jb, 1) == 0) {
    fn();
    out("%s: no fault\n", what);
  }
  out("blocked after %s: segv=%d bus=%d\n", what, is_blocked(SIGSEGV), is_blocked(SIGBUS));
}

static void f_null(void) { do_null(); }
static void f_ldxr(void) { do_ldxr(); }
static void f_kill(void) { kill(getpid(), SIGUSR1); }

int main(void) {
  name_all();
  name_addr("kill", (void *)kill); /* the pc of a kill(2) signal is just past its svc */
  install(SIGSEGV, on_fault, 0);
  install(SIGBUS, on_fault, 0);
  install(SIGILL, on_fault, 0);
  install(SIGTRAP, on_fault, 0);
  install(SIGUSR1, on_usr1, 0);
  step("brk", do_brk);
  step("null", f_null);
  step("write", do_write);
  step("ldxr", f_ldxr);
  step("brk", do_brk);
  step("kill", f_kill);
  step("udf", do_udf);
  step("kill", f_kill);
  out("done\n");
  return 0;
}
