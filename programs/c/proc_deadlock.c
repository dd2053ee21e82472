// A hang across processes: the parent waits for its child, which waits for a signal nobody sends.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  pid_t p = fork();
  if (p == 0) { pause(); _exit(0); }
  printf("waiting for %d\n", p);
  int st;
  waitpid(p, &st, 0);
  printf("not reached\n");
  return 0;
}
