/* Member sets: a bitset over store slots with its population count. */
#include <string.h>

#include "context_private.h"
#include "source.h"

struct libdbm_members {
    libdbm_context *ctx;
    uint64_t *words;
    size_t nbits;
    int64_t count;
};

static size_t nwords(size_t nbits) { return (nbits + 63) / 64; }

int dbmi_members_wrap(libdbm_members **out, libdbm_context *ctx, uint64_t *words, size_t nbits)
{
    libdbm_members *m = dbmi_calloc(ctx, 1, sizeof(*m));
    size_t i, n = nwords(nbits);
    if (m == NULL) {
        dbmi_free(ctx, words);
        return dbmi_error_nomem(ctx, "member set");
    }
    m->ctx = ctx;
    m->words = words;
    m->nbits = nbits;
    if (n > 0 && nbits % 64 != 0)
        words[n - 1] &= (UINT64_C(1) << (nbits % 64)) - 1;
    for (i = 0; i < n; i++)
        m->count += __builtin_popcountll(words[i]);
    *out = m;
    return LIBDBM_OK;
}

LIBDBM_API int64_t libdbm_members_count(const libdbm_members *m)
{
    return m != NULL ? m->count : 0;
}

LIBDBM_API int libdbm_members_contains(const libdbm_members *m, int64_t slot)
{
    if (m == NULL || slot < 0 || (uint64_t)slot >= m->nbits)
        return 0;
    return (int)((m->words[(uint64_t)slot / 64] >> ((uint64_t)slot % 64)) & 1);
}

LIBDBM_API int libdbm_members_next(const libdbm_members *m, int64_t *slot)
{
    uint64_t start, w, n;
    if (m == NULL || slot == NULL || *slot < -1)
        return LIBDBM_EINVAL;
    start = (uint64_t)(*slot + 1);
    n = nwords(m->nbits);
    if (start >= m->nbits)
        return LIBDBM_ENOTFOUND;
    w = start / 64;
    {
        uint64_t bits = m->words[w] & (~UINT64_C(0) << (start % 64));
        for (;;) {
            if (bits != 0) {
                *slot = (int64_t)(w * 64 + (uint64_t)__builtin_ctzll(bits));
                return LIBDBM_OK;
            }
            if (++w >= n)
                return LIBDBM_ENOTFOUND;
            bits = m->words[w];
        }
    }
}

enum set_op { SET_AND, SET_OR, SET_MINUS };

static int combine(libdbm_members **out, const libdbm_members *a, const libdbm_members *b, int op)
{
    size_t nbits, n, na, nb, i;
    uint64_t *words;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || a == NULL || b == NULL)
        return a != NULL ? dbmi_error(a->ctx, LIBDBM_EINVAL, "member set operation: NULL argument")
                         : LIBDBM_EINVAL;
    nbits = a->nbits > b->nbits ? a->nbits : b->nbits;
    n = nwords(nbits);
    na = nwords(a->nbits);
    nb = nwords(b->nbits);
    words = dbmi_calloc(a->ctx, n ? n : 1, sizeof(uint64_t));
    if (words == NULL)
        return dbmi_error_nomem(a->ctx, "member set");
    for (i = 0; i < n; i++) {
        uint64_t x = i < na ? a->words[i] : 0, y = i < nb ? b->words[i] : 0;
        words[i] = op == SET_AND ? (x & y) : op == SET_OR ? (x | y) : (x & ~y);
    }
    return dbmi_members_wrap(out, a->ctx, words, nbits);
}

LIBDBM_API int libdbm_members_and(libdbm_members **out, const libdbm_members *a,
                                  const libdbm_members *b)
{
    return combine(out, a, b, SET_AND);
}

LIBDBM_API int libdbm_members_or(libdbm_members **out, const libdbm_members *a,
                                 const libdbm_members *b)
{
    return combine(out, a, b, SET_OR);
}

LIBDBM_API int libdbm_members_minus(libdbm_members **out, const libdbm_members *a,
                                    const libdbm_members *b)
{
    return combine(out, a, b, SET_MINUS);
}

LIBDBM_API void libdbm_members_free(libdbm_members *m)
{
    if (m == NULL)
        return;
    dbmi_free(m->ctx, m->words);
    dbmi_free(m->ctx, m);
}
