/* hwcaps: for every capability AT_HWCAP/AT_HWCAP2 advertise, run one instruction that needs it, under a
 * SIGILL handler. Linux must advertise nothing the CPU cannot do: prints one line per advertised cap,
 * "ok" or "SIGILL", then the count of failures. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static sigjmp_buf jb;
static void on_ill(int sig) { (void)sig; siglongjmp(jb, 1); }
static unsigned long word[2] __attribute__((aligned(16)));

#define CAP(w, bit, name, insn) { w, bit, name }
struct cap { int word, bit; const char *name; };

static void run(int i)
{
	unsigned long *p = word;
	switch (i) {
	case 0: __asm__ volatile("fadd d0, d1, d2" ::: "v0"); break;                       /* FP */
	case 1: __asm__ volatile("add v0.4s, v1.4s, v2.4s" ::: "v0"); break;               /* ASIMD */
	case 2: __asm__ volatile("aese v0.16b, v1.16b" ::: "v0"); break;                   /* AES */
	case 3: __asm__ volatile("pmull v0.1q, v1.1d, v2.1d" ::: "v0"); break;             /* PMULL */
	case 4: __asm__ volatile("sha1h s0, s1" ::: "v0"); break;                          /* SHA1 */
	case 5: __asm__ volatile("sha256h q0, q1, v2.4s" ::: "v0"); break;                 /* SHA2 */
	case 6: __asm__ volatile("crc32b w0, w1, w2" ::: "x0"); break;                     /* CRC32 */
	case 7: __asm__ volatile("ldadd x0, x1, [%0]" :: "r"(p) : "x1", "memory"); break;  /* ATOMICS */
	case 8: __asm__ volatile("fadd h0, h1, h2" ::: "v0"); break;                       /* FPHP */
	case 9: __asm__ volatile("fadd v0.8h, v1.8h, v2.8h" ::: "v0"); break;              /* ASIMDHP */
	case 10: __asm__ volatile("mrs x0, midr_el1" ::: "x0"); break;                     /* CPUID */
	case 11: __asm__ volatile("sqrdmlah v0.4s, v1.4s, v2.4s" ::: "v0"); break;         /* ASIMDRDM */
	case 12: __asm__ volatile("fjcvtzs w0, d0" ::: "x0"); break;                       /* JSCVT */
	case 13: __asm__ volatile("fcmla v0.4s, v1.4s, v2.4s, #0" ::: "v0"); break;        /* FCMA */
	case 14: __asm__ volatile("ldapr x0, [%0]" :: "r"(p) : "x0"); break;               /* LRCPC */
	case 15: __asm__ volatile("dc cvap, %0" :: "r"(p)); break;                         /* DCPOP */
	case 16: __asm__ volatile("eor3 v0.16b, v1.16b, v2.16b, v3.16b" ::: "v0"); break;  /* SHA3 */
	case 17: __asm__ volatile("sm3ss1 v0.4s, v1.4s, v2.4s, v3.4s" ::: "v0"); break;    /* SM3 */
	case 18: __asm__ volatile("sm4e v0.4s, v1.4s" ::: "v0"); break;                    /* SM4 */
	case 19: __asm__ volatile("sdot v0.4s, v1.16b, v2.16b" ::: "v0"); break;           /* ASIMDDP */
	case 20: __asm__ volatile("sha512h q0, q1, v2.2d" ::: "v0"); break;                /* SHA512 */
	case 21: __asm__ volatile("fmlal v0.2s, v1.2h, v2.2h" ::: "v0"); break;            /* ASIMDFHM */
	case 22: __asm__ volatile("ldapur x0, [%0]" :: "r"(p) : "x0"); break;              /* ILRCPC */
	case 23: __asm__ volatile("cfinv" ::: "cc"); break;                                /* FLAGM */
	case 24: __asm__ volatile("sb"); break;                                            /* SB */
	case 25: __asm__ volatile("dc cvadp, %0" :: "r"(p)); break;                        /* DCPODP (HWCAP2) */
	case 26: __asm__ volatile("axflag" ::: "cc"); break;                               /* FLAGM2 (HWCAP2) */
	case 27: __asm__ volatile("frint32z s0, s1" ::: "v0"); break;                      /* FRINT (HWCAP2) */
	}
}

static const struct cap caps[] = {
	CAP(1, 0, "FP", 0), CAP(1, 1, "ASIMD", 0), CAP(1, 3, "AES", 0), CAP(1, 4, "PMULL", 0), CAP(1, 5, "SHA1", 0),
	CAP(1, 6, "SHA2", 0), CAP(1, 7, "CRC32", 0), CAP(1, 8, "ATOMICS", 0), CAP(1, 9, "FPHP", 0),
	CAP(1, 10, "ASIMDHP", 0), CAP(1, 11, "CPUID", 0), CAP(1, 12, "ASIMDRDM", 0), CAP(1, 13, "JSCVT", 0),
	CAP(1, 14, "FCMA", 0), CAP(1, 15, "LRCPC", 0), CAP(1, 16, "DCPOP", 0), CAP(1, 17, "SHA3", 0),
	CAP(1, 18, "SM3", 0), CAP(1, 19, "SM4", 0), CAP(1, 20, "ASIMDDP", 0), CAP(1, 21, "SHA512", 0),
	CAP(1, 23, "ASIMDFHM", 0), CAP(1, 26, "ILRCPC", 0), CAP(1, 27, "FLAGM", 0), CAP(1, 29, "SB", 0),
	CAP(2, 0, "DCPODP", 0), CAP(2, 7, "FLAGM2", 0), CAP(2, 8, "FRINT", 0),
};

int main(void)
{
	unsigned long hw[3] = { 0, getauxval(AT_HWCAP), getauxval(AT_HWCAP2) };
	int failed = 0, n = (int)(sizeof caps / sizeof caps[0]);
	signal(SIGILL, on_ill);
	for (int i = 0; i < n; i++) {
		if (!(hw[caps[i].word] & (1ul << caps[i].bit))) continue;
		signal(SIGILL, on_ill);
		if (sigsetjmp(jb, 1) == 0) {
			run(i);
			dprintf(1, "%s ok\n", caps[i].name);
		} else {
			dprintf(1, "%s SIGILL\n", caps[i].name);
			failed++;
		}
	}
	dprintf(1, "advertised but missing: %d\n", failed);
	return failed != 0;
}
