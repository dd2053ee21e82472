// An orphan is reparented to the first process (it plays init), which then reaps it.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0); // no buffered output is inherited by a fork child
  int fds[2];
  pid_t me = getpid();
  pid_t child = fork();
  if (child == 0) {
    pid_t grand = fork();
    if (grand == 0) {
      while (getppid() != me) usleep(1000); // until the middle process is gone
      printf("grandchild: reparented to the first process\n");
      fflush(stdout);
      _exit(7);
    }
    _exit(0);
  }
  int st;
  waitpid(child, &st, 0);
  printf("middle exited: 0x%x\n", st);
  pid_t w = wait(&st);
  printf("reaped the orphan: %d status=0x%x\n", w > child, st);
  (void)fds;
  return 0;
}
