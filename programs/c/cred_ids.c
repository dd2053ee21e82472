/* cred_ids: the set*id calls as a root process that drops privileges would make them, printing getresuid,
 * getresgid and PR_GET_DUMPABLE after each; then, without privileges, the calls that must fail; `crash` ends with a
 * SIGSEGV (commit_creds made the process undumpable when its effective uid changed: no core at suid_dumpable 0). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

static void ids(const char *what, long r)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	printf("%s: %ld%s%s; uid %u %u %u gid %u %u %u dumpable %d\n", what, r, r < 0 ? " " : "",
	       r < 0 ? strerrorname_np(errno) : "", ru, eu, su, rg, eg, sg, prctl(PR_GET_DUMPABLE));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ids("start", 0);
	ids("setresgid(-1, 100, -1)", setresgid(-1, 100, -1));
	ids("setresuid(-1, 1000, 0)", setresuid(-1, 1000, 0));
	ids("setresuid(-1, 0, -1): back, the saved uid is 0", setresuid(-1, 0, -1));
	prctl(PR_SET_DUMPABLE, 1);
	ids("setreuid(1000, -1)", setreuid(1000, -1));
	ids("setuid(0): euid 0 may", setuid(0));
	ids("setgid(100)", setgid(100));
	ids("setuid(1000): all three", setuid(1000));
	ids("setuid(0) now", setuid(0));
	ids("setgid(0) now", setgid(0));
	ids("setresuid(-1, 1000, -1): a no-op", setresuid(-1, 1000, -1));
	ids("setreuid(-1, 0)", setreuid(-1, 0));
	printf("setfsuid(0) returns the old fsuid %d; again %d\n", setfsuid(0), setfsuid(-1));
	ids("setuid(-1)", setuid(-1));
	if (argc > 1 && !strcmp(argv[1], "crash"))
		*(volatile int *)0 = 1;
	return 0;
}
