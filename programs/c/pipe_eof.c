/* pipe_eof: a pipe's reader sees EOF (read returns 0) once the last writer is gone: in one process, and across
 * fork (parent writes, child reads until EOF), including a writer that a fork duplicated and that the child
 * must close too. Also fstat (S_IFIFO 0600), F_GETFL, F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD, lseek (ESPIPE),
 * /proc/self/fd/N ("pipe:["), poll's POLLHUP. With the argument "stuck" it reads a pipe it alone could write. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pipe_common.h"

int main(int argc, char **argv)
{
	int p[2];
	char buf[256];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "stuck") == 0) {
		/* reading a pipe whose only writer is ourselves: nothing can ever end the wait */
		pipe(p);
		return read(p[0], buf, 1) == 0;
	}
	if (pipe(p) != 0) return 1;
	printf("fds %d %d\n", p[0], p[1]);
	struct stat st;
	fstat(p[0], &st);
	printf("fifo=%d mode=%o size=%ld nlink=%ld\n", S_ISFIFO(st.st_mode), st.st_mode & 07777, (long)st.st_size, (long)st.st_nlink);
	struct stat st1;
	fstat(p[1], &st1);
	printf("same inode: %d\n", st.st_ino == st1.st_ino);
	printf("getfl %o %o\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	printf("pipe size %s\n", res(fcntl(p[0], F_GETPIPE_SZ)));
	printf("lseek %s\n", res(lseek(p[0], 0, SEEK_SET)));
	printf("read on write end %s\n", res(read(p[1], buf, 1)));
	printf("write on read end %s\n", res(write(p[0], "x", 1)));
	char link[64] = { 0 };
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", p[0]);
	readlink(buf, link, sizeof link - 1);
	char want[64];
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
	printf("link prefix %.6s, is pipe:[st_ino] %d\n", link, strcmp(link, want) == 0);

	printf("write %s\n", res(write(p[1], "hello", 5)));
	int n = -1;
	ioctl(p[0], FIONREAD, &n);
	printf("fionread %d\n", n);
	printf("read 3 %s\n", res(read(p[0], buf, 3)));
	printf("read 100 %s\n", res(read(p[0], buf, 100)));
	printf("read 0 %s\n", res(read(p[0], buf, 0)));
	close(p[1]);
	printf("read after close %s\n", res(read(p[0], buf, 100)));
	struct pollfd pf = { p[0], POLLIN, 0 };
	printf("poll %d revents 0x%x\n", poll(&pf, 1, 0), pf.revents);
	close(p[0]);

	/* across fork: the child inherits both ends; it must close its copy of the write end to see EOF */
	if (pipe(p) != 0) return 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		long total = 0, reads = 0;
		char got[64] = { 0 };
		ssize_t r;
		while ((r = read(p[0], buf, sizeof buf)) > 0) {
			if (total + r < (long)sizeof got) memcpy(got + total, buf, r);
			total += r;
			reads++;
		}
		printf("child: total %ld last %s data \"%s\"\n", total, res(r), got);
		_exit(total == 26 ? 0 : 1);
	}
	close(p[0]);
	for (char c = 'a'; c <= 'z'; c++) write(p[1], &c, 1);
	close(p[1]);
	int status;
	waitpid(pid, &status, 0);
	print_status("child", status);

	/* F_SETPIPE_SZ rounds up to a power of two pages; not below what the pipe holds */
	if (pipe(p) != 0) return 1;
	printf("setpipe 1 %s\n", res(fcntl(p[1], F_SETPIPE_SZ, 1)));
	printf("getpipe %s\n", res(fcntl(p[0], F_GETPIPE_SZ)));
	printf("setpipe 10000 %s\n", res(fcntl(p[1], F_SETPIPE_SZ, 10000)));
	char big[8192];
	memset(big, 'z', sizeof big);
	write(p[1], big, sizeof big);
	write(p[1], big, 1);
	printf("setpipe 4096 busy %s\n", res(fcntl(p[1], F_SETPIPE_SZ, 4096)));
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	printf("getpipe on a directory %s\n", res(fcntl(dir, F_GETPIPE_SZ)));
	return 0;
}
