/* sig_align_remap: alignment checks follow the code that is mapped now, not the code that was mapped at the same
 * address before (issue 14 item 5). Three files of code are mapped in turn at one fixed address, each called with
 * a misaligned x0 under a SIGBUS handler; the address is unmapped in between:
 *   a: ldar x1, [x0]  (8-byte alignment), x0 = buf+4   -> SIGBUS BUS_ADRALN at buf+4
 *   b: ldr x1, [x0]   (no requirement),   x0 = buf+4   -> ok
 *   c: stlr w1, [x0]  (4-byte alignment), x0 = buf+4   -> ok; x0 = buf+2 -> SIGBUS at buf+2
 * One line per call: "<file>: ok" or "<file>: sig=7 code=1 addr=buf+N". */
#include "sig_common.h"
#include <fcntl.h>
#include <sys/mman.h>

#define AT ((void *)0x7000000000UL)
static sigjmp_buf jb;

static void on_bus(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  out("sig=%d code=%d addr=%s\n", sig, si->si_code, sym((uintptr_t)si->si_addr, 0));
  siglongjmp(jb, 1);
}

/* maps a file holding `insn; ret` at AT (PROT_READ|PROT_EXEC), calls it with x0 = p, unmaps it */
static void call(const char *name, uint32_t insn, char *p) {
  uint32_t code[2] = { insn, 0xd65f03c0 /* ret */ };
  int fd = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0 || write(fd, code, sizeof code) != sizeof code) _exit(2);
  void *m = mmap(AT, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
  if (m != AT) _exit(3);
  close(fd);
  out("%s: ", name);
  if (sigsetjmp(jb, 1) == 0) {
    ((void (*)(char *))AT)(p);
    out("ok\n");
  }
  munmap(AT, 4096);
  unlink(name);
}

int main(void) {
  name_addr("buf", buf);
  install(SIGBUS, on_bus, 0);
  memset(buf, 0, sizeof buf);
  call("a", 0xc8dffc01 /* ldar x1, [x0] */, buf + 4);
  call("b", 0xf9400001 /* ldr x1, [x0] */, buf + 4);
  call("c", 0x889ffc01 /* stlr w1, [x0] */, buf + 4);
  call("c", 0x889ffc01, buf + 2);
  out("done\n");
  return 0;
}
