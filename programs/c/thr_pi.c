// Priority-inheritance mutexes (PTHREAD_PRIO_INHERIT: FUTEX_LOCK_PI, TRYLOCK_PI, UNLOCK_PI): contention between
// threads, trylock on a held lock, unlock by a non-owner, and a robust PI mutex whose owner dies: the next
// locker gets EOWNERDEAD, then makes it consistent.
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m, robust;
static long counter;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 20000; i++) {
    pthread_mutex_lock(&m);
    long c = counter;
    if (i % 1000 == 0) sched_yield(); // let the other thread meet a held lock
    counter = c + 1;
    pthread_mutex_unlock(&m);
  }
  return 0;
}

static void *dies_holding(void *arg) {
  (void)arg;
  pthread_mutex_lock(&robust);
  return 0; // exits with the lock held
}

static void *try_other(void *arg) {
  (void)arg;
  int r = pthread_mutex_trylock(&m);
  printf("trylock of a held PI mutex: %s\n", strerror(r));
  r = pthread_mutex_unlock(&m);
  printf("unlock by a non-owner: %s\n", strerror(r));
  return 0;
}

int main(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&m, &a);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &a);

  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, worker, 0);
  for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
  printf("counter: %ld\n", counter);

  pthread_mutex_lock(&m);
  printf("relock by the owner: %s\n", strerror(pthread_mutex_lock(&m)));
  pthread_create(&t[0], 0, try_other, 0);
  pthread_join(t[0], 0);
  pthread_mutex_unlock(&m);

  pthread_create(&t[0], 0, dies_holding, 0);
  pthread_join(t[0], 0);
  int r = pthread_mutex_lock(&robust);
  printf("lock after the owner died: %s\n", strerror(r));
  if (r == EOWNERDEAD) pthread_mutex_consistent(&robust);
  printf("unlock: %s\n", strerror(pthread_mutex_unlock(&robust)));
  printf("lock again: %s\n", strerror(pthread_mutex_lock(&robust)));
  return 0;
}
