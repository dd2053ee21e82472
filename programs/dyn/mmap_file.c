/* File-backed mmap semantics (runs static or dynamic): MAP_PRIVATE copy-on-write leaves the file alone,
 * MAP_SHARED stores reach the file (msync, munmap), mprotect and munmap split a mapping, MADV_DONTNEED drops a
 * private copy, offsets, and the page
 * past EOF gives SIGBUS BUS_ADRERR. Prints one line per check; compare with qemu-aarch64. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile siginfo_t got;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = *si;
	got.si_signo = sig;
	siglongjmp(env, 1);
}

static void fill(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (size_t i = 0; i < len; i++) {
		char c = 'a' + i / 4096;
		write(fd, &c, 1);
	}
	close(fd);
}

static char file_byte(const char *path, off_t at)
{
	char c = 0;
	int fd = open(path, O_RDONLY);
	pread(fd, &c, 1, at);
	close(fd);
	return c;
}

int main(void)
{
	const char *path = "/tmp/mmap_file.dat";
	long pg = sysconf(_SC_PAGESIZE);
	fill(path, 3 * pg + 100); /* 3 pages and 100 bytes: the 5th page of a 5-page mapping is past EOF */

	int fd = open(path, O_RDWR);
	char *p = mmap(NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("private: p[0]=%c p[pg]=%c p[3pg+99]=%c p[3pg+100]=%d\n", p[0], p[pg], p[3 * pg + 99], p[3 * pg + 100]);
	p[0] = 'X';
	printf("private: wrote X, mapping %c, file %c\n", p[0], file_byte(path, 0));

	char *q = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	printf("shared at offset pg: q[0]=%c q[pg]=%c\n", q[0], q[pg]);
	q[1] = 'S';
	printf("shared: before msync file[pg+1]=%c\n", file_byte(path, pg + 1));
	printf("shared: msync=%d file[pg+1]=%c\n", msync(q, 2 * pg, MS_SYNC), file_byte(path, pg + 1));
	pwrite(fd, "W", 1, pg + 3);
	printf("shared: after pwrite q[3]=%c\n", q[3]);
	q[4] = 'V';
	char c4 = 0;
	pread(fd, &c4, 1, pg + 4);
	printf("shared: store then pread=%c\n", c4);

	printf("mprotect middle page read-only: %d\n", mprotect(p + pg, pg, PROT_READ));
	printf("munmap second page: %d\n", munmap(p + pg, pg));
	printf("after split: p[0]=%c p[2pg]=%c\n", p[0], p[2 * pg]);
	int adv = madvise(p, pg, MADV_DONTNEED);
	printf("MADV_DONTNEED: %d, private p[0]=%c again\n", adv, p[0]);

	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(env, 1) == 0) {
		volatile char c = p[4 * pg];
		printf("no fault past EOF (%d)\n", c);
	} else {
		printf("past EOF: signal %d code %d addr=page+%ld\n", got.si_signo, got.si_code,
		       (long)((char *)got.si_addr - p) / pg);
	}
	ssize_t r = read(fd, p + 4 * pg, 1);
	printf("read() into the page past EOF: %zd\n", r);
	q[2] = 'T';
	munmap(q, 2 * pg);
	printf("shared: after munmap file[pg+2]=%c\n", file_byte(path, pg + 2));
	close(fd);
	unlink(path);
	return 0;
}
