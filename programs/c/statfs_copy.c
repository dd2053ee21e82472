/* statfs_copy: statfs and fstatfs of the current directory, /proc and a pipe (f_type, f_bsize, f_namelen, the
 * missing-file error); copy_file_range with explicit offsets (updated), with the files' positions (moved), and its
 * EINVAL/EBADF/EISDIR checks. One line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(errno) : "");
}

int main(void)
{
	struct statfs a, b;
	statfs(".", &a);
	int dot = open(".", O_RDONLY | O_DIRECTORY);
	fstatfs(dot, &b);
	printf("statfs .: type = fstatfs's %s, bsize %s, namelen %ld\n", a.f_type == b.f_type ? "yes" : "no",
	       a.f_bsize > 0 && a.f_bsize == b.f_bsize ? "> 0" : "?", (long)a.f_namelen);
	statfs("/proc/self", &a);
	printf("statfs /proc/self: type 0x%lx, blocks %ld\n", (long)a.f_type, (long)a.f_blocks);
	int p[2];
	pipe(p);
	fstatfs(p[0], &a);
	printf("fstatfs pipe: type 0x%lx\n", (long)a.f_type);
	show("statfs missing", statfs("missing", &a));

	int in = open("in.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
	write(in, "0123456789", 10);
	int out = open("out.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
	off64_t oi = 2, oo = 0;
	show("copy 4 at 2", copy_file_range(in, &oi, out, &oo, 4, 0));
	printf("offsets now %ld %ld\n", (long)oi, (long)oo);
	lseek(in, 7, SEEK_SET);
	lseek(out, 4, SEEK_SET);
	show("copy 100 from position 7 (stops at the end)", copy_file_range(in, NULL, out, NULL, 100, 0));
	printf("positions now %ld %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
	char buf[16] = { 0 };
	pread(out, buf, sizeof buf - 1, 0);
	printf("out: %s\n", buf);
	oi = 0, oo = 2;
	show("overlapping in one file", copy_file_range(in, &oi, in, &oo, 4, 0));
	show("flags 1", copy_file_range(in, NULL, out, NULL, 1, 1));
	int ro = open("out.txt", O_RDONLY);
	show("to a read-only descriptor", copy_file_range(in, NULL, ro, NULL, 1, 0));
	show("from a directory", copy_file_range(dot, NULL, out, NULL, 1, 0));
	show("from a pipe", copy_file_range(p[0], NULL, out, NULL, 1, 0));
	return 0;
}
