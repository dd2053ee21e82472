/* core_vars: known values in every kind of memory a core dump has to carry, then a NULL store.
 *
 *   data_var      .data, initialised                      0x1111111111111111 (written once more: 0x1111…)
 *   bss_var       .bss                                    0x2222222222222222
 *   heap_var      -> malloc(64) (brk heap)                *heap_var = 0x3333333333333333
 *   priv_written  -> ./core_vars.dat page 0, MAP_PRIVATE, written: priv_written[0] = 0x4444444444444444
 *                    (the file itself keeps 0xa0a0… there)
 *   priv_clean    -> ./core_vars.dat page 1, MAP_PRIVATE, never written: 0xc1c1c1c1c1c1c1c1 (from the file)
 *   anon_var      -> anonymous MAP_PRIVATE page, written: anon_var[0] = 0x5555555555555555
 *
 * The fault is reached through enter_crash (asm) on a fixed stack (FIXED_STACK, MAP_FIXED), with every
 * general register set to a constant, so the core of this program has the same x0–x30, sp and pc under
 * any loader (arm64 Linux, QEMU linux-user, the emulator) whatever argv/env/stack placement were. At the fault:
 *   pc = crash_here+4 (the str), sp = x29 = FIXED_STACK + 0x10000 - 32, x30 = the return into enter_crash,
 *   x0 = 0 (the pointer), x1 = 0xdead (the value stored), xN = 0xNNNN… for N = 2..28 read as hex digits
 *   (x19 = 0x1919191919191919), TPIDR_EL0 = 0x7e7e0000cafef00d, v0 = 0x00112233445566778899aabbccddeeff.
 * crash_here (noinline) does the store: SIGSEGV SEGV_MAPERR, si_addr 0.
 * stdout: "ready" before the fault; exit 99 only if no fault happened.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FIXED_STACK 0x4000000000UL
#define FIXED_STACK_SIZE 0x10000UL

volatile uint64_t data_var = 0x1111111111111111UL;
volatile uint64_t bss_var;
volatile uint64_t *heap_var;
volatile uint64_t *priv_written;
volatile uint64_t *priv_clean;
volatile uint64_t *anon_var;

/* v0 after enter_crash: bytes 0xff, 0xee, …, 0x00 in memory order = 0x00112233445566778899aabbccddeeff. */
const unsigned char v0_pattern[16] __attribute__((aligned(16))) = {
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
};

void enter_crash(uint64_t stack_top);

__attribute__((noinline)) void crash_here(volatile uint64_t *p)
{
	*p = 0xdead;
}

/* Puts a frame record {x29, x30, old sp} at the top of the fixed stack, so x29 and sp at the fault are the
 * same under every loader while the CFI (CFA = *(x29 + 16)) still lets gdb unwind back to main; then loads
 * the constants and calls crash_here(NULL). */
__asm__(
	"	.text\n"
	"	.global enter_crash\n"
	"	.type enter_crash, %function\n"
	"enter_crash:\n"
	"	.cfi_startproc\n"
	"	sub x1, x0, #32\n"
	"	stp x29, x30, [x1]\n"
	"	mov x2, sp\n"
	"	str x2, [x1, #16]\n"
	"	mov sp, x1\n"
	"	mov x29, sp\n"
	/* CFA = *(x29 + 16); x29 and x30 saved at x29 + 0 and x29 + 8 (DW_OP_breg29 = 0x8d). */
	"	.cfi_escape 0x0f, 3, 0x8d, 0x10, 0x06\n"
	"	.cfi_escape 0x10, 29, 2, 0x8d, 0x00\n"
	"	.cfi_escape 0x10, 30, 2, 0x8d, 0x08\n"
"	adrp x1, v0_pattern\n"
	"	add x1, x1, :lo12:v0_pattern\n"
	"	ldr q0, [x1]\n"
	"	movz x1, #0x7e7e, lsl #48\n"
	"	movk x1, #0xcafe, lsl #16\n"
	"	movk x1, #0xf00d\n"
	"	msr tpidr_el0, x1\n"
	"	.irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28\n"
	"	movz x\\n, #(((\\n / 10) << 4 | (\\n % 10)) * 0x101), lsl #48\n"
	"	movk x\\n, #(((\\n / 10) << 4 | (\\n % 10)) * 0x101), lsl #32\n"
	"	movk x\\n, #(((\\n / 10) << 4 | (\\n % 10)) * 0x101), lsl #16\n"
	"	movk x\\n, #(((\\n / 10) << 4 | (\\n % 10)) * 0x101)\n"
	"	.endr\n"
	"	mov x0, #0\n"
	"	bl crash_here\n"
	"	ldr x2, [x29, #16]\n"
	"	ldp x29, x30, [x29]\n"
	"	mov sp, x2\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size enter_crash, .-enter_crash\n");

static void *map_or_die(void *addr, size_t len, int flags, int fd, off_t off)
{
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE, flags, fd, off);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

int main(void)
{
	static unsigned char page[4096];
	int fd = open("core_vars.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open core_vars.dat");
		return 2;
	}
	for (int i = 0; i < 4096; i++) page[i] = 0xa0;
	if (write(fd, page, sizeof page) != sizeof page) return 3;
	for (int i = 0; i < 4096; i++) page[i] = 0xc1;
	if (write(fd, page, sizeof page) != sizeof page) return 3;

	data_var = 0x1111111111111111UL;
	bss_var = 0x2222222222222222UL;
	heap_var = malloc(64);
	*heap_var = 0x3333333333333333UL;
	priv_written = map_or_die(NULL, 4096, MAP_PRIVATE, fd, 0);
	priv_clean = map_or_die(NULL, 4096, MAP_PRIVATE, fd, 4096);
	priv_written[0] = 0x4444444444444444UL;
	anon_var = map_or_die(NULL, 4096, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	anon_var[0] = 0x5555555555555555UL;
	close(fd);

	map_or_die((void *)FIXED_STACK, FIXED_STACK_SIZE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	puts("ready");
	fflush(stdout);
	enter_crash(FIXED_STACK + FIXED_STACK_SIZE);
	puts("no fault");
	return 99;
}
