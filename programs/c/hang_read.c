// A read that blocks on an empty pipe (the write end stays open), hit by SIGALRM after 1 s of virtual time:
// without SA_RESTART read returns EINTR; with it the read is restarted and waits on (the run is stuck).
// With "child", the blocked reader is a child and the parent waits for it in wait4.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_alrm(int sig) { (void)sig; printf("SIGALRM handler\n"); }

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IONBF, 0);
  int fds[2];
  pipe(fds);
  const char *mode = argc > 1 ? argv[1] : "norestart";
  if (strcmp(mode, "child") == 0) {
    pid_t p = fork();
    if (p == 0) { char c; read(fds[0], &c, 1); _exit(0); }
    int st;
    printf("parent waits for %d\n", p);
    waitpid(p, &st, 0);
    printf("not reached\n");
    return 0;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alrm;
  sa.sa_flags = strcmp(mode, "restart") == 0 ? SA_RESTART : 0;
  sigaction(SIGALRM, &sa, 0);
  alarm(1);
  char c;
  ssize_t n = read(fds[0], &c, 1);
  printf("read=%zd errno=%s\n", n, n < 0 ? strerror(errno) : "0");
  return 0;
}
