// Reads its own /proc files and prints them raw between markers (test/proc.test.ts compares them byte for byte
// with the kernel's formats), then checks what they say against what it knows of itself.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[1 << 16];

static ssize_t slurp(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  ssize_t n = 0, r;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  return n;
}

static void dump(const char *path) {
  ssize_t n = slurp(path);
  printf("==> %s\n", path);
  if (n < 0) printf("error %s\n", strerror(-n));
  else fwrite(buf, 1, n, stdout);
  printf("<==\n");
}

static void show_link(const char *path) {
  char t[4096];
  ssize_t n = readlink(path, t, sizeof t - 1);
  if (n < 0) printf("readlink %s: %s\n", path, strerror(errno));
  else printf("readlink %s -> %.*s\n", path, (int)n, t);
}

static void put(const char *path, const char *value) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) { printf("write %s: open: %s\n", path, strerror(errno)); return; }
  ssize_t n = write(fd, value, strlen(value));
  printf("write %s = %zd%s%s\n", path, n, n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
  close(fd);
}

static long field(const char *text, const char *key) {
  const char *p = strstr(text, key);
  return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  const char *files[] = { "/proc/self/status", "/proc/self/stat", "/proc/self/cmdline", "/proc/self/limits",
    "/proc/self/maps", "/proc/self/comm", "/proc/self/coredump_filter", "/proc/self/statm",
    "/proc/self/environ", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/osrelease",
    "/proc/sys/vm/max_map_count", "/proc/sys/kernel/pid_max", "/proc/sys/fs/suid_dumpable" };
  for (unsigned i = 0; i < sizeof files / sizeof *files; i++) dump(files[i]);
  show_link("/proc/self"); show_link("/proc/thread-self"); show_link("/proc/self/exe"); show_link("/proc/self/cwd");
  show_link("/proc/self/root"); show_link("/proc/self/fd/1");
  struct stat st;
  const char *stats[] = { "/proc", "/proc/self", "/proc/self/status", "/proc/self/fd", "/proc/sys/kernel/core_pattern",
    "/proc/self/task", "/proc/nonexistent" };
  for (unsigned i = 0; i < sizeof stats / sizeof *stats; i++) {
    if (stat(stats[i], &st) < 0) printf("stat %s: %s\n", stats[i], strerror(errno));
    else printf("stat %s: mode %o uid %u\n", stats[i], st.st_mode, st.st_uid);
  }
  int d = open("/proc/self", O_RDONLY | O_DIRECTORY);
  printf("fstat /proc/self: %s\n", d >= 0 && fstat(d, &st) == 0 && S_ISDIR(st.st_mode) ? "directory" : "not a directory");
  close(d);
  put("/proc/self/comm", "renamed");
  dump("/proc/self/comm");
  put("/proc/self/coredump_filter", "0x7f\n");
  dump("/proc/self/coredump_filter");
  put("/proc/self/coredump_filter", "junk");
  put("/proc/sys/kernel/core_pattern", "x");
  // what it knows of itself
  slurp("/proc/self/status");
  int ok = field(buf, "\nPid:\t") == getpid() && field(buf, "\nPPid:\t") == getppid() && field(buf, "\nUid:\t") == (long)getuid();
  slurp("/proc/self/maps");
  char want[64];
  snprintf(want, sizeof want, "%lx-", (unsigned long)main & ~0xfffUL);
  int in_maps = strstr(buf, "[stack]") != NULL;
  for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    unsigned long lo, hi;
    if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && lo <= (unsigned long)main && (unsigned long)main < hi)
      in_maps = in_maps && strstr(l, " r-xp ") && strstr(l, "proc_self");
  }
  printf("self-check %s\n", ok && in_maps ? "ok" : "FAILED");
  return 0;
}
