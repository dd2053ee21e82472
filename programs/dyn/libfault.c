/* A shared library of ours: lib_abort() calls abort() (SIGABRT from libc's raise), lib_store() writes through
 * its argument. Used by dyn_abort (linked against it) and dyn_dlopen (dlopen at run time). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void lib_abort(void)
{
	fprintf(stderr, "lib_abort: calling abort()\n");
	abort();
}

__attribute__((noinline)) int lib_store(int *p)
{
	*p = 42;
	return *p;
}
