/* pipe_big: 1 MiB through a pipe between two processes, both sides blocking: the parent writes it in one
 * write() (which waits for room again and again), the child reads in odd-sized pieces; then the other way,
 * the child writing in 10000-byte writes and the parent reading with readv. Checksums on both sides. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "pipe_common.h"

#define SIZE (1 << 20)
static unsigned char data[SIZE];

static unsigned long sum(const unsigned char *p, long n, unsigned long h)
{
	for (long i = 0; i < n; i++) h = h * 31 + p[i];
	return h;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (long i = 0; i < SIZE; i++) data[i] = (unsigned char)(i * 7 + (i >> 11));
	printf("sum %lx\n", sum(data, SIZE, 0));
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		unsigned char buf[3001];
		unsigned long h = 0;
		long total = 0;
		ssize_t r;
		while ((r = read(p[0], buf, sizeof buf)) > 0) {
			h = sum(buf, r, h);
			total += r;
		}
		printf("child read %ld sum %lx\n", total, h);
		_exit(0);
	}
	close(p[0]);
	ssize_t w = write(p[1], data, SIZE);
	close(p[1]);
	int st;
	waitpid(pid, &st, 0);
	printf("parent wrote %ld\n", (long)w);
	print_status("reader", st);

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		long off = 0;
		while (off < SIZE) {
			long n = SIZE - off < 10000 ? SIZE - off : 10000;
			ssize_t r = write(p[1], data + off, n);
			if (r != n) _exit(2);
			off += r;
		}
		_exit(0);
	}
	close(p[1]);
	static unsigned char a[5000], b[7000];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	unsigned long h = 0;
	long total = 0, reads = 0;
	ssize_t r;
	while ((r = readv(p[0], iov, 2)) > 0) {
		h = sum(a, r < (ssize_t)sizeof a ? r : (ssize_t)sizeof a, h);
		if (r > (ssize_t)sizeof a) h = sum(b, r - sizeof a, h);
		total += r;
		reads++;
	}
	waitpid(pid, &st, 0);
	printf("parent read %ld sum %lx\n", total, h);
	print_status("writer", st);
	return 0;
}
