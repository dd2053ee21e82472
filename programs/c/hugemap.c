/* hugemap: MAP_NORESERVE mappings of 2^30 .. 2^46 bytes. Linux overcommits them all; the emulator backs every
 * mapping with real memory, so the large ones fail with ENOMEM (a README divergence), never a host crash. */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
int main(void) {
  for (int s = 30; s <= 46; s += 4) {
    void *p = mmap(NULL, 1ul << s, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("2^%d: %s\n", s, p == MAP_FAILED ? strerror(errno) : "ok");
    if (p != MAP_FAILED) munmap(p, 1ul << s);
  }
  return 0;
}
