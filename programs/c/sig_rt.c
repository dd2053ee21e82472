/* Queued and waited-for signals (kernel.md §7.2, §7.3): argv[1]
 *   quit      raise(SIGQUIT) with SIG_DFL → dies with a core
 *   rtqueue   block SIGRTMIN..SIGRTMIN+2, sigqueue them with values 300, 200, 100 in reverse signal order (and a
 *             second SIGRTMIN), unblock → delivered lowest signal first, each queued entry with its si_value
 *   wait      a pending blocked SIGUSR2 (kill) and SIGRTMIN+1 (sigqueue) taken by sigwaitinfo / sigtimedwait;
 *             sigtimedwait with a zero timeout on nothing pending → EAGAIN */
#include "sig_common.h"
#include <errno.h>
#include <time.h>

static void on_rt(int sig, siginfo_t *si, void *ucv) {
  (void)ucv;
  out("rt: sig=SIGRTMIN+%d code=%d value=%d si_pid=%s si_uid=%s\n", sig - SIGRTMIN, si->si_code,
      si->si_value.sival_int, si->si_pid == getpid() ? "self" : "other", si->si_uid == getuid() ? "self" : "other");
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  out("mode %s\n", m);
  if (!strcmp(m, "quit")) {
    raise(SIGQUIT);
    out("not reached\n");
  } else if (!strcmp(m, "rtqueue")) {
    sigset_t s;
    sigemptyset(&s);
    for (int i = 0; i < 3; i++) { sigaddset(&s, SIGRTMIN + i); install(SIGRTMIN + i, on_rt, 0); }
    sigprocmask(SIG_BLOCK, &s, NULL);
    for (int i = 2; i >= 0; i--) sigqueue(getpid(), SIGRTMIN + i, (union sigval){ .sival_int = 100 * (3 - i) });
    sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 301 });
    sigset_t p;
    sigpending(&p);
    out("pending: %d %d %d\n", sigismember(&p, SIGRTMIN), sigismember(&p, SIGRTMIN + 1), sigismember(&p, SIGRTMIN + 2));
    out("unblocking\n");
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    out("after unblock\n");
  } else if (!strcmp(m, "wait")) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 4242 });
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = sigwaitinfo(&s, &si);
    out("sigwaitinfo: ret=%d signo=%d code=%d si_pid=%s\n", r, si.si_signo, si.si_code, si.si_pid == getpid() ? "self" : "other");
    struct timespec ts = { 1, 0 };
    memset(&si, 0, sizeof si);
    r = sigtimedwait(&s, &si, &ts);
    out("sigtimedwait: ret=SIGRTMIN+%d code=%d value=%d\n", r - SIGRTMIN, si.si_code, si.si_value.sival_int);
    ts.tv_sec = 0;
    errno = 0;
    r = sigtimedwait(&s, &si, &ts);
    out("sigtimedwait empty: ret=%d eagain=%d\n", r, errno == EAGAIN);
  } else {
    out("unknown mode\n");
    return 2;
  }
  return 0;
}
