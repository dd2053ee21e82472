/* getdents: getdents64 on a directory it builds in the working directory (dir "gd.d" with files, a
 * subdirectory and a symlink): the names (printed sorted, with d_type), d_ino equal to stat's st_ino,
 * ".." of the directory being the working directory, 8-byte aligned records, resuming at a d_off with lseek,
 * EINVAL for a buffer too small for one record, ENOTDIR for a file, EBADF; then readdir(3) counts the same. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pipe_common.h"

struct d64 { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; };

static char names[64][64];
static int types[64];
static int nnames;

static int cmp(const void *a, const void *b)
{
	return strcmp(names[*(const int *)a], names[*(const int *)b]);
}

static void touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "x", 1);
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("gd.d", 0755);
	touch("gd.d/bravo");
	touch("gd.d/alpha");
	touch("gd.d/a-much-longer-name-that-needs-a-bigger-record.txt");
	mkdir("gd.d/sub", 0755);
	symlink("alpha", "gd.d/link");
	int fd = open("gd.d", O_RDONLY | O_DIRECTORY);
	char buf[4096];
	long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	printf("getdents64 %ld\n", n > 0 ? 1L : n);
	int aligned = 1, inos = 1;
	for (long off = 0; off < n;) {
		struct d64 *d = (struct d64 *)(buf + off);
		if (d->reclen % 8) aligned = 0;
		strcpy(names[nnames], d->name);
		types[nnames] = d->type;
		struct stat st;
		char path[128];
		snprintf(path, sizeof path, "gd.d/%s", d->name);
		if (lstat(path, &st) != 0 || st.st_ino != d->ino) inos = 0;
		nnames++;
		off += d->reclen;
	}
	int order[64];
	for (int i = 0; i < nnames; i++) order[i] = i;
	qsort(order, nnames, sizeof order[0], cmp);
	for (int i = 0; i < nnames; i++) printf("  %s type %d\n", names[order[i]], types[order[i]]);
	printf("entries %d aligned %d inodes match stat %d\n", nnames, aligned, inos);
	printf("end %s\n", res(syscall(SYS_getdents64, fd, buf, sizeof buf)));

	/* resume after the third record: lseek to its d_off gives the fourth first */
	lseek(fd, 0, SEEK_SET);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	struct d64 *d = (struct d64 *)buf;
	d = (struct d64 *)((char *)d + d->reclen);
	d = (struct d64 *)((char *)d + d->reclen);
	char fourth[64];
	strcpy(fourth, ((struct d64 *)((char *)d + d->reclen))->name);
	printf("lseek %s\n", lseek(fd, d->off, SEEK_SET) == d->off ? "ok" : "bad");
	syscall(SYS_getdents64, fd, buf, sizeof buf);
	printf("resumed at the fourth: %d\n", strcmp(((struct d64 *)buf)->name, fourth) == 0);

	/* a buffer that holds exactly one small record: one per call (a directory of short names only) */
	mkdir("gd2.d", 0755);
	touch("gd2.d/x");
	touch("gd2.d/y");
	int fd2 = open("gd2.d", O_RDONLY | O_DIRECTORY);
	int calls = 0;
	long got;
	while ((got = syscall(SYS_getdents64, fd2, buf, 24)) == 24) calls++;
	printf("24-byte buffer: %s after %d calls\n", res(got), calls);
	close(fd2);
	unlink("gd2.d/x");
	unlink("gd2.d/y");
	rmdir("gd2.d");
	lseek(fd, 0, SEEK_SET);
	printf("tiny buffer %s\n", res(syscall(SYS_getdents64, fd, buf, 10)));
	int file = open("gd.d/alpha", O_RDONLY);
	printf("on a file %s\n", res(syscall(SYS_getdents64, file, buf, sizeof buf)));
	printf("bad fd %s\n", res(syscall(SYS_getdents64, 99, buf, sizeof buf)));
	/* ".." is the directory we are in */
	struct stat here;
	stat(".", &here);
	lseek(fd, 0, SEEK_SET);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	for (long off = 0; off < n;) {
		struct d64 *e = (struct d64 *)(buf + off);
		if (strcmp(e->name, "..") == 0) printf("dotdot is cwd %d\n", e->ino == here.st_ino);
		off += e->reclen;
	}
	DIR *dir = opendir("gd.d");
	int count = 0;
	while (readdir(dir)) count++;
	closedir(dir);
	printf("readdir %d\n", count);
	unlink("gd.d/bravo");
	unlink("gd.d/alpha");
	unlink("gd.d/a-much-longer-name-that-needs-a-bigger-record.txt");
	unlink("gd.d/link");
	rmdir("gd.d/sub");
	rmdir("gd.d");
	return 0;
}
