/* pipe_nonblock: O_NONBLOCK pipes: EAGAIN on an empty read and a full write; the ring is 16 page-sized
 * slots, so what fits depends on how writes were split; writes of at most PIPE_BUF bytes are atomic; a larger
 * write is partial. O_DIRECT makes a packet pipe. F_SETFL changes O_NONBLOCK and keeps the access mode. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "pipe_common.h"

static char buf[200000];

static long drain(int fd)
{
	long n = 0;
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0) n += r;
	return n;
}

int main(void)
{
	int p[2];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return 1;
	printf("getfl %o %o getfd %d\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL), fcntl(p[0], F_GETFD));
	printf("empty read %s\n", res(read(p[0], buf, 10)));
	long total = 0;
	ssize_t r;
	while ((r = write(p[1], buf, 4096)) > 0) total += r;
	printf("filled with pages: %ld, then %s\n", total, res(r));
	printf("one more byte %s\n", res(write(p[1], "x", 1)));
	printf("drained %ld\n", drain(p[0]));

	/* one byte in a slot, then a big write: its sub-page tail merges into that slot, the rest takes pages */
	write(p[1], "x", 1);
	printf("100000 after 1 byte: %s\n", res(write(p[1], buf, 100000)));
	printf("drained %ld\n", drain(p[0]));

	/* small writes merge into one slot */
	for (int i = 0; i < 1000; i++) write(p[1], "abcd", 4);
	total = 0;
	while ((r = write(p[1], buf, 4096)) > 0) total += r;
	printf("after 4000 merged bytes, pages took %ld\n", total);
	/* the last slot holds 4096; the first holds 4000: a 200-byte write cannot merge and the ring is full */
	printf("atomic 200 %s\n", res(write(p[1], buf, 200)));
	printf("drained %ld\n", drain(p[0]));

	/* 15 full slots + 4000 bytes in the 16th: PIPE_BUF-sized write is all or nothing */
	for (int i = 0; i < 15; i++) write(p[1], buf, 4096);
	write(p[1], buf, 4000);
	printf("PIPE_BUF write into 96 free bytes: %s\n", res(write(p[1], buf, PIPE_BUF)));
	printf("96-byte write: %s\n", res(write(p[1], buf, 96)));
	printf("drained %ld\n", drain(p[0]));

	/* F_SETFL: O_NONBLOCK off (the access mode stays), then on again */
	printf("setfl %s", res(fcntl(p[0], F_SETFL, O_RDWR)));
	printf(" getfl %o\n", fcntl(p[0], F_GETFL));
	printf("setfl %s", res(fcntl(p[0], F_SETFL, O_NONBLOCK | O_APPEND)));
	printf(" getfl %o\n", fcntl(p[0], F_GETFL));
	printf("read %s\n", res(read(p[0], buf, 1)));
	close(p[0]);
	close(p[1]);

	/* packet mode: each write is one packet, a read takes at most one, and the rest of it is gone */
	if (pipe2(p, O_DIRECT | O_NONBLOCK) != 0) return 1;
	printf("direct getfl %o %o\n", fcntl(p[0], F_GETFL) & ~O_NONBLOCK, fcntl(p[1], F_GETFL) & ~O_NONBLOCK);
	write(p[1], "abc", 3);
	write(p[1], "defgh", 5);
	memset(buf, 0, 16);
	printf("packet 1: %s \"%s\"\n", res(read(p[0], buf, 100)), buf);
	memset(buf, 0, 16);
	printf("packet 2 (2 of 5): %s \"%s\"\n", res(read(p[0], buf, 2)), buf);
	printf("then %s\n", res(read(p[0], buf, 100)));
	printf("bad flags %s\n", res(pipe2(p, O_APPEND)));
	return 0;
}
