/* abort() (kernel.md §7.1, glibc stdlib/abort.c): argv[1] "plain" → SIGABRT with a core; "blocked" → abort
 * unblocks SIGABRT itself; "handler" → a SIGABRT handler that returns: glibc then resets SIGABRT to SIG_DFL
 * and raises it again → dies SIGABRT. The handler prints si_code (SI_TKILL from raise/tgkill). */
#include "sig_common.h"

static void on_abrt(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  out("abrt: sig=%d code=%d si_pid=%s esr=%s\n", sig, si->si_code, si->si_pid == getpid() ? "self" : "other",
      frame_esr(uc) < 0 ? "none" : "present");
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  out("mode %s\n", m);
  if (!strcmp(m, "blocked")) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGABRT);
    sigprocmask(SIG_BLOCK, &s, NULL);
    out("abrt blocked=%d\n", is_blocked(SIGABRT));
  } else if (!strcmp(m, "handler")) {
    install(SIGABRT, on_abrt, 0);
  } else if (strcmp(m, "plain")) {
    out("unknown mode\n");
    return 2;
  }
  abort();
}
