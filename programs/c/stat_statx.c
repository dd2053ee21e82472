/* stat_statx: statx against fstatat on the same files (a regular file, a directory, a symlink with and without
 * AT_SYMLINK_NOFOLLOW, /proc/self/status, a pipe through AT_EMPTY_PATH and through a NULL path), statx's EINVAL
 * checks, and then the extended-attribute calls on a file with `xattr`. Prints one line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* times: whether to compare them too (ours are the clock's at each stat of a /proc file, so two stats differ) */
static void same(const char *what, int dirfd, const char *path, int flags, int times)
{
	struct stat st;
	struct statx sx;
	memset(&sx, 0xa5, sizeof sx);
	long r = syscall(SYS_statx, dirfd, path, flags, STATX_BASIC_STATS, &sx);
	if (r) {
		printf("%s: statx errno %s\n", what, strerrorname_np(errno));
		return;
	}
	if (fstatat(dirfd, path ? path : "", &st, flags | (path ? 0 : AT_EMPTY_PATH))) {
		printf("%s: fstatat errno %s\n", what, strerrorname_np(errno));
		return;
	}
	int ok = (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS && sx.stx_mode == st.st_mode &&
		 sx.stx_ino == st.st_ino && sx.stx_nlink == st.st_nlink && sx.stx_uid == st.st_uid &&
		 sx.stx_gid == st.st_gid && sx.stx_size == (unsigned long long)st.st_size &&
		 sx.stx_blocks == (unsigned long long)st.st_blocks && sx.stx_blksize == (unsigned)st.st_blksize &&
		 (!times || (sx.stx_mtime.tv_sec == st.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec &&
			     sx.stx_atime.tv_sec == st.st_atim.tv_sec && sx.stx_atime.tv_nsec == st.st_atim.tv_nsec &&
			     sx.stx_ctime.tv_sec == st.st_ctim.tv_sec && sx.stx_ctime.tv_nsec == st.st_ctim.tv_nsec)) &&
		 makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev &&
		 makedev(sx.stx_rdev_major, sx.stx_rdev_minor) == st.st_rdev;
	int pad;
	memcpy(&pad, (char *)&sx.stx_atime + 12, 4); /* statx_timestamp's reserved word: 0, not our 0xa5 fill */
	ok = ok && pad == 0;
	printf("%s: %s, type 0%o\n", what, ok ? "statx = fstatat" : "MISMATCH", sx.stx_mode & S_IFMT);
}

static void einval(const char *what, int flags, unsigned mask)
{
	struct statx sx;
	long r = syscall(SYS_statx, AT_FDCWD, ".", flags, mask, &sx);
	printf("%s: %ld %s\n", what, r, r ? strerrorname_np(errno) : "");
}

int main(int argc, char **argv)
{
	int fd = open("statx.txt", O_CREAT | O_WRONLY | O_TRUNC, 0640);
	write(fd, "twelve bytes", 12);
	close(fd);
	unlink("statx.lnk");
	symlink("statx.txt", "statx.lnk");
	same("file", AT_FDCWD, "statx.txt", 0, 1);
	same("directory", AT_FDCWD, ".", 0, 1);
	same("symlink followed", AT_FDCWD, "statx.lnk", 0, 1);
	same("symlink itself", AT_FDCWD, "statx.lnk", AT_SYMLINK_NOFOLLOW, 1);
	same("/proc/self/status (times aside)", AT_FDCWD, "/proc/self/status", 0, 0);
	int p[2];
	pipe(p);
	same("pipe, AT_EMPTY_PATH", p[0], "", AT_EMPTY_PATH, 1);
	same("pipe, NULL path", p[0], NULL, AT_EMPTY_PATH, 1);
	same("missing", AT_FDCWD, "no-such-file", 0, 1);
	einval("STATX__RESERVED", 0, 0x80000000u);
	einval("both sync types", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS);
	einval("unknown flag", 0x1, STATX_BASIC_STATS);
	if (argc > 1 && !strcmp(argv[1], "xattr")) {
		char buf[64];
		printf("listxattr: %zd\n", listxattr("statx.txt", buf, sizeof buf));
		errno = 0;
		ssize_t r = lgetxattr("statx.lnk", "user.x", buf, sizeof buf);
		printf("lgetxattr: %zd %s\n", r, strerrorname_np(errno));
		errno = 0;
		r = setxattr("statx.txt", "user.x", "1", 1, 0);
		printf("setxattr: %zd %s\n", r, strerrorname_np(errno));
		errno = 0;
		r = getxattr("no-such-file", "user.x", buf, sizeof buf);
		printf("getxattr missing: %zd %s\n", r, strerrorname_np(errno));
		errno = 0;
		r = fgetxattr(p[0], "user.x", buf, sizeof buf);
		printf("fgetxattr pipe: %zd %s\n", r, strerrorname_np(errno));
	}
	return 0;
}
