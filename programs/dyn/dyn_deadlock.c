// Dynamically linked (libc.so.6 from the sysroot): two threads that deadlock on two mutexes while main joins them.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;

static void *ab(void *arg) {
  (void)arg;
  pthread_mutex_lock(&a);
  pthread_barrier_wait(&both);
  pthread_mutex_lock(&b);
  return 0;
}

static void *ba(void *arg) {
  (void)arg;
  pthread_mutex_lock(&b);
  pthread_barrier_wait(&both);
  pthread_mutex_lock(&a);
  return 0;
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  pthread_t t1, t2;
  pthread_barrier_init(&both, 0, 2);
  pthread_create(&t1, 0, ab, 0);
  pthread_create(&t2, 0, ba, 0);
  printf("joining\n");
  pthread_join(t1, 0);
  printf("not reached\n");
  return 0;
}
