/* Shared by the sig_*.c programs: unbuffered printing, symbolic addresses, and an esr_context walker.
 * Every line is printed with dprintf(1) (write(2)) so nothing is lost when a signal kills the process.
 * Addresses are printed relative to known symbols (sym()) so the output does not depend on the layout. */
#define _GNU_SOURCE
#include <signal.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>

#define out(...) dprintf(1, __VA_ARGS__)
#define ESR_MAGIC_ 0x45535201u
#define FPSIMD_MAGIC_ 0x46508001u

struct ctx_head { uint32_t magic, size; };

/* a table of named addresses for sym() */
struct named { const char *name; uintptr_t addr; };
static struct named names[16];
static int nnames;
static void name_addr(const char *n, const void *a) { names[nnames].name = n; names[nnames++].addr = (uintptr_t)a; }

/* "name+off" for the closest named address at most 4 KiB below, else hex (a static buffer per slot) */
static const char *sym(uintptr_t a, int slot) {
  static char bufs[4][64];
  char *b = bufs[slot & 3];
  int best = -1;
  for (int i = 0; i < nnames; i++)
    if (a >= names[i].addr && a - names[i].addr < 4096 && (best < 0 || names[i].addr > names[best].addr)) best = i;
  if (best >= 0) snprintf(b, 64, "%s+%lu", names[best].name, (unsigned long)(a - names[best].addr));
  else snprintf(b, 64, "0x%lx", (unsigned long)a);
  return b;
}

/* the esr_context's ESR, or -1 when the frame has no such record */
static int64_t frame_esr(ucontext_t *uc) {
  unsigned char *p = (unsigned char *)uc->uc_mcontext.__reserved;
  for (unsigned off = 0; off + 8 <= sizeof uc->uc_mcontext.__reserved;) {
    struct ctx_head *h = (struct ctx_head *)(p + off);
    if (h->magic == 0 || h->size == 0) break;
    if (h->magic == ESR_MAGIC_) return (int64_t)*(uint64_t *)(p + off + 8);
    off += h->size;
  }
  return -1;
}

/* the record list, e.g. "fpsimd:528 esr:16 end" (other magics in hex) */
static const char *frame_records(ucontext_t *uc) {
  static char b[256];
  int n = 0;
  unsigned char *p = (unsigned char *)uc->uc_mcontext.__reserved;
  b[0] = 0;
  for (unsigned off = 0; off + 8 <= sizeof uc->uc_mcontext.__reserved;) {
    struct ctx_head *h = (struct ctx_head *)(p + off);
    if (h->magic == 0) { n += snprintf(b + n, sizeof b - n, "end"); break; }
    if (h->magic == FPSIMD_MAGIC_) n += snprintf(b + n, sizeof b - n, "fpsimd:%u ", h->size);
    else if (h->magic == ESR_MAGIC_) n += snprintf(b + n, sizeof b - n, "esr:%u ", h->size);
    else n += snprintf(b + n, sizeof b - n, "0x%x:%u ", h->magic, h->size);
    if (h->size == 0) break;
    off += h->size;
  }
  return b;
}

/* one line with everything a fault handler can see */
static void print_fault(const char *tag, int sig, siginfo_t *si, ucontext_t *uc) {
  int64_t esr = frame_esr(uc);
  char esrs[32];
  if (esr < 0) strcpy(esrs, "none"); else snprintf(esrs, sizeof esrs, "0x%lx", (unsigned long)esr);
  out("%s: sig=%d si_signo=%d code=%d errno=%d addr=%s fault_address=%s pc=%s esr=%s\n", tag, sig, si->si_signo,
      si->si_code, si->si_errno, sym((uintptr_t)si->si_addr, 0), sym(uc->uc_mcontext.fault_address, 1),
      sym(uc->uc_mcontext.pc, 2), esrs);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL)) { out("sigaction failed\n"); _exit(98); }
}

static int is_blocked(int sig) {
  sigset_t s;
  sigprocmask(SIG_BLOCK, NULL, &s);
  return sigismember(&s, sig);
}

/* Faulting instructions with global labels (each function exists once: noinline, never cloned at -O1). */
extern char fault_null[], fault_write[], fault_ldxr[], fault_udf[], fault_brk[], fault_skip[];
static char buf[64] __attribute__((aligned(16)));
__attribute__((noinline, used)) static long do_null(void) {
  long v;
  asm volatile(".globl fault_null\nfault_null: ldr %0, [%1]" : "=r"(v) : "r"(0L) : "memory");
  return v;
}
__attribute__((noinline, used)) static void do_write(void) {
  asm volatile(".globl fault_write\nfault_write: str %0, [%1]" :: "r"(1L), "r"(0x10008L) : "memory");
}
__attribute__((noinline, used)) static long do_ldxr(void) {
  long v;
  buf[0] = 1;
  asm volatile(".globl fault_ldxr\nfault_ldxr: ldxr %0, [%1]" : "=r"(v) : "r"(buf + 1) : "memory");
  return v;
}
__attribute__((noinline, used)) static void do_udf(void) { asm volatile(".globl fault_udf\nfault_udf: udf #0" ::: "memory"); }
__attribute__((noinline, used)) static void do_brk(void) { asm volatile(".globl fault_brk\nfault_brk: brk #0x3e8" ::: "memory"); }
/* loads from NULL into a register preset to 7: a handler that skips the load leaves 7 */
__attribute__((noinline, used)) static long do_skip(void) {
  long v;
  asm volatile("mov %0, #7\n.globl fault_skip\nfault_skip: ldr %0, [%1]" : "=&r"(v) : "r"(0L) : "memory");
  return v;
}

static void name_all(void) {
  name_addr("fault_null", fault_null); name_addr("fault_write", fault_write); name_addr("fault_ldxr", fault_ldxr);
  name_addr("fault_udf", fault_udf); name_addr("fault_brk", fault_brk); name_addr("fault_skip", fault_skip);
  name_addr("buf", buf);
}
