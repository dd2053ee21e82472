/* A pre-filter for the exec-time text scan (src/mm/mm.ts watchSpWrites): the indexes of the instruction words
 * that match any (mask, value) pattern. The patterns are data from the TypeScript side (arch/arm64/sp_align.ts
 * and align.ts, next to the exact tests they are a superset of); nothing here knows an instruction. A static
 * glibc's text is ~180,000 words, and a loop over them in JS, run once per exec before the JIT has warmed up,
 * cost more than the rest of a hello's start-up. */
#include <stdint.h>
#include <string.h>

/* words: n little-endian 32-bit words (any alignment); pat: npat pairs (mask, value); out: room for n indexes.
 * Returns how many indexes were written. */
int64_t af_scan_words(const void *words, int64_t n, const uint32_t *pat, int npat, uint32_t *out)
{
    const unsigned char *p = words;
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        for (int j = 0; j < npat; j++) {
            if ((w & pat[2 * j]) == pat[2 * j + 1]) {
                out[k++] = (uint32_t)i;
                break;
            }
        }
    }
    return k;
}
