/* Unit tests of lib/base/crc32c.c and lib/base/bytes.c: the CRC-32C check
 * values, the byte order, encode/decode round trips, and the reader's
 * refusal of truncated input and over-long varints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "check.h"
#include "crc32c.h"

static void test_crc32c(void)
{
    unsigned char buf[64];
    uint32_t whole, split;
    size_t cut;

    CHECK(dbmi_crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(dbmi_crc32c(0, "", 0) == 0);
    /* RFC 3720 appendix B.4 vectors. */
    memset(buf, 0, 32);
    CHECK(dbmi_crc32c(0, buf, 32) == 0x8A9136AAu);
    memset(buf, 0xFF, 32);
    CHECK(dbmi_crc32c(0, buf, 32) == 0x62A8AB43u);
    for (cut = 0; cut < 32; cut++)
        buf[cut] = (unsigned char)cut;
    CHECK(dbmi_crc32c(0, buf, 32) == 0x46DD794Eu);
    /* Extending in pieces equals one pass, whatever the split (exercises
     * the 8-byte slices and the byte tail at every alignment). */
    for (cut = 0; cut < sizeof(buf); cut++)
        buf[cut] = (unsigned char)(cut * 37u + 11u);
    whole = dbmi_crc32c(0, buf, sizeof(buf));
    for (cut = 0; cut <= sizeof(buf); cut++) {
        split = dbmi_crc32c(dbmi_crc32c(0, buf, cut), buf + cut, sizeof(buf) - cut);
        CHECK(split == whole);
    }
    /* A single flipped bit changes the checksum. */
    buf[17] ^= 0x04;
    CHECK(dbmi_crc32c(0, buf, sizeof(buf)) != whole);
}

static const uint64_t varints[] = {
    0, 1, 127, 128, 255, 300, 16383, 16384, UINT32_MAX, (uint64_t)1 << 56,
    UINT64_MAX - 1, UINT64_MAX,
};
#define N_VARINTS (sizeof(varints) / sizeof(varints[0]))

static void encode_sample(dbmi_buf *buf)
{
    size_t i;
    dbmi_buf_put_u8(buf, 0xAB);
    dbmi_buf_put_u32(buf, 0x01020304u);
    dbmi_buf_put_u64(buf, 0x1122334455667788ull);
    dbmi_buf_put_i64(buf, -42);
    dbmi_buf_put_f64(buf, -1.5e300);
    for (i = 0; i < N_VARINTS; i++)
        dbmi_buf_put_varint(buf, varints[i]);
    dbmi_buf_put_bytes(buf, "\0raw\xff", 5);
    dbmi_buf_put_str(buf, "customer-42");
    dbmi_buf_put_str(buf, "");
}

/* Decodes the sample; returns 1 when every value came back and the reader
 * did not fail. */
static int decode_sample(dbmi_reader *r)
{
    size_t i, len;
    const void *p;
    int ok = 1;
    ok &= dbmi_get_u8(r) == 0xAB;
    ok &= dbmi_get_u32(r) == 0x01020304u;
    ok &= dbmi_get_u64(r) == 0x1122334455667788ull;
    ok &= dbmi_get_i64(r) == -42;
    ok &= dbmi_get_f64(r) == -1.5e300;
    for (i = 0; i < N_VARINTS; i++)
        ok &= dbmi_get_varint(r) == varints[i];
    p = dbmi_get_bytes(r, &len);
    ok &= p != NULL && len == 5 && memcmp(p, "\0raw\xff", 5) == 0;
    p = dbmi_get_bytes(r, &len);
    ok &= p != NULL && len == 11 && memcmp(p, "customer-42", 11) == 0;
    p = dbmi_get_bytes(r, &len);
    ok &= p != NULL && len == 0;
    return ok && !r->failed;
}

static void test_round_trip_and_truncation(void)
{
    libdbm_context *ctx;
    dbmi_buf buf;
    dbmi_reader r;
    size_t cut;

    CHECK_OK(libdbm_context_new(&ctx, NULL));
    dbmi_buf_init(&buf, ctx);
    encode_sample(&buf);
    CHECK_OK(dbmi_buf_status(&buf));
    /* Little-endian whatever the host. */
    CHECK(buf.data[0] == 0xAB && buf.data[1] == 0x04 && buf.data[4] == 0x01);
    CHECK(buf.data[5] == 0x88 && buf.data[12] == 0x11);

    dbmi_reader_init(&r, buf.data, buf.len);
    CHECK(decode_sample(&r));
    CHECK(dbmi_reader_remaining(&r) == 0);
    /* Reading past the end fails and sticks. */
    CHECK(dbmi_get_u8(&r) == 0 && r.failed);
    CHECK(dbmi_get_u8(&r) == 0 && dbmi_reader_remaining(&r) == 0);

    /* Every strict prefix of the encoding is rejected, never over-read. */
    for (cut = 0; cut < buf.len; cut++) {
        unsigned char copy[256];
        CHECK(cut <= sizeof(copy));
        memcpy(copy, buf.data, cut);
        dbmi_reader_init(&r, copy, cut);
        CHECK(!decode_sample(&r));
        CHECK(r.failed);
    }
    dbmi_buf_free(&buf);
    libdbm_context_free(ctx);
}

static void test_malformed_varints(void)
{
    unsigned char bytes[16];
    dbmi_reader r;
    size_t len;

    /* UINT64_MAX takes exactly ten bytes, the last holding one bit. */
    memset(bytes, 0xFF, 9);
    bytes[9] = 0x01;
    dbmi_reader_init(&r, bytes, 10);
    CHECK(dbmi_get_varint(&r) == UINT64_MAX && !r.failed);
    /* A tenth byte carrying more than the 64th bit overflows. */
    bytes[9] = 0x02;
    dbmi_reader_init(&r, bytes, 10);
    CHECK(dbmi_get_varint(&r) == 0 && r.failed);
    /* Eleven bytes: over-long even though the value would fit. */
    memset(bytes, 0x80, 10);
    bytes[10] = 0x00;
    dbmi_reader_init(&r, bytes, 11);
    dbmi_get_varint(&r);
    CHECK(r.failed);
    /* A continuation bit on the last available byte is truncation. */
    bytes[0] = 0x80;
    dbmi_reader_init(&r, bytes, 1);
    dbmi_get_varint(&r);
    CHECK(r.failed);
    /* A byte string whose length exceeds the input is refused without
     * reading: here it claims 2^63 bytes. */
    memset(bytes, 0xFF, 8);
    bytes[8] = 0x7F;
    dbmi_reader_init(&r, bytes, 16);
    CHECK(dbmi_get_bytes(&r, &len) == NULL && len == 0 && r.failed);
    /* dbmi_get with a length beyond the end. */
    dbmi_reader_init(&r, bytes, 16);
    CHECK(dbmi_get(&r, 17) == NULL && r.failed);
    dbmi_reader_init(&r, bytes, 16);
    CHECK(dbmi_get(&r, 8) != NULL && dbmi_get(&r, SIZE_MAX) == NULL && r.failed);
}

int main(void)
{
    test_crc32c();
    test_round_trip_and_truncation();
    test_malformed_varints();
    puts("unit-bytes: ok");
    return 0;
}
