// Process groups: setpgid, kill to a group, getpgid/getsid; a stop and a continue seen by the parent.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0); // no buffered output is inherited by a fork child
  pid_t a = fork();
  if (a == 0) { setpgid(0, 0); for (;;) pause(); }
  setpgid(a, a);
  pid_t b = fork();
  if (b == 0) { for (;;) pause(); }
  setpgid(b, a);
  printf("pgid a=leader %d b=in a's group %d sid same %d\n", getpgid(a) == a, getpgid(b) == a, getsid(a) == getsid(0));
  printf("setpgid to a foreign group: %s\n", setpgid(0, 1) == 0 ? "ok" : strerror(errno));
  printf("kill(-pgrp): %d\n", kill(-a, SIGTERM));
  int st;
  for (int i = 0; i < 2; i++) {
    pid_t w = wait(&st);
    printf("reaped %s status=0x%x\n", w == a ? "a" : w == b ? "b" : "?", st);
  }
  printf("kill(no such pid): %d %s\n", kill(999999, 0), strerror(errno));
  pid_t c = fork();
  if (c == 0) { raise(SIGSTOP); printf("child continued\n"); fflush(stdout); _exit(5); }
  waitpid(c, &st, WUNTRACED);
  printf("stopped: 0x%x WIFSTOPPED=%d WSTOPSIG=%d\n", st, WIFSTOPPED(st), WSTOPSIG(st));
  kill(c, SIGCONT);
  waitpid(c, &st, WCONTINUED);
  printf("continued: 0x%x WIFCONTINUED=%d\n", st, WIFCONTINUED(st));
  waitpid(c, &st, 0);
  printf("exited: 0x%x\n", st);
  return 0;
}
