// fork + wait4/waitid: exit statuses with and without a core, SIGCHLD's siginfo, vfork + a failing exec, ECHILD.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int chld_code, chld_pid, chld_status, chld_count;
static void on_chld(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  chld_code = si->si_code, chld_pid = si->si_pid, chld_status = si->si_status, chld_count++;
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0); // no buffered output is inherited by a fork child
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGCHLD, &sa, 0);
  int x = 1, st;
  pid_t parent = getpid();
  pid_t p = fork();
  if (p == 0) { x = 2; printf("child: ppid is parent %d, x=%d\n", getppid() == parent, x); _exit(3); }
  pid_t w = waitpid(p, &st, 0);
  printf("exit: wait=child %d status=0x%x WEXITSTATUS=%d x=%d SIGCHLD code=%d pid=child %d status=%d\n",
         w == p, st, WEXITSTATUS(st), x, chld_code, chld_pid == p, chld_status);
  p = fork();
  if (p == 0) { *(volatile int *)8 = 1; _exit(0); }
  w = waitpid(p, &st, 0);
  printf("segv: status=0x%x WTERMSIG=%d WCOREDUMP=%d SIGCHLD code=%d status=%d\n", st, WTERMSIG(st), !!WCOREDUMP(st), chld_code, chld_status);
  p = fork();
  if (p == 0) { raise(SIGTERM); _exit(0); }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r = waitid(P_PID, p, &si, WEXITED);
  printf("waitid: r=%d signo=%d code=%d pid=child %d status=%d\n", r, si.si_signo, si.si_code, si.si_pid == p, si.si_status);
  p = fork();
  if (p == 0) { pause(); _exit(0); }
  printf("WNOHANG: %d\n", waitpid(p, &st, WNOHANG));
  kill(p, SIGKILL);
  waitpid(p, &st, 0);
  printf("SIGKILL: status=0x%x\n", st);
  p = vfork();
  if (p == 0) { execl("/nonexistent", "x", (char *)0); _exit(127); }
  waitpid(p, &st, 0);
  printf("vfork+exec ENOENT: status=0x%x\n", st);
  errno = 0;
  printf("no children: %d errno=%s\n", wait(&st), strerror(errno));
  printf("SIGCHLD count=%d\n", chld_count);
  return 0;
}
