/* sig_align: every A64 instruction class that needs natural alignment whatever SCTLR_EL1.A says (Arm ARM
 * B2.5.2; no FEAT_LSE2 here: AT_HWCAP has no USCAT), run once on a misaligned address under a SIGBUS/SIGSEGV
 * handler, plus controls that must not fault (ordinary accesses to Normal memory, byte-sized ordered
 * accesses, the same instructions aligned). One line per case:
 *   "<case>: sig=<n> code=<n> addr=buf+<off> pc=<the case's label?> esr=0x…"   or   "<case>: ok"
 * Each case is a tiny assembly function a_<case>(x0 = address) whose first instruction is the access, so the
 * faulting pc must be the function's own address. Written for issue 14 item 5. */
#include "sig_common.h"
#include <sys/mman.h>

/* .arch: LDAPR (8.3 RCpc), LDAPUR/STLUR (8.4 RCpc2), LDLAR/STLLR (8.1 LOR), LSE atomics (8.1) */
__asm__(
  ".arch armv8.4-a+rcpc\n.text\n"
#define F(name, body) ".globl a_" #name "\n.type a_" #name ",%function\na_" #name ": " body "\nret\n"
  F(ldar_x, "ldar x1, [x0]") F(ldar_w, "ldar w1, [x0]") F(ldarh, "ldarh w1, [x0]")
  F(stlr_x, "stlr x1, [x0]") F(stlr_w, "stlr w1, [x0]") F(stlrh, "stlrh w1, [x0]")
  F(ldapr_x, "ldapr x1, [x0]") F(ldapr_w, "ldapr w1, [x0]")
  F(ldapur_x, "ldapur x1, [x0, #1]") F(ldapursw, "ldapursw x1, [x0, #-2]") F(stlur_w, "stlur w1, [x0, #2]")
  F(ldlar_x, "ldlar x1, [x0]") F(stllr_w, "stllr w1, [x0]")
  F(ldxr_w, "ldxr w1, [x0]") F(ldaxrh, "ldaxrh w1, [x0]") F(stxr_x, "stxr w2, x1, [x0]") F(stlxr_w, "stlxr w2, w1, [x0]")
  F(ldxp_x, "ldxp x1, x2, [x0]") F(ldaxp_w, "ldaxp w1, w2, [x0]") F(stxp_x, "stxp w3, x1, x2, [x0]")
  F(stlxp_w, "stlxp w3, w1, w2, [x0]")
  F(ldadd_x, "ldadd x1, x2, [x0]") F(stadd_w, "stadd w1, [x0]") F(ldsetalh, "ldsetalh w1, w2, [x0]")
  F(swp_x, "swp x1, x2, [x0]") F(cas_w, "cas w2, w3, [x0]") F(casp_x, "casp x2, x3, x4, x5, [x0]")
  F(ldr_x, "ldr x1, [x0]") F(str_w, "str w1, [x0]") F(ldarb, "ldarb w1, [x0]") F(ldaddb, "ldaddb w1, w2, [x0]")
#undef F
);

#define DECL(n) extern void a_##n(void *);
DECL(ldar_x) DECL(ldar_w) DECL(ldarh) DECL(stlr_x) DECL(stlr_w) DECL(stlrh) DECL(ldapr_x) DECL(ldapr_w)
DECL(ldapur_x) DECL(ldapursw) DECL(stlur_w) DECL(ldlar_x) DECL(stllr_w) DECL(ldxr_w) DECL(ldaxrh) DECL(stxr_x)
DECL(stlxr_w) DECL(ldxp_x) DECL(ldaxp_w) DECL(stxp_x) DECL(stlxp_w) DECL(ldadd_x) DECL(stadd_w) DECL(ldsetalh)
DECL(swp_x) DECL(cas_w) DECL(casp_x) DECL(ldr_x) DECL(str_w) DECL(ldarb) DECL(ldaddb)

static sigjmp_buf jb;
static const char *current;
static void *current_fn;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  int64_t esr = frame_esr(uc);
  char esrs[32] = "none"; /* qemu-user writes no esr_context */
  if (esr >= 0) snprintf(esrs, sizeof esrs, "0x%lx", (unsigned long)esr);
  out("%s: sig=%d code=%d addr=%s pc=%s esr=%s\n", current, sig, si->si_code, sym((uintptr_t)si->si_addr, 0),
      uc->uc_mcontext.pc == (uintptr_t)current_fn ? "insn" : sym(uc->uc_mcontext.pc, 1), esrs);
  siglongjmp(jb, 1);
}

/* x0 = base + off; the case's own immediate (LDAPUR/STLUR) adds to it */
static void probe(const char *name, void (*fn)(void *), uintptr_t addr) {
  current = name;
  current_fn = (void *)fn;
  if (sigsetjmp(jb, 1) == 0) {
    fn((void *)addr);
    out("%s: ok\n", name);
  }
}

int main(void) {
  uintptr_t b = (uintptr_t)buf;
  name_addr("buf", buf);
  name_addr("main", (void *)main);
  install(SIGBUS, on_fault, 0);
  install(SIGSEGV, on_fault, 0);
  memset(buf, 0, sizeof buf); /* its page is present: only an alignment fault can happen */
#define RUN(n, a) probe(#n, a_##n, (a))
  /* load-acquire / store-release (FEAT_LRCPC, FEAT_LRCPC2, FEAT_LOR) */
  RUN(ldar_x, b + 4); RUN(ldar_w, b + 2); RUN(ldarh, b + 1);
  RUN(stlr_x, b + 12); RUN(stlr_w, b + 1); RUN(stlrh, b + 3);
  RUN(ldapr_x, b + 1); RUN(ldapr_w, b + 6);
  RUN(ldapur_x, b + 16); /* [x0, #1]: buf+17 */
  RUN(ldapursw, b + 20); /* [x0, #-2]: buf+18 */
  RUN(stlur_w, b); /* [x0, #2]: buf+2 */
  RUN(ldlar_x, b + 8 + 2); RUN(stllr_w, b + 1);
  /* exclusives: single registers, and pairs, aligned to the pair's total size */
  RUN(ldxr_w, b + 1); RUN(ldaxrh, b + 5); RUN(stxr_x, b + 4); RUN(stlxr_w, b + 2);
  RUN(ldxp_x, b + 8); RUN(ldaxp_w, b + 4); RUN(stxp_x, b + 8); RUN(stlxp_w, b + 12);
  /* LSE atomics, SWP, CAS, CASP (16 bytes: 16-aligned) */
  RUN(ldadd_x, b + 4); RUN(stadd_w, b + 2); RUN(ldsetalh, b + 1); RUN(swp_x, b + 9); RUN(cas_w, b + 1);
  RUN(casp_x, b + 8);
  /* alignment is checked before translation: a misaligned access to an unmapped or read-only page is an
   * alignment fault, not a translation or permission fault */
  RUN(ldar_x, 0x1001); RUN(stlr_w, (uintptr_t)main + 2); RUN(ldadd_x, 0x1004); RUN(stxr_x, 0x1001);
  /* controls: none of these may fault */
  RUN(ldr_x, b + 1); RUN(str_w, b + 3); RUN(ldarb, b + 1); RUN(ldaddb, b + 7);
  RUN(ldar_x, b + 8); RUN(stlr_w, b + 4); RUN(ldapur_x, b + 15); RUN(ldxp_x, b + 16); RUN(casp_x, b + 32);
  RUN(stlur_w, b + 2); /* [x0, #2]: buf+4 */
  out("done\n");
  return 0;
}
