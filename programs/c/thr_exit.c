// argv[1] "group": a worker calls exit(7) (exit_group) while main waits in pthread_join: the process exits 7.
// "robust": a worker dies holding a robust mutex: main's lock returns EOWNERDEAD and makes it consistent.
// "cancel": main cancels a worker blocked in pause(): join returns PTHREAD_CANCELED.
// "leader": main calls pthread_exit; the last worker ends the process with its leader's status (0).
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m;

static void *exiter(void *a) { (void)a; exit(7); }
static void *dier(void *a) { pthread_mutex_lock(&m); return a; }
static void *pauser(void *a) { for (;;) pause(); return a; }
static void *late(void *a) { for (int i = 0; i < 3; i++) sched_yield(); printf("last thread done\n"); return a; }

int main(int argc, char **argv) {
  pthread_t t;
  void *ret;
  const char *mode = argc > 1 ? argv[1] : "group";
  if (!strcmp(mode, "group")) {
    pthread_create(&t, 0, exiter, 0);
    pthread_join(t, 0);
    return 1;
  }
  if (!strcmp(mode, "robust")) {
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &at);
    pthread_create(&t, 0, dier, 0);
    pthread_join(t, 0);
    int r = pthread_mutex_lock(&m);
    printf("lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    printf("consistent: %d\n", pthread_mutex_consistent(&m));
    printf("unlock: %d\n", pthread_mutex_unlock(&m));
    return 0;
  }
  if (!strcmp(mode, "cancel")) {
    pthread_create(&t, 0, pauser, 0);
    sched_yield();
    pthread_cancel(t);
    pthread_join(t, &ret);
    printf("join: %s\n", ret == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "other");
    return 0;
  }
  pthread_create(&t, 0, late, 0);
  pthread_exit(0);
}
