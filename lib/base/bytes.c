#include <string.h>

#include "bytes.h"

void dbmi_buf_init(dbmi_buf *buf, libdbm_context *ctx)
{
    memset(buf, 0, sizeof(*buf));
    buf->ctx = ctx;
}

void dbmi_buf_free(dbmi_buf *buf)
{
    dbmi_free(buf->ctx, buf->data);
    dbmi_buf_init(buf, buf->ctx);
}

void dbmi_buf_clear(dbmi_buf *buf)
{
    buf->len = 0;
    buf->failed = 0;
}

int dbmi_buf_status(const dbmi_buf *buf)
{
    if (buf->failed)
        return dbmi_error_nomem(buf->ctx, "encoding a record");
    return LIBDBM_OK;
}

void dbmi_buf_put(dbmi_buf *buf, const void *data, size_t len)
{
    size_t need;
    if (buf->failed || len == 0)
        return;
    if (dbmi_size_add(buf->len, len, &need) ||
        dbmi_grow_array(buf->ctx, (void **)&buf->data, &buf->capacity, need, 1) != LIBDBM_OK) {
        buf->failed = 1;
        return;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len = need;
}

void dbmi_store_u32le(unsigned char *out, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

uint32_t dbmi_load_u32le(const unsigned char *in)
{
    return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
           (uint32_t)in[3] << 24;
}

void dbmi_store_u64le(unsigned char *out, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

uint64_t dbmi_load_u64le(const unsigned char *in)
{
    return (uint64_t)dbmi_load_u32le(in) | (uint64_t)dbmi_load_u32le(in + 4) << 32;
}

void dbmi_buf_put_u8(dbmi_buf *buf, uint8_t v)
{
    dbmi_buf_put(buf, &v, 1);
}

void dbmi_buf_put_u32(dbmi_buf *buf, uint32_t v)
{
    unsigned char bytes[4];
    dbmi_store_u32le(bytes, v);
    dbmi_buf_put(buf, bytes, sizeof(bytes));
}

void dbmi_buf_put_u64(dbmi_buf *buf, uint64_t v)
{
    unsigned char bytes[8];
    dbmi_store_u64le(bytes, v);
    dbmi_buf_put(buf, bytes, sizeof(bytes));
}

void dbmi_buf_put_i64(dbmi_buf *buf, int64_t v)
{
    dbmi_buf_put_u64(buf, (uint64_t)v);
}

void dbmi_buf_put_f64(dbmi_buf *buf, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    dbmi_buf_put_u64(buf, bits);
}

void dbmi_buf_put_varint(dbmi_buf *buf, uint64_t v)
{
    unsigned char bytes[10];
    size_t n = 0;
    do {
        bytes[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v != 0)
            bytes[n] |= 0x80;
        n++;
    } while (v != 0);
    dbmi_buf_put(buf, bytes, n);
}

void dbmi_buf_put_bytes(dbmi_buf *buf, const void *data, size_t len)
{
    dbmi_buf_put_varint(buf, len);
    dbmi_buf_put(buf, data, len);
}

void dbmi_buf_put_str(dbmi_buf *buf, const char *str)
{
    dbmi_buf_put_bytes(buf, str, strlen(str));
}

void dbmi_reader_init(dbmi_reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->failed = 0;
}

size_t dbmi_reader_remaining(const dbmi_reader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

const void *dbmi_get(dbmi_reader *r, size_t len)
{
    const void *p;
    if (r->failed || len > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    p = r->data + r->pos;
    r->pos += len;
    return p;
}

uint8_t dbmi_get_u8(dbmi_reader *r)
{
    const unsigned char *p = dbmi_get(r, 1);
    return p ? p[0] : 0;
}

uint32_t dbmi_get_u32(dbmi_reader *r)
{
    const unsigned char *p = dbmi_get(r, 4);
    return p ? dbmi_load_u32le(p) : 0;
}

uint64_t dbmi_get_u64(dbmi_reader *r)
{
    const unsigned char *p = dbmi_get(r, 8);
    return p ? dbmi_load_u64le(p) : 0;
}

int64_t dbmi_get_i64(dbmi_reader *r)
{
    return (int64_t)dbmi_get_u64(r);
}

double dbmi_get_f64(dbmi_reader *r)
{
    uint64_t bits = dbmi_get_u64(r);
    double v;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

uint64_t dbmi_get_varint(dbmi_reader *r)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        const unsigned char *p = dbmi_get(r, 1);
        if (p == NULL)
            return 0;
        /* The tenth byte may carry only the top bit of a 64-bit value. */
        if (shift == 63 && (*p & 0x7E) != 0) {
            r->failed = 1;
            return 0;
        }
        v |= (uint64_t)(*p & 0x7F) << shift;
        if ((*p & 0x80) == 0)
            return v;
        shift += 7;
        if (shift > 63) {
            r->failed = 1;
            return 0;
        }
    }
}

const void *dbmi_get_bytes(dbmi_reader *r, size_t *len)
{
    uint64_t n = dbmi_get_varint(r);
    const void *p;
    if (r->failed || n > dbmi_reader_remaining(r)) {
        r->failed = 1;
        *len = 0;
        return NULL;
    }
    p = dbmi_get(r, (size_t)n);
    *len = p ? (size_t)n : 0;
    return p;
}
