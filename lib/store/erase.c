/* Erasure (right to be forgotten) and the suppression set of salted
 * address hashes (model.h). */
#include <string.h>

#include "model.h"
#include "sha256.h"

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void dbmi_model_suppression_digest(const dbmi_model *m, const char *channel, const char *address,
                                   size_t len, unsigned char digest[DBMI_SUPPRESSION_BYTES])
{
    const unsigned char *s = (const unsigned char *)address;
    unsigned char full[32], zero = 0;
    dbmi_sha256 h;
    size_t i;
    while (len > 0 && is_space(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_space(s[len - 1]))
        len--;
    dbmi_sha256_init(&h);
    dbmi_sha256_update(&h, m->salt, sizeof(m->salt));
    dbmi_sha256_update(&h, channel, strlen(channel));
    dbmi_sha256_update(&h, &zero, 1);
    for (i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        dbmi_sha256_update(&h, &c, 1);
    }
    dbmi_sha256_final(&h, full);
    memcpy(digest, full, DBMI_SUPPRESSION_BYTES);
}

static size_t suppression_position(const dbmi_model *m, const unsigned char *digest, int *found)
{
    size_t lo = 0, hi = m->n_suppressed;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(m->suppressed + mid * DBMI_SUPPRESSION_BYTES, digest, DBMI_SUPPRESSION_BYTES);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->n_suppressed &&
             memcmp(m->suppressed + lo * DBMI_SUPPRESSION_BYTES, digest, DBMI_SUPPRESSION_BYTES) == 0;
    return lo;
}

int dbmi_model_is_suppressed(const dbmi_model *m, const unsigned char *digest)
{
    int found;
    suppression_position(m, digest, &found);
    return found;
}

int dbmi_model_add_suppression(dbmi_model *m, const unsigned char *digest)
{
    int found, status;
    size_t pos = suppression_position(m, digest, &found);
    if (found)
        return LIBDBM_OK;
    status = dbmi_grow_array(m->ctx, (void **)&m->suppressed, &m->cap_suppressed,
                             m->n_suppressed + 1, DBMI_SUPPRESSION_BYTES);
    if (status != LIBDBM_OK)
        return status;
    memmove(m->suppressed + (pos + 1) * DBMI_SUPPRESSION_BYTES,
            m->suppressed + pos * DBMI_SUPPRESSION_BYTES,
            (m->n_suppressed - pos) * DBMI_SUPPRESSION_BYTES);
    memcpy(m->suppressed + pos * DBMI_SUPPRESSION_BYTES, digest, DBMI_SUPPRESSION_BYTES);
    m->n_suppressed++;
    return LIBDBM_OK;
}

/* Overwrites a string before freeing it, so erased data does not linger
 * in freed heap memory that a later snapshot buffer might reuse unwritten. */
static void wipe_free(dbmi_model *m, char *s)
{
    if (s == NULL)
        return;
    {
        volatile char *v = s;
        while (*v != '\0')
            *v++ = 0;
    }
    dbmi_free(m->ctx, s);
}

static void kill_slot(dbmi_model *m, uint32_t slot)
{
    dbmi_profile_extra *x = m->slots[slot].extra;
    size_t k;
    if (x != NULL) {
        for (k = 0; k < x->n_attrs; k++)
            if (x->attrs[k].type == LIBDBM_TYPE_STRING) {
                wipe_free(m, x->attrs[k].v.s);
                x->attrs[k].type = LIBDBM_TYPE_NULL;
            }
        for (k = 0; k < x->n_channels; k++) {
            wipe_free(m, x->channels[k].address);
            x->channels[k].address = NULL;
        }
        x->n_channels = 0;
    }
    dbmi_profile_clear(m, slot);
    if (m->state[slot] == DBMI_SLOT_LIVE)
        m->live--;
    dbmi_model_wipe_id(m, slot);
    m->state[slot] = DBMI_SLOT_DEAD;
}

int dbmi_model_erase(dbmi_model *m, uint32_t slot, int keep_suppression)
{
    const dbmi_profile_extra *x = m->slots[slot].extra;
    size_t k, i;
    if (keep_suppression && x != NULL && x->n_channels > 0) {
        /* Reserve first so that the erase cannot half-happen. */
        int status = dbmi_grow_array(m->ctx, (void **)&m->suppressed, &m->cap_suppressed,
                                     m->n_suppressed + x->n_channels, DBMI_SUPPRESSION_BYTES);
        if (status != LIBDBM_OK)
            return status;
        for (k = 0; k < x->n_channels; k++) {
            unsigned char digest[DBMI_SUPPRESSION_BYTES];
            const dbmi_channel_state *c = &x->channels[k];
            dbmi_model_suppression_digest(m, m->names[c->channel], c->address,
                                          strlen(c->address), digest);
            (void)dbmi_model_add_suppression(m, digest); /* room reserved: cannot fail */
        }
    }
    /* Every alias resolving to the profile is the same person's id. */
    for (i = 0; i < m->n_slots; i++)
        if (m->state[i] == DBMI_SLOT_ALIAS && dbmi_model_canonical(m, (uint32_t)i) == slot)
            m->slots[i].days.alias_target = slot; /* flatten chains before any is cut */
    for (i = 0; i < m->n_slots; i++)
        if (m->state[i] == DBMI_SLOT_ALIAS && m->slots[i].days.alias_target == slot)
            kill_slot(m, (uint32_t)i);
    dbmi_camp_erase_slot(m, slot);
    kill_slot(m, slot);
    return LIBDBM_OK;
}
