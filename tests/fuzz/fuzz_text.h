/* The fuzz input as a NUL-terminated string, for the targets whose parser
 * reads text (an embedded NUL ends the text early, as it would for a
 * host). Header-only, so each target stays one source file. */
#ifndef LIBDBM_FUZZ_TEXT_H
#define LIBDBM_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of @p data with a NUL after it, or NULL. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text != NULL) {
        memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
