// Writes /proc files the way `echo VALUE > FILE` does (argv: FILE=VALUE …), reads each back, and crashes with
// SIGSEGV when the last argument is "crash": the core lands where the guest's own core_pattern says.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "crash") == 0) {
      fflush(stdout);
      *(volatile int *)0 = 1;
    }
    char path[256], line[512];
    const char *eq = strchr(argv[i], '=');
    if (!eq) {
      snprintf(path, sizeof path, "%s", argv[i]);
    } else {
      snprintf(path, sizeof path, "%.*s", (int)(eq - argv[i]), argv[i]);
      int fd = open(path, O_WRONLY);
      if (fd < 0) {
        printf("open %s: %s\n", path, strerror(errno));
        continue;
      }
      snprintf(line, sizeof line, "%s\n", eq + 1);
      ssize_t n = write(fd, line, strlen(line));
      printf("write %s: %zd%s%s\n", path, n, n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
      close(fd);
    }
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
    if (n < 0) printf("read %s: %s\n", path, strerror(errno));
    else printf("read %s: %.*s", path, (int)n, line);
    if (fd >= 0) close(fd);
  }
  return 0;
}
