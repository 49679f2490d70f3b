/* libFuzzer target for the model JSON reader (libdbm_model_from_json,
 * lib/scoring/model_json.c: a small recursive-descent JSON parser). A
 * model that reads must keep the API's promises (fuzz_check_model: finite
 * predictions with LIBDBM_OK, probabilities in [0, 1], bulk equal to
 * scalar, JSON and blob round trips); when it does not read, the status
 * is one the header names. A violation calls abort(). Build and run:
 * docs/fuzzing.md; the seed corpus (tests/fuzz/corpus/model-json) holds
 * libdbm_model_to_json output (fuzz_scoring_seeds.c) and hand-written
 * variants. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scoring.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libdbm_context *ctx = fuzz_context();
    libdbm_model *m = NULL;
    char *text;
    int status;
    if (ctx == NULL || (text = fuzz_text(data, size)) == NULL)
        return 0;
    status = libdbm_model_from_json(&m, ctx, text);
    if (status == LIBDBM_OK) {
        fuzz_check_model(m);
    } else if (m != NULL || (status != LIBDBM_ESYNTAX && status != LIBDBM_EVERSION &&
                             status != LIBDBM_ELIMIT && status != LIBDBM_ENOMEM)) {
        fuzz_fail("model_from_json", status);
    }
    libdbm_model_free(m);
    free(text);
    return 0;
}
