// execve: the errors Linux gives, and what a successful exec keeps (pid, blocked mask, ignored signals, fds
// without FD_CLOEXEC) and resets (caught signals, comm); a #! script runs its interpreter.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int s) { (void)s; }

static void try_exec(const char *what, const char *path, char *const argv[]) {
  errno = 0;
  execv(path, argv);
  printf("%s: %s\n", what, strerror(errno));
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0); // no buffered output is inherited by a fork child
  if (argc > 1 && strcmp(argv[1], "stage2") == 0) {
    struct sigaction a, b;
    sigaction(SIGUSR1, 0, &a);
    sigaction(SIGUSR2, 0, &b);
    sigset_t cur;
    sigprocmask(SIG_SETMASK, 0, &cur);
    char comm[16] = {0};
    prctl(PR_GET_NAME, comm);
    printf("stage2: pid=%s USR1=%s USR2=%s HUP blocked=%d fd5 %s fd6 %s comm=%s\n", argv[2],
           a.sa_handler == SIG_DFL ? "SIG_DFL" : "other", b.sa_handler == SIG_IGN ? "SIG_IGN" : "other",
           sigismember(&cur, SIGHUP), fcntl(5, F_GETFD) >= 0 ? "open" : "closed", fcntl(6, F_GETFD) >= 0 ? "open" : "closed", comm);
    printf("same pid: %d\n", atoi(argv[2]) == getpid());
    return 0;
  }
  if (argc > 1) { // run as a #! interpreter: argv = interp, [arg], script, ...
    for (int i = 0; i < argc; i++) printf("interp argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  char *none[] = {"x", 0};
  try_exec("ENOENT", "/nonexistent", none);
  try_exec("ENOTDIR", "/proc_exec/x", none);
  int fd = open("/noexec", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, "\x7f" "ELF", 4);
  close(fd);
  try_exec("EACCES", "/noexec", none);
  fd = open("/garbage", O_CREAT | O_WRONLY | O_TRUNC, 0755);
  write(fd, "not a program\n", 14);
  close(fd);
  try_exec("ENOEXEC", "/garbage", none);
  static char big[200000];
  memset(big, 'a', sizeof big - 1);
  char *toolong[] = {"x", big, 0};
  try_exec("E2BIG", "/proc_exec", toolong);
  fd = open("/script", O_CREAT | O_WRONLY | O_TRUNC, 0755);
  const char *line = "#!/proc_exec one\n";
  write(fd, line, strlen(line));
  close(fd);
  pid_t p = fork();
  if (p == 0) {
    char *sargv[] = {"script-name", "two", 0};
    execv("/script", sargv);
    _exit(127);
  }
  int st;
  waitpid(p, &st, 0);
  signal(SIGUSR1, handler);
  signal(SIGUSR2, SIG_IGN);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGHUP);
  sigprocmask(SIG_BLOCK, &s, 0);
  dup2(1, 5);
  fcntl(dup2(1, 6), F_SETFD, FD_CLOEXEC);
  prctl(PR_SET_NAME, "before-exec");
  char pid[16];
  snprintf(pid, sizeof pid, "%d", getpid());
  char *args[] = {"/proc_exec", "stage2", pid, 0};
  fflush(stdout);
  execv("/proc_exec", args);
  printf("exec failed: %s\n", strerror(errno));
  return 1;
}
