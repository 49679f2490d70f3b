#include <string.h>

#include "blob.h"
#include "crc32c.h"

#define BLOB_OVERHEAD 12 /* magic, version, checksum */

void dbmi_blob_begin(dbmi_buf *buf, libdbm_context *ctx, const char magic[4], uint32_t version)
{
    dbmi_buf_init(buf, ctx);
    dbmi_buf_put(buf, magic, 4);
    dbmi_buf_put_u32(buf, version);
}

int dbmi_blob_seal(dbmi_buf *buf, void **blob, size_t *len, const char *what)
{
    int status;
    if (!buf->failed)
        dbmi_buf_put_u32(buf, dbmi_crc32c(0, buf->data, buf->len));
    status = dbmi_buf_status(buf);
    if (status == LIBDBM_OK) {
        *blob = dbmi_export_bytes(buf->ctx, buf->data, buf->len);
        if (*blob == NULL)
            status = dbmi_error(buf->ctx, LIBDBM_ENOMEM, "out of memory while exporting a %s",
                                what);
        else
            *len = buf->len;
    }
    dbmi_buf_free(buf);
    return status;
}

int dbmi_blob_open(libdbm_context *ctx, const void *blob, size_t len, const char magic[4],
                   uint32_t version, const char *what, dbmi_reader *payload)
{
    const unsigned char *bytes = blob;
    uint32_t found;
    if (len < BLOB_OVERHEAD || memcmp(bytes, magic, 4) != 0)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "%s: bad magic or too short", what);
    found = dbmi_load_u32le(bytes + 4);
    if (found != version)
        return dbmi_error(ctx, LIBDBM_EVERSION, "%s: format version %u, this library reads %u",
                          what, (unsigned)found, (unsigned)version);
    if (dbmi_crc32c(0, bytes, len - 4) != dbmi_load_u32le(bytes + len - 4))
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "%s: checksum mismatch", what);
    dbmi_reader_init(payload, bytes + 8, len - BLOB_OVERHEAD);
    return LIBDBM_OK;
}
