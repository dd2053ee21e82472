/* dup_fcntl: dup, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC / F_GETFD / F_SETFD / F_GETFL / F_SETFL with their
 * error rules and RLIMIT_NOFILE; shared status flags between duplicates. With the argument "exec" it then execs
 * itself ("./dup_fcntl check") and the new image reports which descriptors survived close-on-exec. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "pipe_common.h"

static void check(void)
{
	for (int fd = 3; fd <= 12; fd++) {
		int r = fcntl(fd, F_GETFD);
		if (r >= 0) printf("after exec: fd %d open, flags %d\n", fd, r);
	}
	char c;
	printf("after exec: read fd 3 %s", res(read(3, &c, 1)));
	printf(" '%c'\n", c);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		check();
		return 0;
	}
	struct rlimit rl = { 1024, 1024 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int p[2];
	pipe(p); /* 3, 4 */
	printf("dup %s\n", res(dup(p[0])));                            /* 5 */
	printf("dup3 cloexec %s\n", res(dup3(p[1], 9, O_CLOEXEC)));   /* 9 */
	printf("dup3 same %s\n", res(dup3(9, 9, 0)));
	printf("dup3 bad flags %s\n", res(dup3(p[1], 10, O_NONBLOCK)));
	printf("dup3 closed %s\n", res(dup3(20, 10, 0)));
	printf("dup3 too big %s\n", res(dup3(p[1], 5000, 0)));
	printf("dup2 same %s\n", res(dup2(p[0], p[0])));
	printf("dup2 replaces %s\n", res(dup2(p[1], 5)));               /* 5 is now the write end */
	printf("F_DUPFD 7 %s\n", res(fcntl(p[0], F_DUPFD, 7)));         /* 7 */
	printf("F_DUPFD_CLOEXEC 7 %s\n", res(fcntl(p[0], F_DUPFD_CLOEXEC, 7))); /* 8 */
	printf("F_DUPFD limit %s\n", res(fcntl(p[0], F_DUPFD, 1024)));
	printf("F_DUPFD neg %s\n", res(fcntl(p[0], F_DUPFD, -1)));
	for (int fd = 3; fd <= 9; fd++) printf("fd %d getfd %s\n", fd, res(fcntl(fd, F_GETFD)));
	printf("setfd %s", res(fcntl(7, F_SETFD, FD_CLOEXEC)));
	printf(" getfd %d\n", fcntl(7, F_GETFD));
	printf("setfd 0 %s", res(fcntl(8, F_SETFD, 0)));
	printf(" getfd %d\n", fcntl(8, F_GETFD));
	/* status flags are shared by duplicates, fd flags are not */
	fcntl(5, F_SETFL, O_NONBLOCK);
	printf("getfl via the other descriptor %o\n", fcntl(p[1], F_GETFL));
	printf("getfd of the other %d\n", fcntl(p[1], F_GETFD));
	fcntl(5, F_SETFL, 0);
	printf("bad fcntl fd %s\n", res(fcntl(99, F_GETFD)));
	/* RLIMIT_NOFILE */
	rl.rlim_cur = rl.rlim_max = 12;
	setrlimit(RLIMIT_NOFILE, &rl);
	int n = 0, last = -1, e;
	while ((e = dup(0)) >= 0) { n++; last = e; }
	(void)n; /* qemu-user keeps a descriptor of its own open below 12: only the last one is compared */
	printf("dup until %s, last %d\n", ename(errno), last);
	printf("F_DUPFD at limit %s\n", res(fcntl(0, F_DUPFD, 12)));
	printf("dup3 at limit %s\n", res(dup3(0, 12, 0)));
	close(11);
	rl.rlim_cur = rl.rlim_max = 1024;
	setrlimit(RLIMIT_NOFILE, &rl);
	/* close_range with CLOSE_RANGE_CLOEXEC marks, without it closes */
	printf("close_range cloexec %s\n", res(close_range(6, 6, CLOSE_RANGE_CLOEXEC)));
	printf("fd 6 getfd %d\n", fcntl(6, F_GETFD));
	printf("close_range %s\n", res(close_range(11, 100, 0)));
	printf("close_range bad %s\n", res(close_range(5, 4, 0)));
	write(4, "Z", 1);
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		/* open now: 3 (read end), 4, 5 (write end), 6 (cloexec), 7 (cloexec), 8, 9 (cloexec), 10 (a dup of 0) */
		char *args[] = { "./dup_fcntl", "check", NULL };
		execv(args[0], args);
		printf("exec failed %s\n", ename(errno));
	}
	return 0;
}
