/* RLIMIT_FSIZE as generic_write_check_limits and inode_newsize_ok apply it (mm/filemap.c, fs/attr.c): with the
 * limit at 10 bytes, a 16-byte write is cut to 10; a write at the limit fails with EFBIG and raises SIGXFSZ
 * (ignored here, then caught to show its siginfo); pwrite crossing it is cut; ftruncate and fallocate past it
 * fail. Finally SIGXFSZ at its default action kills the process with a core. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void on_xfsz(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  printf("handler: sig=%d code=%d pid_is_self=%d\n", sig, si->si_code, si->si_pid == getpid());
}

static void show(const char *what, long r) {
  printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(errno) : "");
}

int main(void) {
  struct rlimit rl = { 10, 10 };
  setrlimit(RLIMIT_FSIZE, &rl);
  int fd = open("fsize.out", O_CREAT | O_TRUNC | O_RDWR, 0644);
  signal(SIGXFSZ, SIG_IGN);
  show("write 16", write(fd, "0123456789abcdef", 16));
  show("write at limit", write(fd, "x", 1));
  show("pwrite 8 at 5", pwrite(fd, "ABCDEFGH", 8, 5));
  show("ftruncate 11", ftruncate(fd, 11));
  show("ftruncate 4", ftruncate(fd, 4));
  show("fallocate 0..20", fallocate(fd, 0, 0, 20));
  struct sigaction sa = { .sa_sigaction = on_xfsz, .sa_flags = SA_SIGINFO };
  sigaction(SIGXFSZ, &sa, 0);
  lseek(fd, 10, SEEK_SET);
  show("write with handler", write(fd, "y", 1));
  signal(SIGXFSZ, SIG_DFL);
  fflush(stdout);
  write(fd, "z", 1);
  printf("not reached\n");
  return 0;
}
