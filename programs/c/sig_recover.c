/* Handler control flow after a fault (kernel.md §7.1, §7.5): argv[1] picks the scenario.
 *   skip        handler advances uc_mcontext.pc by 4 and returns: execution continues after the load
 *   nested      the SIGSEGV handler raises SIGUSR1; its handler runs on top, then both return
 *   resethand   SA_RESETHAND: first fault handled (siglongjmp), the second kills (SIGSEGV, core)
 *   nodefer     SA_NODEFER: a fault inside the handler re-enters it; depth 2 siglongjmps out
 *   inhandler   a fault inside the handler without SA_NODEFER: forced SIGSEGV → dies with core
 *   blocked     SIGSEGV blocked by sigprocmask, then a fault → dies (the handler never runs)
 *   ignored     SIGSEGV set to SIG_IGN, then a fault → dies
 *   refault     the handler just returns: the load faults again, forever */
#include "sig_common.h"

static sigjmp_buf jb;
static volatile int depth;

static void on_skip(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  print_fault("segv", sig, si, uc);
  /* no sigaltstack: __save_altstack stores sas_ss_sp 0, size 0 and the raw flags SS_DISABLE (2) */
  out("segv: uc_stack sp=%p size=%lu flags=%d uc_flags=%lu uc_link=%p\n", uc->uc_stack.ss_sp,
      (unsigned long)uc->uc_stack.ss_size, uc->uc_stack.ss_flags, uc->uc_flags, (void *)uc->uc_link);
  uc->uc_mcontext.pc += 4;
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  out("usr1: depth=%d code=%d segv_blocked=%d usr1_blocked=%d saved_mask_has_segv=%d\n", depth, si->si_code,
      is_blocked(SIGSEGV), is_blocked(SIGUSR1), sigismember(&uc->uc_sigmask, SIGSEGV));
}

static void on_nested(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  depth++;
  print_fault("segv", sig, si, uc);
  raise(SIGUSR1);
  out("segv: back from usr1, segv_blocked=%d\n", is_blocked(SIGSEGV));
  depth--;
  uc->uc_mcontext.pc += 4;
}

static void on_jump(int sig, siginfo_t *si, void *ucv) {
  print_fault("segv", sig, si, ucv);
  siglongjmp(jb, 1);
}

static void on_nodefer(int sig, siginfo_t *si, void *ucv) {
  int d = ++depth;
  print_fault("segv", sig, si, ucv);
  out("depth=%d segv_blocked=%d\n", d, is_blocked(SIGSEGV));
  if (d == 1) do_null();
  siglongjmp(jb, 1);
}

static void on_inhandler(int sig, siginfo_t *si, void *ucv) {
  print_fault("segv", sig, si, ucv);
  out("faulting again in the handler\n");
  do_write();
  out("not reached\n");
}

static volatile long refaults;
static void on_refault(int sig, siginfo_t *si, void *ucv) { (void)sig; (void)si; (void)ucv; refaults++; }

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  name_all();
  out("mode %s\n", m);
  if (!strcmp(m, "skip")) {
    install(SIGSEGV, on_skip, 0);
    long v = do_skip();
    out("after skip: v=%ld segv_blocked=%d\n", v, is_blocked(SIGSEGV));
  } else if (!strcmp(m, "nested")) {
    install(SIGSEGV, on_nested, 0);
    install(SIGUSR1, on_usr1, 0);
    long v = do_skip();
    out("after nested: v=%ld depth=%d\n", v, depth);
  } else if (!strcmp(m, "resethand")) {
    install(SIGSEGV, on_jump, SA_RESETHAND);
    if (sigsetjmp(jb, 1) == 0) do_null();
    struct sigaction old;
    sigaction(SIGSEGV, NULL, &old);
    out("after first: handler_is_dfl=%d segv_blocked=%d\n", old.sa_handler == SIG_DFL, is_blocked(SIGSEGV));
    do_write();
    out("not reached\n");
  } else if (!strcmp(m, "nodefer")) {
    install(SIGSEGV, on_nodefer, SA_NODEFER);
    if (sigsetjmp(jb, 1) == 0) do_null();
    out("after nodefer: depth=%d segv_blocked=%d\n", depth, is_blocked(SIGSEGV));
  } else if (!strcmp(m, "inhandler")) {
    install(SIGSEGV, on_inhandler, 0);
    do_null();
    out("not reached\n");
  } else if (!strcmp(m, "blocked")) {
    install(SIGSEGV, on_jump, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    out("segv blocked=%d\n", is_blocked(SIGSEGV));
    do_null();
    out("not reached\n");
  } else if (!strcmp(m, "ignored")) {
    signal(SIGSEGV, SIG_IGN);
    out("segv ignored\n");
    do_null();
    out("not reached\n");
  } else if (!strcmp(m, "refault")) {
    install(SIGSEGV, on_refault, 0);
    do_null();
    out("not reached\n");
  } else {
    out("unknown mode\n");
    return 2;
  }
  return 0;
}
