// MAP_SHARED memory after fork: the child's stores are the parent's (anonymous and file-backed), MAP_PRIVATE
// pages are copies, a munmap in the child leaves the parent's mapping, and a process-shared semaphore in the
// shared page (FUTEX_WAIT/FUTEX_WAKE on a shared key) hands control from one process to the other. With the
// argument "maps": the shared mapping's line of /proc/self/maps.
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct page { sem_t ready, done; int counter; char text[64]; };

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0);
  struct page *sh = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (argc > 1 && strcmp(argv[1], "maps") == 0) { // the line of the shared mapping in /proc/self/maps
    char line[256];
    FILE *f = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, f)) if (strtoul(line, 0, 16) == (unsigned long)sh) fputs(line, stdout);
    return 0;
  }
  char *priv = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int fd = open("shared.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
  ftruncate(fd, 4096);
  char *file = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  sem_init(&sh->ready, 1, 0);
  sem_init(&sh->done, 1, 0);
  strcpy(priv, "parent's");
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 1000; i++) __atomic_fetch_add(&sh->counter, 1, __ATOMIC_SEQ_CST);
    strcpy(sh->text, "written by the child");
    strcpy(priv, "child's");
    strcpy(file, "file page written by the child");
    sem_post(&sh->ready);
    sem_wait(&sh->done); // the parent has read; it goes on writing after our munmap
    munmap(sh, 4096);
    _exit(0);
  }
  sem_wait(&sh->ready);
  printf("parent sees: counter=%d text=\"%s\" private=\"%s\" file=\"%s\"\n", sh->counter, sh->text, priv, file);
  sem_post(&sh->done);
  int status;
  waitpid(pid, &status, 0);
  sh->counter++;
  printf("after the child's munmap and exit: counter=%d, status=%d\n", sh->counter, WEXITSTATUS(status));
  char buf[64] = {0};
  pread(fd, buf, sizeof buf - 1, 0);
  printf("read() of the file: \"%s\"\n", buf);
  return 0;
}
