/* String validation for the store (validate.h). */
#include <string.h>

#include "validate.h"

int dbmi_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need, k;
        uint32_t cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (len - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0u) != 0x80u)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += need + 1;
    }
    return 1;
}

int dbmi_check_text(const libdbm_context *ctx, const char *what, const char *text,
                    size_t min_len, size_t max_len, size_t *len)
{
    size_t n;
    if (text == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is NULL", what);
    n = strnlen(text, max_len + 1);
    if (n < min_len)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is empty", what);
    if (n > max_len)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is longer than %zu bytes", what, max_len);
    if (!dbmi_utf8_valid(text, n))
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is not valid UTF-8", what);
    if (len != NULL)
        *len = n;
    return LIBDBM_OK;
}

int dbmi_check_id(const libdbm_context *ctx, const char *what, const char *id, size_t *len)
{
    return dbmi_check_text(ctx, what, id, 1, DBMI_MAX_ID_BYTES, len);
}

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int dbmi_check_name(const libdbm_context *ctx, const char *what, const char *name, size_t *len)
{
    size_t i;
    if (name == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is NULL", what);
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                 (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
        if (i >= DBMI_MAX_NAME_BYTES)
            return dbmi_error(ctx, LIBDBM_EINVAL, "%s is longer than %u bytes", what,
                              DBMI_MAX_NAME_BYTES);
        if (!ok)
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "%s has an invalid character at byte %zu (names are "
                              "[A-Za-z_][A-Za-z0-9_.-]*)", what, i);
    }
    if (i == 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is empty", what);
    if (len != NULL)
        *len = i;
    return LIBDBM_OK;
}

int dbmi_check_channel(const libdbm_context *ctx, const char *what, const char *name, size_t *len)
{
    size_t i;
    if (name == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is NULL", what);
    for (i = 0; name[i] != '\0'; i++) {
        if (i >= DBMI_MAX_CHANNEL_BYTES)
            return dbmi_error(ctx, LIBDBM_EINVAL, "%s is longer than %u bytes", what,
                              DBMI_MAX_CHANNEL_BYTES);
        if (!is_lower_alnum(name[i]))
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "%s has an invalid character at byte %zu (allowed: [a-z0-9_])",
                              what, i);
    }
    if (i == 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s is empty", what);
    if (len != NULL)
        *len = i;
    return LIBDBM_OK;
}
