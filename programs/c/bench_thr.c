// Benchmark (bench/threads.ts): argv[1] "futex": two threads hand a token back and forth N times with
// FUTEX_WAIT/FUTEX_WAKE (a wait/wake round trip each); "yield": two threads call sched_yield N times each (a
// thread switch each). argv[2] is N.
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int token;
static long n;

static void fwait(volatile int *a, int v) { syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, 0, 0, 0); }
static void fwake(volatile int *a) { syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0); }

static void *pong(void *a) {
  for (long i = 0; i < n; i++) {
    while (token != 1) fwait(&token, 0);
    token = 0;
    fwake(&token);
  }
  return a;
}

static void *yielder(void *a) {
  for (long i = 0; i < n; i++) sched_yield();
  return a;
}

int main(int argc, char **argv) {
  pthread_t t;
  n = argc > 2 ? atol(argv[2]) : 10000;
  if (argc > 1 && !strcmp(argv[1], "yield")) {
    pthread_create(&t, 0, yielder, 0);
    yielder(0);
  } else {
    pthread_create(&t, 0, pong, 0);
    for (long i = 0; i < n; i++) {
      token = 1;
      fwake(&token);
      while (token != 0) fwait(&token, 1);
    }
  }
  pthread_join(t, 0);
  printf("done %ld\n", n);
  return 0;
}
