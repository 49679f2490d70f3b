/* The store's interface for the campaign layer: the scheduler's state
 * (campaign_state.h) read under the store's read lock, and written as
 * DBMI_OP_CAMPAIGN records through the store's log, in or outside a batch
 * like every other write. */
#ifndef LIBDBM_STORE_STORE_CAMPAIGN_H
#define LIBDBM_STORE_STORE_CAMPAIGN_H

#include <stdint.h>

#include "campaign_state.h"
#include "libdbm.h"

struct dbmi_model;

/* The model, for reading entries and profiles (hold the read lock). */
const struct dbmi_model *dbmi_store_model(const libdbm_store *store);

/* One campaign record (campaign_state.h, DBMI_CAMP_REC_*). @p id is the
 * entry's origin id (the profile's own id for entries that started on it);
 * @p reason may be NULL. */
typedef struct dbmi_camp_write {
    int code;
    const char *id;
    const char *campaign;
    uint32_t number;
    int32_t stage;
    int type;
    int64_t time;
    const char *reason;
    /* The profile's slot when the writer knows it (UINT32_MAX otherwise):
     * applying the record then needs no lookup. Checked against the id. */
    uint32_t slot_hint;
} dbmi_camp_write;

int dbmi_store_campaign_write(libdbm_store *store, const dbmi_camp_write *w);

#endif
