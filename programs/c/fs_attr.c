/* fs_attr: the working directory and file attributes as coreutils and shells use them: chdir/fchdir/getcwd,
 * renameat2 (plain, RENAME_NOREPLACE, RENAME_EXCHANGE), linkat, chmod (fchmod, fchmodat, fchmodat2 on a symlink),
 * utimensat (times, UTIME_OMIT, NULL path), fsync; then, after `--- ids`, what depends on who runs it: chown as
 * the caller, getgroups/setgroups, getresuid/getresgid. One line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(errno) : "");
}

static void times_of(const char *what, const char *path)
{
	struct stat st;
	lstat(path, &st);
	printf("%s: atime %ld.%09ld mtime %ld.%09ld\n", what, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void)
{
	char cwd[256];
	mkdir("d", 0755);
	show("chdir d", chdir("d"));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') : "?");
	int up = open("..", O_RDONLY | O_DIRECTORY);
	show("fchdir ..", fchdir(up));
	show("chdir missing", chdir("missing"));
	int fd = open("f", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "x", 1);
	show("chdir a file", chdir("f"));
	show("rename f g", rename("f", "g"));
	close(open("h", O_CREAT | O_WRONLY, 0644));
	show("renameat2 NOREPLACE onto h", syscall(SYS_renameat2, AT_FDCWD, "g", AT_FDCWD, "h", RENAME_NOREPLACE));
	show("renameat2 NOREPLACE onto i", syscall(SYS_renameat2, AT_FDCWD, "g", AT_FDCWD, "i", RENAME_NOREPLACE));
	show("renameat2 bad flags", syscall(SYS_renameat2, AT_FDCWD, "i", AT_FDCWD, "j", 8));
	show("rename missing", rename("missing", "j"));
	show("link i k", link("i", "k"));
	struct stat st;
	stat("i", &st);
	printf("nlink after link: %lu\n", (unsigned long)st.st_nlink);
	show("link onto h", link("i", "h"));
	show("chmod i 0600", chmod("i", 0600));
	show("fchmod 0640", fchmod(fd, 0640));
	stat("i", &st);
	printf("mode: %o\n", st.st_mode & 07777);
	symlink("i", "lnk");
	show("fchmodat2 NOFOLLOW on a symlink", syscall(452, AT_FDCWD, "lnk", 0600, AT_SYMLINK_NOFOLLOW));
	struct timespec ts[2] = { { 1000000000, 5 }, { 1200000000, 0 } };
	show("utimensat", utimensat(AT_FDCWD, "i", ts, 0));
	times_of("times", "i");
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1300000000, 0 } };
	show("utimensat atime omitted", utimensat(AT_FDCWD, "i", omit, 0));
	times_of("times", "i");
	show("utimensat NULL path (fd)", syscall(SYS_utimensat, fd, NULL, ts, 0));
	times_of("times", "i");
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	show("utimensat bad nsec", utimensat(AT_FDCWD, "i", bad, 0));
	show("utimensat NOFOLLOW on a symlink", utimensat(AT_FDCWD, "lnk", ts, AT_SYMLINK_NOFOLLOW));
	times_of("link times", "lnk");
	int p[2];
	pipe(p);
	show("fsync file", fsync(fd));
	show("fsync pipe", fsync(p[0]));
	show("fdatasync closed", fdatasync(99));
	puts("--- ids");
	show("chown to itself", chown("i", -1, -1));
	show("chown to 4242", chown("i", 4242, -1));
	gid_t groups[4];
	show("getgroups", getgroups(4, groups));
	gid_t mine[2] = { 4243, 4242 };
	show("setgroups", setgroups(2, mine));
	show("getgroups after", getgroups(4, groups));
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Groups:", 7))
			printf("status %s", line);
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	printf("getresuid: %u %u %u\n", r, e, s);
	return 0;
}
