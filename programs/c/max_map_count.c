/* max_map_count: vm.max_map_count = 65,530 (Linux v6.17). Maps one page at a time, alternating PROT_READ and
 * PROT_READ|PROT_WRITE so that no two neighbours merge, until mmap fails; then touches every mapping (a store
 * into each writable one, a load from each other one) and checks the stores. do_mmap refuses only once
 * map_count > max_map_count, so the process ends with 65,531 VMAs. At that count: munmap or mprotect of the
 * middle of a mapping (a split in three) is ENOMEM, munmap of its first page is not, brk is ENOMEM until two
 * mappings go. Nothing here allocates (stdio gets a static buffer): malloc could not at the limit.
 * Prints one line per step. Arguments: the most mappings to make (default: until mmap fails), then a value to
 * write to /proc/sys/vm/max_map_count first (root only). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX 70000
static char *maps[MAX];
static char iobuf[4096], text[1 << 16];

static int vma_count(void) /* lines of /proc/self/maps */
{
  int fd = open("/proc/self/maps", O_RDONLY), n = 0;
  ssize_t r;
  while ((r = read(fd, text, sizeof text)) > 0)
    for (ssize_t i = 0; i < r; i++) n += text[i] == '\n';
  close(fd);
  return n;
}

static const char *result(int rc) { return rc == 0 ? "ok" : strerror(errno); }

int main(int argc, char **argv)
{
  setvbuf(stdout, iobuf, _IOFBF, sizeof iobuf);
  long want = argc > 1 ? atol(argv[1]) : MAX;
  if (argc > 2) {
    int fd = open("/proc/sys/vm/max_map_count", O_WRONLY);
    if (fd < 0 || write(fd, argv[2], strlen(argv[2])) < 0) printf("vm.max_map_count: %s\n", strerror(errno));
    close(fd);
  }
  int before = vma_count(), n = 0;
  for (; n < want && n < MAX; n++) {
    void *p = mmap(NULL, 4096, n % 2 ? PROT_READ | PROT_WRITE : PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) break;
    maps[n] = p;
  }
  int err = n < want && n < MAX ? errno : 0;
  long sum = 0;
  for (int i = 0; i < n; i++) {
    if (i % 2) maps[i][i % 4096] = (char)(i | 1);
    else sum += maps[i][i % 4096];
  }
  int bad = sum != 0;
  for (int i = 1; i < n; i += 2) bad |= maps[i][i % 4096] != (char)(i | 1);
  printf("mapped %d more, %d in all; the next mmap: %s; touched all: %s\n", n, before + n,
         err ? strerror(err) : "not tried", bad ? "WRONG" : "ok");
  if (argc > 1) return 0;

  munmap(maps[--n], 4096); /* one below the limit: a three-page mapping fits again, and brings it back */
  char *three = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("three pages at the limit: %s\n", three == MAP_FAILED ? strerror(errno) : "ok");
  printf("munmap of the middle page: %s\n", result(munmap(three + 4096, 4096)));
  printf("mprotect of the middle page: %s\n", result(mprotect(three + 4096, 4096, PROT_READ)));
  printf("munmap of the first page: %s\n", result(munmap(three, 4096)));
  printf("brk: %s\n", sbrk(4096) == (void *)-1 ? strerror(errno) : "ok");
  munmap(maps[--n], 4096);
  munmap(maps[--n], 4096);
  printf("brk two mappings below: %s\n", sbrk(4096) == (void *)-1 ? strerror(errno) : "ok");
  printf("mappings now: %d\n", vma_count());
  return 0;
}
