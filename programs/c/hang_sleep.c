#define _GNU_SOURCE
/* A process that hangs: `sleep 10` (nanosleep), then pause() forever. A signal at a virtual time interrupts the
 * sleep (EINTR after a handler without SA_RESTART, or the default action); nothing can end the pause. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "handler") == 0) signal(SIGUSR1, on_usr1);
  struct timespec req = { 10, 0 }, rem = { 0, 0 };
  setvbuf(stdout, 0, _IONBF, 0);
  printf("sleeping\n");
  int r = nanosleep(&req, &rem);
  printf("nanosleep=%d errno=%s rem=%ld.%09ld\n", r, r ? strerrorname_np(errno) : "0", (long)rem.tv_sec, rem.tv_nsec);
  printf("pausing\n");
  pause();
  printf("not reached\n");
  return 0;
}
