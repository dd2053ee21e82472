// A worker thread faults (SIGSEGV, SEGV_MAPERR at 0x10) while main waits in pthread_join and a third thread
// sleeps in pause(): the core must hold all three threads, the faulting one first, each with its own TLS.
#include <pthread.h>
#include <unistd.h>
#include <sys/prctl.h>

__thread volatile int tlsvar;

static void *idle(void *a) {
  prctl(PR_SET_NAME, "idler");
  tlsvar = 7;
  for (;;) pause();
  return a;
}

static void *worker(void *a) {
  prctl(PR_SET_NAME, "faulter");
  tlsvar = 0x1234;
  sched_yield(); // let idle reach pause() first
  *(volatile int *)0x10 = 1;
  return a;
}

int main(void) {
  pthread_t t, u;
  tlsvar = 42;
  pthread_create(&u, 0, idle, 0);
  pthread_create(&t, 0, worker, 0);
  pthread_join(t, 0);
  return 0;
}
