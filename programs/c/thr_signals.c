// Thread-directed and process-directed signals. 1: tgkill(SIGUSR1) to a worker runs the handler in that worker
// (gettid() inside). 2: kill(getpid(), SIGUSR2) while every thread but one blocks it: that one takes it.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#define gettid() ((pid_t)syscall(SYS_gettid))

static volatile pid_t in_handler1, in_handler2, tids[3];
static volatile int go, done;
static pthread_barrier_t ready;

static void h1(int sig) { (void)sig; in_handler1 = gettid(); }
static void h2(int sig) { (void)sig; in_handler2 = gettid(); }

static void *worker(void *arg) {
  long i = (long)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  if (i != 2) pthread_sigmask(SIG_BLOCK, &s, 0); // only worker 2 takes SIGUSR2
  tids[i] = gettid();
  pthread_barrier_wait(&ready);
  while (!done) sched_yield();
  return 0;
}

int main(void) {
  pthread_t t[3];
  sigset_t s;
  signal(SIGUSR1, h1);
  signal(SIGUSR2, h2);
  pthread_barrier_init(&ready, 0, 4);
  for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, worker, (void *)i);
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &s, 0);
  pthread_barrier_wait(&ready);
  syscall(SYS_tgkill, getpid(), tids[1], SIGUSR1);
  while (!in_handler1) sched_yield();
  kill(getpid(), SIGUSR2);
  while (!in_handler2) sched_yield();
  done = 1;
  for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
  printf("tgkill: handler in %s\n", in_handler1 == tids[1] ? "worker 1" : "another thread");
  printf("kill: handler in %s\n", in_handler2 == tids[2] ? "worker 2" : "another thread");
  return 0;
}
