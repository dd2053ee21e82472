/* Dynamically linked hello: PIE, ld-linux-aarch64.so.1, libc.so.6. Prints argc and its argv, exits 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from a dynamic program, argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	return 0;
}
