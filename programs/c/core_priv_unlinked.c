/* core_priv_unlinked: a MAP_PRIVATE file mapping, written, whose file is then unlinked, then a NULL store
 * (issue 14 item 4). A written private file page is anonymous memory (it has an anon_vma): the core must carry
 * its current bytes, since the file is gone by the time anyone reads the core.
 *   priv_written -> ./core_priv_unlinked.dat page 0 (the file holds 0xa0 bytes), MAP_PRIVATE, written:
 *                   priv_written[0] = 0x4444444444444444, priv_written[511] = 0x4545454545454545
 *   priv_clean   -> the same file's page 1 (0xc1 bytes), MAP_PRIVATE, only read
 * stdout: "ready"; then SIGSEGV SEGV_MAPERR at 0 in crash_here; exit 99 only if no fault happened. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

volatile uint64_t *priv_written, *priv_clean;

__attribute__((noinline)) void crash_here(volatile uint64_t *p) { *p = 0xdead; }

int main(void)
{
	static unsigned char page[4096];
	int fd = open("core_priv_unlinked.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0) return 2;
	memset(page, 0xa0, sizeof page);
	if (write(fd, page, sizeof page) != sizeof page) return 3;
	memset(page, 0xc1, sizeof page);
	if (write(fd, page, sizeof page) != sizeof page) return 3;
	priv_written = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	priv_clean = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
	if (priv_written == MAP_FAILED || priv_clean == MAP_FAILED) return 4;
	priv_written[0] = 0x4444444444444444UL;
	priv_written[511] = 0x4545454545454545UL;
	if (priv_clean[0] != 0xc1c1c1c1c1c1c1c1UL) return 5;
	close(fd);
	if (unlink("core_priv_unlinked.dat") != 0) return 6;
	puts("ready");
	fflush(stdout);
	crash_here(0);
	puts("no fault");
	return 99;
}
