/* libFuzzer target for the RFM segment table text parser
 * (libdbm_rfm_segments_parse, lib/scoring/rfm_segments.c). The input is
 * appended to the default table: when it parses, every rule it held is
 * added (parsing it again adds as many more) and classifying scores
 * around and beyond 1..5 names a rule or the fallback; when it does not,
 * the status is one the header names and the table is unchanged (all or
 * nothing). A violation calls abort(). Build and run: docs/fuzzing.md;
 * the seed corpus (tests/fuzz/corpus/rfm-segments) is hand-written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdbm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void classify_all(const libdbm_rfm_segments *segs, int32_t count)
{
    static const int32_t scores[] = { INT32_MIN, -1, 0, 1, 2, 3, 4, 5, 6, 100, INT32_MAX };
    const size_t n = sizeof(scores) / sizeof(scores[0]);
    size_t r, f, m;
    for (r = 0; r < n; r++)
        for (f = 0; f < n; f++)
            for (m = 0; m < n; m++) {
                const char *name = NULL;
                int32_t rule = -2;
                if (libdbm_rfm_segments_classify(segs, &name, &rule, scores[r], scores[f],
                                                 scores[m]) != LIBDBM_OK ||
                    name == NULL || rule < -1 || rule >= count) {
                    fprintf(stderr, "classify (%d, %d, %d): rule %d of %d\n", (int)scores[r],
                            (int)scores[f], (int)scores[m], (int)rule, (int)count);
                    abort();
                }
            }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static libdbm_context *ctx;
    libdbm_rfm_segments *segs = NULL;
    int32_t before = -1, after = -1, again = -1;
    char *text;
    int status;
    if (ctx == NULL && libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 0;
    if (libdbm_rfm_segments_new_default(&segs, ctx) != LIBDBM_OK)
        return 0;
    text = malloc(size + 1);
    if (text == NULL) {
        libdbm_rfm_segments_free(segs);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    libdbm_rfm_segments_count(segs, &before);
    status = libdbm_rfm_segments_parse(segs, text);
    libdbm_rfm_segments_count(segs, &after);
    if (status == LIBDBM_OK) {
        if (after < before || libdbm_rfm_segments_parse(segs, text) != LIBDBM_OK ||
            libdbm_rfm_segments_count(segs, &again) != LIBDBM_OK ||
            again - after != after - before) {
            fprintf(stderr, "rules: %d, then %d, then %d\n", (int)before, (int)after,
                    (int)again);
            abort();
        }
        classify_all(segs, again);
    } else if ((status != LIBDBM_ESYNTAX && status != LIBDBM_ENOMEM) || after != before) {
        fprintf(stderr, "parse failed with %s and left %d rules of %d\n",
                libdbm_strerror(status), (int)after, (int)before);
        abort();
    }
    /* A cleared table holds only the input's rules. */
    if (libdbm_rfm_segments_clear(segs) != LIBDBM_OK ||
        libdbm_rfm_segments_parse(segs, text) != status ||
        libdbm_rfm_segments_count(segs, &again) != LIBDBM_OK ||
        again != (status == LIBDBM_OK ? after - before : 0))
        abort();
    classify_all(segs, again);
    libdbm_rfm_segments_free(segs);
    free(text);
    return 0;
}
