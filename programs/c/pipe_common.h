/* pipe_common.h: shared by the pipe and descriptor programs: errno names and a wait-status printer. */
#ifndef PIPE_COMMON_H
#define PIPE_COMMON_H
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

static inline const char *ename(int e)
{
	switch (e) {
	case EPERM: return "EPERM"; case EBADF: return "EBADF"; case EAGAIN: return "EAGAIN";
	case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; case EMFILE: return "EMFILE";
	case EPIPE: return "EPIPE"; case ESPIPE: return "ESPIPE"; case ENOTDIR: return "ENOTDIR";
	case EINTR: return "EINTR"; case EBUSY: return "EBUSY"; case ENOENT: return "ENOENT";
	default: return "E?";
	}
}

/* "-1 EAGAIN" or the value */
static inline const char *res(long r)
{
	static char buf[4][32];
	static int i;
	char *b = buf[i++ & 3];
	if (r < 0) snprintf(b, 32, "-1 %s", ename(errno));
	else snprintf(b, 32, "%ld", r);
	return b;
}

static inline void print_status(const char *who, int st)
{
	if (WIFEXITED(st)) printf("%s: exited %d (status 0x%x)\n", who, WEXITSTATUS(st), st);
	else if (WIFSIGNALED(st)) printf("%s: killed by %d core=%d (status 0x%x)\n", who, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0, st);
	else printf("%s: status 0x%x\n", who, st);
}
#endif
