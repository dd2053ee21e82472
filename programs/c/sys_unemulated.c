/* sys_unemulated: calls what arm64-fault does not emulate (socket three times, syscall 244, which no arm64 kernel
 * has) and what it answers as Linux does although it has no such object (getpeername and fadvise64 on stdin,
 * sched_getaffinity); prints each result. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : "");
}

int main(void)
{
	for (int i = 0; i < 3; i++)
		show("socket", socket(AF_UNIX, SOCK_STREAM, 0));
	show("syscall 244", syscall(244));
	struct sockaddr sa;
	socklen_t len = sizeof sa;
	show("getpeername(0)", getpeername(0, &sa, &len));
	show("getpeername(99)", getpeername(99, &sa, &len));
	show("fadvise64(0)", syscall(SYS_fadvise64, 0, 0, 0, POSIX_FADV_SEQUENTIAL));
	int fd = open("/proc/self/status", O_RDONLY);
	show("fadvise64(file)", syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	show("fadvise64(file, advice 6)", syscall(SYS_fadvise64, fd, 0, 0, 6));
	cpu_set_t set;
	CPU_ZERO(&set);
	long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	printf("sched_getaffinity: %ld, CPUs %d\n", r, CPU_COUNT(&set));
	show("sched_getaffinity(len 4)", syscall(SYS_sched_getaffinity, 0, 4, &set));
	return 0;
}
