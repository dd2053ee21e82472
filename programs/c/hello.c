/* hello: stdout/stderr, argv, environment, malloc (mmap-sized and small blocks), exit status. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	puts("hello, world");
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	const char *greeting = getenv("GREETING");
	if (greeting)
		printf("GREETING=%s\n", greeting);

	/* 1 MiB is above glibc's mmap threshold (128 KiB): exercises mmap; the small blocks use brk. */
	enum { BIG = 1 << 20, NSMALL = 100 };
	unsigned char *big = malloc(BIG);
	unsigned char *small[NSMALL];
	unsigned long long sum = 0;
	if (!big)
		return 2;
	for (int i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7);
	for (int i = 0; i < BIG; i++)
		sum += big[i];
	for (int i = 0; i < NSMALL; i++) {
		small[i] = malloc(16 + i);
		if (!small[i])
			return 2;
		for (int j = 0; j < 16 + i; j++)
			small[i][j] = (unsigned char)(i + j);
	}
	for (int i = 0; i < NSMALL; i++)
		for (int j = 0; j < 16 + i; j++)
			sum += small[i][j];
	printf("sum=%llu\n", sum);
	for (int i = 0; i < NSMALL; i++)
		free(small[i]);
	free(big);

	fputs("to stderr\n", stderr);
	const char *exit_env = getenv("EXIT");
	return exit_env ? atoi(exit_env) : 0;
}
