/* syscalls: exercises the syscalls an emulator must implement, in a fixed order, with one
 * success path and (where Linux has one) one error path each. One line per check:
 * "<what> ok", "<what> <ERRNO> ok", or "<what> FAIL …". Values that depend on pid/time/seed
 * are printed so a run with fixed --pid/--time/--seed is byte-for-byte reproducible.
 * Creates and removes ./syscalls.tmp in the working directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/time.h>

/* The error paths pass bad pointers and counts on purpose. */
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"

static const struct { int num; const char *name; } errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" }, { ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" },
	{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
	{ ELOOP, "ELOOP" }, { EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
};

static const char *errname(int e)
{
	static char buf[16];
	for (unsigned i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (errnames[i].num == e)
			return errnames[i].name;
	snprintf(buf, sizeof buf, "E#%d", e);
	return buf;
}

static int failures;

/* r is a libc/syscall() result: -1 with errno on failure. */
static void ok(const char *what, long r)
{
	if (r == -1) {
		printf("%s FAIL %s\n", what, errname(errno));
		failures++;
	} else {
		printf("%s ok\n", what);
	}
}

static void err(const char *what, long r, int want)
{
	if (r == -1 && errno == want) {
		printf("%s %s ok\n", what, errname(want));
	} else {
		printf("%s FAIL want %s got %ld/%s\n", what, errname(want), r, r == -1 ? errname(errno) : "-");
		failures++;
	}
}

static void check(const char *what, int cond)
{
	printf("%s %s\n", what, cond ? "ok" : "FAIL");
	failures += !cond;
}

static void test_brk(void)
{
	long cur = syscall(SYS_brk, 0);
	long grown = syscall(SYS_brk, cur + 0x10000);
	check("brk", cur > 0 && grown == cur + 0x10000);
	((volatile char *)cur)[0x10000 - 1] = 1;
	/* brk never fails with an errno: a bad request returns the unchanged break. */
	check("brk below-start unchanged", syscall(SYS_brk, 1) == grown);
	check("brk shrink", syscall(SYS_brk, cur) == cur);
}

static void test_mm(void)
{
	long pg = 4096;
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok("mmap", p == MAP_FAILED ? -1 : 0);
	err("mmap no-fd", (long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	err("mmap len0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	memset(p, 0x5a, 2 * pg);
	ok("mprotect", mprotect(p, pg, PROT_READ));
	err("mprotect unaligned", mprotect(p + 1, pg, PROT_READ), EINVAL);
	ok("mprotect restore", mprotect(p, pg, PROT_READ | PROT_WRITE));
	char *q = mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE);
	ok("mremap", q == MAP_FAILED ? -1 : 0);
	check("mremap keeps data", q != MAP_FAILED && q[pg] == 0x5a && q[3 * pg] == 0);
	err("mremap unaligned", (long)mremap(q + 1, pg, 2 * pg, MREMAP_MAYMOVE), EINVAL);
	ok("madvise", madvise(q, pg, MADV_DONTNEED));
	check("madvise zeroes", q[0] == 0 && q[pg] == 0x5a);
	err("madvise unaligned", madvise(q + 1, pg, MADV_DONTNEED), EINVAL);
	ok("munmap", munmap(q, 4 * pg));
	err("munmap unaligned", munmap(q + 1, pg), EINVAL);
}

static void test_files(void)
{
	static const char name[] = "syscalls.tmp";
	char buf[64];
	struct stat st;

	int fd = openat(AT_FDCWD, name, O_CREAT | O_RDWR | O_TRUNC, 0644);
	ok("openat", fd);
	err("openat", openat(AT_FDCWD, "no/such/file", O_RDONLY), ENOENT);
	check("write", write(fd, "hello file\n", 11) == 11);
	err("write", write(999, "x", 1), EBADF);
	struct iovec wv[2] = { { "abc", 3 }, { "defg\n", 5 } };
	check("writev", writev(fd, wv, 2) == 8);
	err("writev", writev(fd, wv, -1), EINVAL);
	check("lseek", lseek(fd, 0, SEEK_SET) == 0);
	err("lseek", lseek(fd, 0, 99), EINVAL);
	memset(buf, 0, sizeof buf);
	check("read", read(fd, buf, 11) == 11 && memcmp(buf, "hello file\n", 11) == 0);
	err("read", read(999, buf, 1), EBADF);
	char a[4] = { 0 }, b[8] = { 0 };
	struct iovec rv[2] = { { a, 3 }, { b, 5 } };
	check("readv", readv(fd, rv, 2) == 8 && memcmp(a, "abc", 3) == 0 && memcmp(b, "defg\n", 5) == 0);
	err("readv", readv(999, rv, 2), EBADF);
	check("fstat", fstat(fd, &st) == 0 && st.st_size == 19 && S_ISREG(st.st_mode));
	err("fstat", fstat(999, &st), EBADF);
	check("newfstatat", fstatat(AT_FDCWD, name, &st, 0) == 0 && st.st_size == 19);
	err("newfstatat", fstatat(AT_FDCWD, "no-such-file", &st, 0), ENOENT);

	long n = readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof buf);
	if (n > 0)
		printf("readlinkat /proc/self/exe ok\n");
	else
		printf("readlinkat /proc/self/exe %s\n", errname(errno));
	err("readlinkat not-a-link", readlinkat(AT_FDCWD, name, buf, sizeof buf), EINVAL);

	char cwd[256];
	if (getcwd(cwd, sizeof cwd))
		printf("getcwd ok %s\n", cwd);
	else
		printf("getcwd FAIL %s\n", errname(errno));
	err("getcwd", (long)syscall(SYS_getcwd, cwd, 1), ERANGE);

	/* Bad user pointers: the kernel returns EFAULT instead of faulting the process. */
	check("lseek rewind", lseek(fd, 0, SEEK_SET) == 0);
	err("read badptr", read(fd, (void *)8, 4), EFAULT);
	ok("close", close(fd));
	err("close", close(999), EBADF);
	ok("unlinkat", unlinkat(AT_FDCWD, name, 0));
}

static void test_misc(void)
{
	struct termios t;
	int r = ioctl(1, TCGETS, &t);
	if (r == 0)
		printf("ioctl TCGETS ok (tty)\n");
	else
		err("ioctl TCGETS", r, ENOTTY);
	err("ioctl badfd", ioctl(999, TCGETS, &t), EBADF);

	struct utsname u;
	ok("uname", uname(&u));
	printf("uname sysname=%s machine=%s\n", u.sysname, u.machine);
	err("uname", syscall(SYS_uname, (void *)8), EFAULT);

	unsigned char rnd[8];
	check("getrandom", syscall(SYS_getrandom, rnd, 8, 0) == 8);
	printf("getrandom ");
	for (int i = 0; i < 8; i++)
		printf("%02x", rnd[i]);
	printf("\n");
	err("getrandom", syscall(SYS_getrandom, rnd, 8, 0x1000), EINVAL);

	/* Raw syscalls, so the vDSO (which reads the counter directly) is bypassed. */
	struct timespec ts;
	ok("clock_gettime REALTIME", syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts));
	printf("clock_gettime REALTIME sec=%lld\n", (long long)ts.tv_sec);
	ok("clock_gettime MONOTONIC", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts));
	printf("clock_gettime MONOTONIC sec=%lld\n", (long long)ts.tv_sec);
	err("clock_gettime", syscall(SYS_clock_gettime, 999, &ts), EINVAL);
	struct timeval tv;
	ok("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
	printf("gettimeofday sec=%lld\n", (long long)tv.tv_sec);
	err("gettimeofday", syscall(SYS_gettimeofday, (void *)8, NULL), EFAULT);

	printf("getpid=%ld\n", syscall(SYS_getpid));
	printf("getppid=%ld\n", syscall(SYS_getppid));
	printf("gettid=%ld\n", syscall(SYS_gettid));
	printf("getuid=%ld\n", syscall(SYS_getuid));
	printf("geteuid=%ld\n", syscall(SYS_geteuid));
	printf("getgid=%ld\n", syscall(SYS_getgid));
	printf("getegid=%ld\n", syscall(SYS_getegid));

	ok("sched_yield", syscall(SYS_sched_yield));
	struct timespec ms = { 0, 1000000 }, bad = { 0, 1000000000 };
	ok("nanosleep", syscall(SYS_nanosleep, &ms, NULL));
	err("nanosleep", syscall(SYS_nanosleep, &bad, NULL), EINVAL);
}

static void test_rlimits(void)
{
	struct rlimit core, stack, tmp;
	ok("prlimit64 RLIMIT_CORE", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, &core));
	printf("RLIMIT_CORE cur=%lld max=%lld\n", (long long)core.rlim_cur, (long long)core.rlim_max);
	err("prlimit64", syscall(SYS_prlimit64, 999999, RLIMIT_CORE, NULL, &tmp), ESRCH);
	ok("getrlimit RLIMIT_STACK", getrlimit(RLIMIT_STACK, &stack));
	printf("RLIMIT_STACK cur=%lld max=%lld\n", (long long)stack.rlim_cur, (long long)stack.rlim_max);
	tmp.rlim_cur = 0;
	tmp.rlim_max = core.rlim_max;
	ok("setrlimit RLIMIT_CORE", setrlimit(RLIMIT_CORE, &tmp));
	check("getrlimit RLIMIT_CORE after set", getrlimit(RLIMIT_CORE, &tmp) == 0 && tmp.rlim_cur == 0);
	tmp.rlim_cur = 2;
	tmp.rlim_max = 1;
	err("setrlimit cur>max", setrlimit(RLIMIT_CORE, &tmp), EINVAL);
	ok("setrlimit RLIMIT_CORE restore", setrlimit(RLIMIT_CORE, &core));
	ok("setrlimit RLIMIT_STACK", setrlimit(RLIMIT_STACK, &stack));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_brk();
	test_mm();
	test_files();
	test_misc();
	test_rlimits();

	static int tid_word;
	long tid = syscall(SYS_set_tid_address, &tid_word);
	check("set_tid_address", tid == syscall(SYS_gettid));
	err("syscall 999", syscall(999), ENOSYS);
	err("write badptr", write(1, (void *)8, 4), EFAULT);
	printf("failures=%d\n", failures);
	return failures != 0;
}
