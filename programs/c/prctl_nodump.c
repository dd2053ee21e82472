/* prctl_nodump: prctl(PR_GET_DUMPABLE), prctl(PR_SET_DUMPABLE, 0), PR_SET_NAME, then a NULL store:
 * dies of SIGSEGV without a core (the process is not dumpable). prctl(PR_SET_DUMPABLE, 2) is EINVAL. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
	char name[16] = { 0 };
	dprintf(1, "dumpable=%d\n", prctl(PR_GET_DUMPABLE));
	dprintf(1, "set 2: %d %s\n", prctl(PR_SET_DUMPABLE, 2), errno == EINVAL ? "EINVAL" : "?");
	prctl(PR_SET_DUMPABLE, 0);
	dprintf(1, "dumpable=%d\n", prctl(PR_GET_DUMPABLE));
	prctl(PR_SET_NAME, "renamed-task");
	prctl(PR_GET_NAME, name);
	dprintf(1, "comm=%s\n", name);
	*(volatile int *)0 = 1;
	return 0;
}
