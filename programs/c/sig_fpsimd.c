/* FP/SIMD state across a handler (kernel.md §9.2 fpsimd_context, §9.6 restore): v0–v31 and FPCR are set, SIGUSR1
 * is sent with a raw tgkill from the same asm block, the handler overwrites every vector register and FPCR (and
 * reports what its frame saved), and after sigreturn the asm block stores the registers back for checking. */
#include "sig_common.h"
#include <sys/syscall.h>

static unsigned long long in[64] __attribute__((aligned(16))), outv[64] __attribute__((aligned(16)));
static unsigned long fpcr_after;

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)si;
  struct { uint32_t magic, size, fpsr, fpcr; unsigned __int128 v[32]; } *fp = (void *)uc->uc_mcontext.__reserved;
  int ok = 1;
  for (int i = 0; i < 32; i++)
    if ((unsigned long long)fp->v[i] != in[2 * i] || (unsigned long long)(fp->v[i] >> 64) != in[2 * i + 1]) ok = 0;
  out("handler: sig=%d frame fpsimd magic=0x%x size=%u fpcr=0x%x vregs_match=%d\n", sig, fp->magic, fp->size, fp->fpcr, ok);
  asm volatile(
      "movi v0.16b, #0xee\n mov v1.16b, v0.16b\n mov v2.16b, v0.16b\n mov v3.16b, v0.16b\n mov v4.16b, v0.16b\n"
      "mov v5.16b, v0.16b\n mov v6.16b, v0.16b\n mov v7.16b, v0.16b\n mov v8.16b, v0.16b\n mov v9.16b, v0.16b\n"
      "mov v10.16b, v0.16b\n mov v11.16b, v0.16b\n mov v12.16b, v0.16b\n mov v13.16b, v0.16b\n mov v14.16b, v0.16b\n"
      "mov v15.16b, v0.16b\n mov v16.16b, v0.16b\n mov v17.16b, v0.16b\n mov v18.16b, v0.16b\n mov v19.16b, v0.16b\n"
      "mov v20.16b, v0.16b\n mov v21.16b, v0.16b\n mov v22.16b, v0.16b\n mov v23.16b, v0.16b\n mov v24.16b, v0.16b\n"
      "mov v25.16b, v0.16b\n mov v26.16b, v0.16b\n mov v27.16b, v0.16b\n mov v28.16b, v0.16b\n mov v29.16b, v0.16b\n"
      "mov v30.16b, v0.16b\n mov v31.16b, v0.16b\n msr fpcr, xzr\n" ::: "memory",
      "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16",
      "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
  unsigned long f;
  asm volatile("mrs %0, fpcr" : "=r"(f));
  out("handler: clobbered, fpcr now 0x%lx\n", f);
}

int main(void) {
  for (int i = 0; i < 64; i++) in[i] = 0x0101010101010101ull * (unsigned)(i + 1) ^ (0x1000ull * i);
  install(SIGUSR1, on_usr1, 0);
  long pid = getpid(), tid = syscall(SYS_gettid);
  /* FPCR: RMode = 0b11 (toward zero, bits 23:22), FZ (24), DN (25), AHP (26) */
  unsigned long fpcr_in = 0x7c00000ul;
  register long x0 asm("x0") = pid;
  register long x1 asm("x1") = tid;
  register long x2 asm("x2") = SIGUSR1;
  register long x8 asm("x8") = SYS_tgkill;
  asm volatile(
      "ldp q0, q1, [%[in]]\n ldp q2, q3, [%[in], #32]\n ldp q4, q5, [%[in], #64]\n ldp q6, q7, [%[in], #96]\n"
      "ldp q8, q9, [%[in], #128]\n ldp q10, q11, [%[in], #160]\n ldp q12, q13, [%[in], #192]\n ldp q14, q15, [%[in], #224]\n"
      "ldp q16, q17, [%[in], #256]\n ldp q18, q19, [%[in], #288]\n ldp q20, q21, [%[in], #320]\n ldp q22, q23, [%[in], #352]\n"
      "ldp q24, q25, [%[in], #384]\n ldp q26, q27, [%[in], #416]\n ldp q28, q29, [%[in], #448]\n ldp q30, q31, [%[in], #480]\n"
      "msr fpcr, %[fpcr]\n"
      "svc #0\n"
      "mrs %[fpcr], fpcr\n"
      "stp q0, q1, [%[out]]\n stp q2, q3, [%[out], #32]\n stp q4, q5, [%[out], #64]\n stp q6, q7, [%[out], #96]\n"
      "stp q8, q9, [%[out], #128]\n stp q10, q11, [%[out], #160]\n stp q12, q13, [%[out], #192]\n stp q14, q15, [%[out], #224]\n"
      "stp q16, q17, [%[out], #256]\n stp q18, q19, [%[out], #288]\n stp q20, q21, [%[out], #320]\n stp q22, q23, [%[out], #352]\n"
      "stp q24, q25, [%[out], #384]\n stp q26, q27, [%[out], #416]\n stp q28, q29, [%[out], #448]\n stp q30, q31, [%[out], #480]\n"
      "msr fpcr, xzr\n"
      : "+r"(x0), [fpcr] "+r"(fpcr_in)
      : "r"(x1), "r"(x2), "r"(x8), [in] "r"(in), [out] "r"(outv)
      : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14",
        "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
        "v30", "v31");
  fpcr_after = fpcr_in;
  int bad = 0;
  for (int i = 0; i < 32; i++)
    if (outv[2 * i] != in[2 * i] || outv[2 * i + 1] != in[2 * i + 1]) { out("v%d differs: 0x%llx%016llx\n", i, outv[2 * i + 1], outv[2 * i]); bad++; }
  out("tgkill ret=%ld fpcr after=0x%lx vregs differing=%d\n", (long)x0, fpcr_after, bad);
  out("v0=0x%016llx%016llx v31=0x%016llx%016llx\n", outv[1], outv[0], outv[63], outv[62]);
  return bad != 0;
}
