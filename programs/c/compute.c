/* compute: a CPU-bound loop for the benchmark (xorshift64 + FNV-1a mix over a 64 KiB array).
 * argv[1] = iteration count (default DEFAULT_ITERS); prints a checksum and exits 0.
 * The loop body is 12 instructions at -O1 (see README), so the default (250e6 iterations) runs about 3.0e9 instructions. */
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_ITERS 250000000UL
#define WORDS (65536 / 8)

static unsigned long long table[WORDS];

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : DEFAULT_ITERS;
	unsigned long long x = 0x9e3779b97f4a7c15ULL, h = 0xcbf29ce484222325ULL;

	for (unsigned long i = 0; i < WORDS; i++)
		table[i] = i * 0x100000001b3ULL;
	for (unsigned long i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned long long *slot = &table[x & (WORDS - 1)];
		*slot ^= x;
		h = (h ^ *slot) * 0x100000001b3ULL;
	}
	printf("iterations=%lu\n", iters);
	printf("checksum=0x%016llx\n", h);
	return 0;
}
