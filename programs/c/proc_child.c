// /proc of another process: fork a child that renames itself and waits in pause(), read its /proc/<pid> files
// from the parent, then kill and reap it.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *fmt, int pid, const char *key) {
  char path[64], buf[8192];
  snprintf(path, sizeof path, fmt, pid);
  int fd = open(path, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0) close(fd);
  if (n < 0) { printf("%s: unreadable\n", path); return; }
  buf[n] = 0;
  if (!key) { printf("%s: %s", path, buf); return; }
  for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (strncmp(l, key, strlen(key)) == 0) printf("%s: %.*s\n", path, (int)strcspn(l, "\n"), l);
}

int main(void) {
  pid_t c = fork();
  if (c == 0) {
    int fd = open("/proc/self/comm", O_WRONLY);
    write(fd, "kid", 3);
    close(fd);
    for (;;) pause();
  }
  // wait (yielding) until the child has renamed itself and sleeps in pause()
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%d/stat", c);
  for (int i = 0; i < 10000; i++) {
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    if (strstr(buf, "(kid) S")) break;
    sched_yield();
  }
  show("/proc/%d/comm", c, NULL);
  show("/proc/%d/status", c, "State:");
  show("/proc/%d/status", c, "PPid:");
  char tpath[64];
  snprintf(tpath, sizeof tpath, "/proc/%d/task/%%d/comm", c);
  show(tpath, c, NULL);
  show("/proc/%d/coredump_filter", c, NULL);
  kill(c, SIGKILL);
  int st;
  waitpid(c, &st, 0);
  show("/proc/%d/status", c, "State:");
  printf("reaped: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed" : "?");
  return 0;
}
