/* What exact counting costs inside Unicorn itself: a 6-instruction register loop (1.6e9 iterations) run by the
 * project's libunicorn.so.2 with no hook, then with one empty UC_HOOK_BLOCK callback that only adds the block's
 * instruction count (what native/icount.c's block_cb does, less its limit check). CPU time of each uc_emu_start,
 * 3 runs each. Build and run from the project root:
 *   gcc -O2 -I.engine/include bench/block_hook.c -o /tmp/block_hook -L.engine/lib -l:libunicorn.so.2 \
 *       -Wl,-rpath,$PWD/.engine/lib && /tmp/block_hook
 */
#include <unicorn/unicorn.h>
#include <stdio.h>
#include <time.h>

static const uint32_t loop[] = {
	0xd2abebc0, /* mov  x0, #0x5f5e0000 */
	0xf2820000, /* movk x0, #0x1000 */
	0x91000421, /* 1: add x1, x1, #1 */
	0x8b010042, /* add  x2, x2, x1 */
	0xca020063, /* eor  x3, x3, x2 */
	0xaa030084, /* orr  x4, x4, x3 */
	0xd1000400, /* sub  x0, x0, #1 */
	0xb5ffff60, /* cbnz x0, 1b */
	0xd503201f, /* nop: the end address */
};

static unsigned long long counted;

static void block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	(void)uc, (void)address, (void)user;
	counted += size / 4;
}

static double cpu_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	for (int hooked = 0; hooked < 2; hooked++) {
		for (int round = 0; round < 3; round++) {
			uc_engine *uc;
			uc_hook h;
			if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK)
				return 1;
			uc_mem_map(uc, 0x10000, 0x1000, UC_PROT_ALL);
			uc_mem_write(uc, 0x10000, loop, sizeof loop);
			counted = 0;
			if (hooked)
				uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)block, NULL, 1, 0);
			double t0 = cpu_seconds();
			uc_err err = uc_emu_start(uc, 0x10000, 0x10000 + sizeof loop - 4, 0, 0);
			printf("%-16s %.3f s CPU (err %d, %llu instructions counted)\n", hooked ? "empty block hook" : "no hook",
			       cpu_seconds() - t0, err, counted);
			uc_close(uc);
		}
	}
	return 0;
}
