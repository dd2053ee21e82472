/* bigmem: maps 1 GiB of anonymous memory, touches the first 64 MiB (one word per 4 KiB page is written, the
 * rest stays zero as the kernel would give it), then stores to NULL. For bench/core: the core's write time and
 * size against the touched memory. */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	size_t map = 1ul << 30, touched = 64ul << 20;
	volatile unsigned long *p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) return 1;
	for (size_t off = 0; off < touched; off += 4096) p[off / sizeof *p] = off | 1;
	dprintf(1, "mapped %zu MiB, touched %zu MiB\n", map >> 20, touched >> 20);
	*(volatile int *)0 = 1;
	return 0;
}
