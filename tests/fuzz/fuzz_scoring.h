/* Helpers shared by the scoring fuzz targets (fuzz_model_blob.c,
 * fuzz_model_json.c, fuzz_stats_blob.c, fuzz_rfm_blob.c): they use only
 * the public header, like a host that loads what another process saved. */
#ifndef LIBDBM_FUZZ_SCORING_H
#define LIBDBM_FUZZ_SCORING_H

#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"

/* The context every target uses, created on first use (NULL if that
 * failed). */
libdbm_context *fuzz_context(void);

/* Reports a broken promise of the API and calls abort(). */
void fuzz_fail(const char *what, int status);

/* A copy of @p data whose last 4 bytes are the CRC-32C (little-endian) of
 * the bytes before them, as every libdbm blob ends (lib/base/blob.c):
 * without it nearly every mutation would stop at the checksum and the
 * fuzzer would never reach the payload decoders. NULL when @p size < 4 or
 * out of memory; free() it. */
unsigned char *fuzz_reseal(const uint8_t *data, size_t size);

/* Loads and checks one blob (a target's own function). */
typedef void fuzz_blob_loader(libdbm_context *ctx, const unsigned char *blob, size_t size);

/* The body of a blob target's LLVMFuzzerTestOneInput: @p load runs on the
 * input as it is (reaching the envelope's checks) and again resealed
 * (reaching the payload decoders). Returns 0. */
int fuzz_blob_target(const uint8_t *data, size_t size, fuzz_blob_loader *load);

/* Calls the prediction functions of the model's kind on a fixed set of
 * customers and checks what the API promises: every value returned with
 * LIBDBM_OK is finite, the array and bulk functions agree with the scalar
 * ones within 1e-12 relative, standard errors are finite, and the JSON and
 * blob forms read back to the same parameters, probabilities lie in
 * [0, 1] and expected purchases are not negative. */
void fuzz_check_model(const libdbm_model *model);

#endif
