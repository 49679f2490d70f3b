/* A small mutation driver for libFuzzer targets without clang: reads the
 * seed corpus (a directory), then feeds the target random mutations of it
 * (byte flips, deletions, insertions of interesting tokens, splices) until
 * COUNT inputs or SECONDS have passed. Usage: DIR [SEED [COUNT [SECONDS]]].
 * The seed is printed so a crash can be replayed. */
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input { unsigned char *data; size_t len; } input;

static uint64_t rng;
static uint64_t next_random(void)
{
    uint64_t x = (rng += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static const char *const tokens[] = {
    "(", ")", "\"", "\\", "\\u", " and ", " or ", "not ", " in (", " between ", " is null",
    "==", "<=", ",", "90d", "6mo", "2024-02-29", "T10:00:00Z", "segment(\"vip\")", "attr.",
    "purchases(last ", "\xc3\xa9", "\xff", "\n", "1e308", "-9223372036854775808", "0.1"};

int main(int argc, char **argv)
{
    input *corpus = NULL;
    size_t n = 0, cap = 0;
    long count, i;
    double seconds;
    clock_t start = clock();
    DIR *dir;
    struct dirent *e;
    unsigned char *buf = malloc(1 << 17);
    const char *dump = getenv("FUZZ_DUMP");
    if (argc < 2 || buf == NULL)
        return 2;
    rng = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
    count = argc > 3 ? strtol(argv[3], NULL, 0) : 100000;
    seconds = argc > 4 ? strtod(argv[4], NULL) : 10.0;
    dir = opendir(argv[1]);
    if (dir == NULL)
        return 2;
    while ((e = readdir(dir)) != NULL) {
        char path[4096];
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        if ((f = fopen(path, "rb")) == NULL)
            continue;
        if (n == cap) {
            cap = cap * 2 + 16;
            corpus = realloc(corpus, cap * sizeof(*corpus));
            if (corpus == NULL)
                return 2;
        }
        corpus[n].data = malloc(1 << 16);
        corpus[n].len = corpus[n].data ? fread(corpus[n].data, 1, 1 << 16, f) : 0;
        fclose(f);
        n++;
    }
    closedir(dir);
    if (n == 0)
        return 2;
    printf("fuzz-mutate: seed %" PRIu64 ", %zu seeds, up to %ld inputs or %.0f s\n",
           rng, n, count, seconds);
    for (i = 0; i < count; i++) {
        const input *in = &corpus[next_random() % n];
        size_t len = in->len, k, edits = 1 + next_random() % 4;
        memcpy(buf, in->data, len);
        for (k = 0; k < edits; k++) {
            size_t at = len ? next_random() % (len + 1) : 0;
            switch (next_random() % 4) {
            case 0:
                if (at < len)
                    buf[at] ^= (unsigned char)(1u << (next_random() % 8));
                break;
            case 1:
                if (at < len) {
                    size_t del = 1 + next_random() % 8;
                    if (del > len - at)
                        del = len - at;
                    memmove(buf + at, buf + at + del, len - at - del);
                    len -= del;
                }
                break;
            case 2: {
                const char *t = tokens[next_random() % (sizeof(tokens) / sizeof(tokens[0]))];
                size_t tl = strlen(t);
                if (len + tl < (1 << 16)) {
                    memmove(buf + at + tl, buf + at, len - at);
                    memcpy(buf + at, t, tl);
                    len += tl;
                }
                break;
            }
            default: { /* splice the tail of another seed */
                const input *other = &corpus[next_random() % n];
                size_t from = other->len ? next_random() % other->len : 0;
                size_t tl = other->len - from;
                if (at + tl < (1 << 16)) {
                    memcpy(buf + at, other->data + from, tl);
                    len = at + tl;
                }
                break;
            }
            }
        }
        {
            unsigned char *exact = malloc(len ? len : 1);
            if (exact == NULL)
                return 2;
            memcpy(exact, buf, len);
            if (dump != NULL) { /* FUZZ_DUMP=FILE keeps the input being run */
                FILE *f = fopen(dump, "wb");
                if (f != NULL) {
                    fwrite(exact, 1, len, f);
                    fclose(f);
                }
            }
            LLVMFuzzerTestOneInput(exact, len);
            free(exact);
        }
        /* checked after every input: one input may take milliseconds */
        if ((double)(clock() - start) / CLOCKS_PER_SEC > seconds)
            break;
    }
    printf("fuzz-mutate: %ld inputs\n", i);
    for (; n > 0; n--)
        free(corpus[n - 1].data);
    free(corpus);
    free(buf);
    return 0;
}
