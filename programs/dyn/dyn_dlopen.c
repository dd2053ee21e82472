/* dlopen at run time: loads libfault.so (next to the program: $ORIGIN), calls lib_store on a good pointer,
 * then on NULL: SIGSEGV inside libfault.so. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char path[4096];
	const char *dir = argc > 1 ? argv[1] : ".";
	snprintf(path, sizeof path, "%s/libfault.so", dir);
	void *h = dlopen(path, RTLD_NOW);
	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	int (*store)(int *) = (int (*)(int *))dlsym(h, "lib_store");
	int x = 0;
	printf("dlopen ok, lib_store(&x) = %d\n", store(&x));
	fflush(stdout);
	return store((int *)0);
}
