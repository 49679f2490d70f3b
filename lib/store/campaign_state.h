/* The campaign scheduler's durable state inside the store (docs/campaigns.md,
 * "Scheduler state"): per profile, the list of its campaign entries, each
 * with per-stage states. It lives in the model, changes only through
 * DBMI_OP_CAMPAIGN log records (so it survives crashes exactly like every
 * other write), is saved in snapshots, disappears with an erased profile and
 * follows a merge by the documented rule.
 *
 * An entry is keyed by (profile, campaign, entry number, origin): origin is
 * the customer id the entry started under when that id has since been
 * merged into another profile (NULL while it is the profile's own id), so
 * action ids built from it never change. */
#ifndef LIBDBM_STORE_CAMPAIGN_STATE_H
#define LIBDBM_STORE_CAMPAIGN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"
#include "bytes.h"

struct dbmi_model;
struct dbmi_record;

/* Most stages a campaign may have (and entry state can hold). */
#define DBMI_CAMP_MAX_STAGES 32u

/* Stage states. */
enum {
    DBMI_CAMP_PENDING = 0,      /* not yet due (or never evaluated) */
    DBMI_CAMP_DEFERRED = 1,     /* due, postponed by the policy until `at` */
    DBMI_CAMP_ISSUED = 2,       /* handed to the host at `at` */
    DBMI_CAMP_SKIPPED = 3       /* resolved without a contact at `at` (see reason) */
};

/* Why an entry ended. */
enum {
    DBMI_CAMP_ACTIVE = 0,
    DBMI_CAMP_END_COMPLETED = 1,    /* every stage resolved, measurement window over */
    DBMI_CAMP_END_CONVERTED = 2,
    DBMI_CAMP_END_EXIT = 3,         /* the exit segment matched */
    DBMI_CAMP_END_DROPPED = 4,      /* a stage configured `drop` was blocked */
    DBMI_CAMP_END_MERGED = 5        /* the other profile of a merge kept its entry */
};

/* Sub-kinds of a DBMI_OP_CAMPAIGN record (its `code`). */
enum {
    DBMI_CAMP_REC_ENTER = 1,    /* t = entered at, type = holdout flag */
    DBMI_CAMP_REC_STAGE = 2,    /* stage, type = state, t = at, name = reason ("" none) */
    DBMI_CAMP_REC_OUTCOME = 3,  /* stage, type = LIBDBM_OUTCOME_*, t */
    DBMI_CAMP_REC_END = 4,      /* type = end reason, t */
    /* A marketing stage issued: as STAGE with state ISSUED, and a SENT
     * contact row at t on the channel in `name`, in one record. */
    DBMI_CAMP_REC_ISSUE = 5
};

typedef struct dbmi_camp_stage {
    int64_t at;
    uint32_t reason;            /* interned name id + 1 of the reason; 0 = none */
    uint16_t outcomes;          /* bit (1 << outcome) per outcome fed back */
    uint8_t state;
    uint8_t defers;             /* deferrals so far (saturates at 255) */
} dbmi_camp_stage;

typedef struct dbmi_camp_entry {
    int64_t entered_at;
    int64_t ended_at;           /* 0 while active */
    char *origin;               /* owned; NULL: the profile's own id */
    dbmi_camp_stage *stages;    /* owned; n_stages touched so far */
    uint32_t slot;              /* canonical profile slot; UINT32_MAX when free */
    uint32_t campaign;          /* interned campaign name */
    uint32_t number;            /* 1, 2, ... per (profile, campaign, origin) */
    uint32_t next;              /* the profile's next entry, UINT32_MAX at the end */
    uint8_t holdout;
    uint8_t end;                /* DBMI_CAMP_ACTIVE or DBMI_CAMP_END_* */
    uint8_t n_stages;
    uint8_t reserved;
} dbmi_camp_entry;

/* The table: entries in one array (free ones chained through `next`), and
 * per slot the index of its first entry. */
typedef struct dbmi_camp_table {
    dbmi_camp_entry *entries;
    size_t n_entries, cap_entries;
    uint32_t free_list;         /* index + 1 of the first free entry; 0 = none */
    size_t live;                /* entries in use */
    uint32_t *first;            /* per slot; UINT32_MAX = none */
    size_t n_first;
    /* The last two names interned by records, +1 (0 = none): a batch
     * repeats one campaign and one channel. */
    uint32_t recent_names[2];
} dbmi_camp_table;

#define DBMI_CAMP_NONE UINT32_MAX

void dbmi_camp_table_free(struct dbmi_model *m);

/* Applies a decoded DBMI_OP_CAMPAIGN record, atomically. */
int dbmi_camp_apply(struct dbmi_model *m, const struct dbmi_record *rec);

/* Model hooks: the profile in @p slot is erased (all its entries go), or
 * @p from is merged into @p into (merge rule in docs/campaigns.md). */
void dbmi_camp_erase_slot(struct dbmi_model *m, uint32_t slot);
int dbmi_camp_merge_slots(struct dbmi_model *m, uint32_t into, uint32_t from);

/* Snapshot section: written after the aliases, profiles referred to by
 * their ordinal in the snapshot. */
void dbmi_camp_serialize(const struct dbmi_model *m, dbmi_buf *b, const uint32_t *ordinal);
int dbmi_camp_deserialize(struct dbmi_model *m, dbmi_reader *r, const uint32_t *slot_of,
                          size_t n_profiles);

/* Read access (hold the store's read lock). The first entry of a slot and
 * the next one, DBMI_CAMP_NONE at the end. */
uint32_t dbmi_camp_first(const struct dbmi_model *m, uint32_t slot);
const dbmi_camp_entry *dbmi_camp_entry_at(const struct dbmi_model *m, uint32_t index);

#endif
