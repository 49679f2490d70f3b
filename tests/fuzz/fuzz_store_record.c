/* libFuzzer target for the store's log record decoder and the model's
 * apply (lib/store/record.c, model.c, merge.c, erase.c). The input is what
 * a committed batch holds: length-prefixed record payloads. Every record
 * that decodes must survive an encode/decode round trip unchanged and is
 * applied to a fresh model, which must then survive a snapshot round trip.
 * Build and run: docs/fuzzing.md. Without libFuzzer, fuzz_main.c runs it
 * over the seed corpus and fuzz_mutate.c over mutations of it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "record.h"
#include "store_snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int to_buf(void *user_data, const void *data, size_t len)
{
    dbmi_buf_put(user_data, data, len);
    return dbmi_buf_status(user_data);
}

/* encode(rec) decodes to a record that encodes to the same bytes. */
static void round_trip(libdbm_context *ctx, const dbmi_record *rec)
{
    dbmi_buf a, b;
    dbmi_record again;
    dbmi_buf_init(&a, ctx);
    dbmi_buf_init(&b, ctx);
    dbmi_record_encode(&a, rec);
    if (dbmi_buf_status(&a) == LIBDBM_OK) {
        if (dbmi_record_decode(ctx, a.data, a.len, &again) != LIBDBM_OK)
            abort();
        dbmi_record_encode(&b, &again);
        if (dbmi_buf_status(&b) != LIBDBM_OK || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            abort();
    }
    dbmi_buf_free(&a);
    dbmi_buf_free(&b);
}

/* The model a replay built serialises, and that payload loads again. */
static void snapshot_round_trip(libdbm_context *ctx, const dbmi_model *m)
{
    dbmi_buf scratch, payload;
    dbmi_model copy;
    dbmi_buf_init(&scratch, ctx);
    dbmi_buf_init(&payload, ctx);
    if (dbmi_store_serialize(m, &scratch, to_buf, &payload) == LIBDBM_OK) {
        dbmi_model_init(&copy, ctx, m->money_scale);
        if (dbmi_store_deserialize(&copy, payload.data, payload.len) != LIBDBM_OK ||
            copy.live != m->live)
            abort();
        dbmi_model_free(&copy);
    }
    dbmi_buf_free(&scratch);
    dbmi_buf_free(&payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static libdbm_context *ctx;
    dbmi_reader r;
    dbmi_model m;
    int records = 0;
    if (ctx == NULL && libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 0;
    dbmi_model_init(&m, ctx, 100);
    dbmi_reader_init(&r, data, size);
    while (dbmi_reader_remaining(&r) > 0 && records++ < 4096) {
        size_t len;
        const void *payload = dbmi_get_bytes(&r, &len);
        dbmi_record rec;
        if (payload == NULL)
            break;
        if (dbmi_record_decode(ctx, payload, len, &rec) != LIBDBM_OK)
            continue;
        round_trip(ctx, &rec);
        (void)dbmi_record_apply(&m, &rec, NULL);
    }
    snapshot_round_trip(ctx, &m);
    dbmi_model_free(&m);
    return 0;
}
