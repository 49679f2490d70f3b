/* The store's mutation records: the payload of each log record (format in
 * docs/store.md). Every write of the public API is encoded as one record;
 * the same decoder applies records at commit and at recovery, so a replay
 * rebuilds exactly the state the writer had. */
#ifndef LIBDBM_STORE_RECORD_H
#define LIBDBM_STORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "model.h"

enum dbmi_record_op {
    DBMI_OP_ENSURE = 1,
    DBMI_OP_ATTR_DECLARE = 2,
    DBMI_OP_ATTR_SET = 3,
    DBMI_OP_ATTR_DELETE = 4,
    DBMI_OP_CHANNEL_ADDRESS = 5,
    DBMI_OP_CHANNEL_VERIFY = 6,
    DBMI_OP_CHANNEL_INVALID = 7,
    DBMI_OP_CONSENT = 8,
    DBMI_OP_PURCHASE = 9,
    DBMI_OP_CONTACT = 10,
    DBMI_OP_EVENT = 11,
    DBMI_OP_MERGE = 12,
    DBMI_OP_ERASE = 13,
    /* Log envelope only, never a model operation: a committed batch, the
     * length-prefixed records of the batch after this byte, so a crash
     * keeps all of a batch or none of it. */
    DBMI_OP_BATCH = 14,
    /* Campaign scheduler state (campaign_state.h); `code` is the sub-kind. */
    DBMI_OP_CAMPAIGN = 15
};

/* A decoded (or to-be-encoded) record. Strings are NUL-terminated; after
 * decoding they point into the payload. Unused fields are ignored. */
typedef struct dbmi_record {
    int op;
    const char *id;         /* the profile; MERGE: into */
    const char *id2;        /* MERGE: from */
    const char *name;       /* attribute, channel or event name */
    const char *purpose;    /* CONSENT */
    const char *text;       /* string value, address, campaign, consent source */
    const char *text2;      /* consent wording version */
    int type;               /* ATTR_SET/DECLARE: LIBDBM_TYPE_*; CONSENT: state;
                               CONTACT: outcome; CHANNEL_INVALID / ERASE: flag */
    int has_txn;            /* PURCHASE */
    int32_t stage;          /* CONTACT, CAMPAIGN */
    int32_t code;           /* CAMPAIGN: DBMI_CAMP_REC_* */
    uint32_t slot_hint;     /* CAMPAIGN: the writer's slot of `id`, UINT32_MAX = none */
    int64_t i;              /* int value, amount_minor */
    int64_t t;              /* time (purchase, contact, event, verification, consent) */
    double d;               /* double value, event value */
    uint64_t txn_hash;      /* PURCHASE */
} dbmi_record;

/* Appends the encoded record to @p buf (errors surface through
 * dbmi_buf_status). */
void dbmi_record_encode(dbmi_buf *buf, const dbmi_record *rec);
/* Decodes a payload: LIBDBM_OK, or LIBDBM_ECORRUPT naming the field and
 * the byte offset. Never allocates. */
int dbmi_record_decode(const libdbm_context *ctx, const void *payload, size_t len,
                       dbmi_record *rec);
/* Applies a decoded record to the model, atomically. @p result (may be
 * NULL) receives the created flag (ENSURE) or the added flag (PURCHASE).
 * Semantic failures (unknown profile, no address, schema) return their
 * status and change nothing; callers replaying a log skip them, since the
 * writer met exactly the same failure. */
int dbmi_record_apply(dbmi_model *m, const dbmi_record *rec, int *result);

#endif
