// Mutex, condition variable, barrier and semaphore with N threads: the counts must come out exact.
// argv[1] "race": the threads append their letter to a shared string between sched_yield()s: the order is
// the interleaving the scheduler chose (--sched-seed changes it, reproducibly).
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#define N 4
#define ITERS 2000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;
static sem_t sem;
static long counter, produced, consumed, sem_count, after_barrier;
static int queue_len;
static char order[64];
static int order_len;

static void *racer(void *a) {
  for (int i = 0; i < 4; i++) {
    order[__atomic_fetch_add(&order_len, 1, __ATOMIC_SEQ_CST)] = 'A' + (int)(long)a;
    sched_yield();
  }
  return 0;
}

static void *work(void *a) {
  long id = (long)a;
  for (int i = 0; i < ITERS; i++) {
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
  }
  pthread_barrier_wait(&bar);
  __atomic_fetch_add(&after_barrier, counter, __ATOMIC_SEQ_CST); // every thread sees the full count
  for (int i = 0; i < ITERS / 10; i++) { // producers (even ids) and consumers (odd ids) on a condvar
    pthread_mutex_lock(&m);
    if (id % 2 == 0) {
      queue_len++;
      produced++;
      pthread_cond_signal(&cv);
    } else {
      while (queue_len == 0) pthread_cond_wait(&cv, &m);
      queue_len--;
      consumed++;
    }
    pthread_mutex_unlock(&m);
  }
  for (int i = 0; i < ITERS / 10; i++) {
    sem_wait(&sem);
    __atomic_fetch_add(&sem_count, 1, __ATOMIC_SEQ_CST);
    sem_post(&sem);
  }
  return 0;
}

int main(int argc, char **argv) {
  pthread_t t[N];
  if (argc > 1 && !strcmp(argv[1], "race")) {
    for (long i = 0; i < N; i++) pthread_create(&t[i], 0, racer, (void *)i);
    for (int i = 0; i < N; i++) pthread_join(t[i], 0);
    printf("order %s\n", order);
    return 0;
  }
  pthread_barrier_init(&bar, 0, N);
  sem_init(&sem, 0, 1);
  for (long i = 0; i < N; i++) pthread_create(&t[i], 0, work, (void *)i);
  for (int i = 0; i < N; i++) pthread_join(t[i], 0);
  printf("counter %ld (want %d)\n", counter, N * ITERS);
  printf("after barrier %ld (want %d)\n", after_barrier, N * N * ITERS);
  printf("produced %ld consumed %ld\n", produced, consumed);
  printf("semaphore %ld (want %d)\n", sem_count, N * ITERS / 10);
  return 0;
}
