/* libFuzzer target for the model blob loader (libdbm_model_load,
 * lib/scoring/model.c, in the envelope of lib/base/blob.c). The input is
 * loaded as it is (so the checksum check is reached) and again with its
 * last 4 bytes replaced by the right CRC-32C (so the payload decoder is).
 * A model that loads must save to exactly the bytes it was loaded from,
 * and its predictions must keep the API's promises (fuzz_check_model:
 * finite values with LIBDBM_OK, probabilities in [0, 1], bulk equal to
 * scalar, JSON round trip). A violation calls abort(). Build and run:
 * docs/fuzzing.md; the seed corpus (tests/fuzz/corpus/model-blob) was
 * written by libdbm_model_save (fuzz_scoring_seeds.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(libdbm_context *ctx, const unsigned char *blob, size_t size)
{
    libdbm_model *m = NULL;
    void *saved = NULL;
    size_t len = 0;
    int status;
    if (libdbm_model_load(&m, ctx, blob, size) != LIBDBM_OK)
        return;
    if ((status = libdbm_model_save(m, &saved, &len)) != LIBDBM_OK)
        fuzz_fail("model_save", status);
    if (len != size || memcmp(saved, blob, size) != 0) {
        fprintf(stderr, "a loaded model blob saves to other bytes\n");
        abort();
    }
    libdbm_free_blob(saved);
    fuzz_check_model(m);
    libdbm_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_blob_target(data, size, load);
}
