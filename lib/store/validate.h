/* Validation of the strings the store accepts (ids, names, texts). Each
 * check returns LIBDBM_OK or LIBDBM_EINVAL with a message naming @p what,
 * and stores the byte length on success when @p len is not NULL. */
#ifndef LIBDBM_STORE_VALIDATE_H
#define LIBDBM_STORE_VALIDATE_H

#include <stddef.h>

#include "context_private.h"

#define DBMI_MAX_ID_BYTES 1024u
#define DBMI_MAX_NAME_BYTES 64u
#define DBMI_MAX_CHANNEL_BYTES 32u
#define DBMI_MAX_TEXT_BYTES 65535u
#define DBMI_MAX_TXN_BYTES 256u

/* 1 when the @p len bytes are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF, no NUL). */
int dbmi_utf8_valid(const char *s, size_t len);

/* A customer id: 1..1024 bytes of UTF-8. */
int dbmi_check_id(const libdbm_context *ctx, const char *what, const char *id, size_t *len);
/* An attribute or event name: [A-Za-z_][A-Za-z0-9_.-]{0,63}. */
int dbmi_check_name(const libdbm_context *ctx, const char *what, const char *name, size_t *len);
/* A channel name or consent purpose: [a-z0-9_]{1,32}. */
int dbmi_check_channel(const libdbm_context *ctx, const char *what, const char *name, size_t *len);
/* UTF-8 text of min_len..max_len bytes. */
int dbmi_check_text(const libdbm_context *ctx, const char *what, const char *text,
                    size_t min_len, size_t max_len, size_t *len);

#endif
