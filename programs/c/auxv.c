/* auxv: dumps the initial stack (argc, argv, envp, auxv, strings) so a test can compare the
 * layout with Linux's create_elf_tables() rules. One key=value (or "auxv …") line each. */
#include <stdio.h>
#include <string.h>

static const char *auxv_name(unsigned long type)
{
	switch (type) {
	case 0: return "AT_NULL";
	case 1: return "AT_IGNORE";
	case 2: return "AT_EXECFD";
	case 3: return "AT_PHDR";
	case 4: return "AT_PHENT";
	case 5: return "AT_PHNUM";
	case 6: return "AT_PAGESZ";
	case 7: return "AT_BASE";
	case 8: return "AT_FLAGS";
	case 9: return "AT_ENTRY";
	case 10: return "AT_NOTELF";
	case 11: return "AT_UID";
	case 12: return "AT_EUID";
	case 13: return "AT_GID";
	case 14: return "AT_EGID";
	case 15: return "AT_PLATFORM";
	case 16: return "AT_HWCAP";
	case 17: return "AT_CLKTCK";
	case 23: return "AT_SECURE";
	case 24: return "AT_BASE_PLATFORM";
	case 25: return "AT_RANDOM";
	case 26: return "AT_HWCAP2";
	case 27: return "AT_RSEQ_FEATURE_SIZE";
	case 28: return "AT_RSEQ_ALIGN";
	case 29: return "AT_HWCAP3";
	case 30: return "AT_HWCAP4";
	case 31: return "AT_EXECFN";
	case 33: return "AT_SYSINFO_EHDR";
	case 51: return "AT_MINSIGSTKSZ";
	default: return "AT_UNKNOWN";
	}
}

static void hex(const unsigned char *p, int n)
{
	for (int i = 0; i < n; i++)
		printf("%02x", p[i]);
}

int main(int argc, char **argv, char **envp)
{
	/* The kernel's initial sp points at argc; argv[] follows it. */
	long *sp = (long *)argv - 1;
	const char *last_string_end = NULL;
	const char *execfn = NULL;

	printf("sp=%p\n", (void *)sp);
	printf("sp_aligned16=%d\n", ((unsigned long)sp & 15) == 0);
	printf("argc=%ld\n", *sp);
	for (int i = 0; i < argc; i++) {
		printf("argv[%d]=%p:%s\n", i, (void *)argv[i], argv[i]);
		last_string_end = argv[i] + strlen(argv[i]) + 1;
	}
	char **e = envp;
	for (int i = 0; e[i]; i++) {
		printf("envp[%d]=%p:%s\n", i, (void *)e[i], e[i]);
		last_string_end = e[i] + strlen(e[i]) + 1;
	}
	while (*e)
		e++;
	unsigned long *auxv = (unsigned long *)(e + 1);
	printf("auxv_start=%p\n", (void *)auxv);
	for (;; auxv += 2) {
		unsigned long type = auxv[0], val = auxv[1];
		printf("auxv %lu %s 0x%lx", type, auxv_name(type), val);
		if (type == 25 && val) {
			printf(" ");
			hex((const unsigned char *)val, 16);
		} else if ((type == 31 || type == 15) && val) {
			printf(" %s", (const char *)val);
			if (type == 31)
				execfn = (const char *)val;
		} else if (type == 33 && val) {
			printf(" ");
			hex((const unsigned char *)val, 4);
		}
		printf("\n");
		if (type == 0)
			break;
	}
	printf("auxv_end=%p\n", (void *)(auxv + 2));
	printf("strings_end=%p\n", (void *)last_string_end);
	if (execfn) {
		/* Linux puts the execfn string last, ending 8 bytes below the stack top (those 8 bytes
		 * are zero). Read them only when they cannot cross into the next page. */
		const unsigned char *after = (const unsigned char *)execfn + strlen(execfn) + 1;
		printf("execfn_end=%p\n", (void *)after);
		if (((unsigned long)after & 4095) <= 4096 - 8) {
			printf("after_execfn=");
			hex(after, 8);
			printf("\n");
		}
		printf("top=%p\n", (void *)(after + 8));
	}
	return 0;
}
