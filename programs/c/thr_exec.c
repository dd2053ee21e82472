// execve from a multi-threaded process (fs/exec.c de_thread): the other threads are killed first, and when a
// thread other than the leader calls execve it takes the leader's pid as its tid. argv[1]: "leader" (main
// execs while two threads spin), "thread" (the second thread execs while main waits in pthread_join), "after"
// (the exec'd image: prints what it is).
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *self;

static void *spin(void *arg) {
  (void)arg;
  for (;;) sched_yield();
}

static void *exec_it(void *arg) {
  (void)arg;
  printf("thread %ld execs\n", (long)syscall(SYS_gettid));
  fflush(stdout);
  execl(self, self, "after", (char *)0);
  perror("execl");
  return 0;
}

int main(int argc, char **argv) {
  self = argv[0];
  if (argc > 1 && strcmp(argv[1], "after") == 0) {
    char line[256];
    int threads = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f)) sscanf(line, "Threads: %d", &threads);
    printf("after exec: pid=%d tid=%ld ppid=%d threads=%d\n", getpid(), (long)syscall(SYS_gettid), getppid(), threads);
    return 7;
  }
  pthread_t a, b;
  pthread_create(&a, 0, spin, 0);
  if (argc > 1 && strcmp(argv[1], "thread") == 0) {
    pthread_create(&b, 0, exec_it, 0);
    pthread_join(b, 0);
    printf("join returned: wrong\n");
    return 1;
  }
  pthread_create(&b, 0, spin, 0);
  printf("main %d execs\n", getpid());
  fflush(stdout);
  execl(self, self, "after", (char *)0);
  perror("execl");
  return 1;
}
