/* libFuzzer target for the store's snapshot payload decoder
 * (lib/store/store_snapshot.c; the file envelope is snapshot.c's and has
 * its own checksum). Whatever the input, loading must fail cleanly or
 * give a model whose serialisation loads again to the same bytes.
 * Build and run: docs/fuzzing.md. Without libFuzzer, fuzz_main.c runs it
 * over the seed corpus and fuzz_mutate.c over mutations of it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "store_snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int to_buf(void *user_data, const void *data, size_t len)
{
    dbmi_buf_put(user_data, data, len);
    return dbmi_buf_status(user_data);
}

static int serialize(libdbm_context *ctx, const dbmi_model *m, dbmi_buf *out)
{
    dbmi_buf scratch;
    int status;
    dbmi_buf_init(&scratch, ctx);
    status = dbmi_store_serialize(m, &scratch, to_buf, out);
    dbmi_buf_free(&scratch);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static libdbm_context *ctx;
    dbmi_model m, again;
    dbmi_buf first, second;
    if (ctx == NULL && libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 0;
    dbmi_model_init(&m, ctx, 100);
    if (dbmi_store_deserialize(&m, data, size) == LIBDBM_OK) {
        dbmi_buf_init(&first, ctx);
        dbmi_buf_init(&second, ctx);
        dbmi_model_init(&again, ctx, 100);
        if (serialize(ctx, &m, &first) == LIBDBM_OK) {
            if (dbmi_store_deserialize(&again, first.data, first.len) != LIBDBM_OK ||
                serialize(ctx, &again, &second) != LIBDBM_OK || first.len != second.len ||
                memcmp(first.data, second.data, first.len) != 0)
                abort();
        }
        dbmi_model_free(&again);
        dbmi_buf_free(&first);
        dbmi_buf_free(&second);
    }
    dbmi_model_free(&m);
    return 0;
}
