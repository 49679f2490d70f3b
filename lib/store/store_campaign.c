/* The store's interface for the campaign layer (store_campaign.h). */
#include <string.h>

#include "store_campaign.h"
#include "store_impl.h"

const dbmi_model *dbmi_store_model(const libdbm_store *store)
{
    return &store->model;
}

int dbmi_store_campaign_write(libdbm_store *store, const dbmi_camp_write *w)
{
    dbmi_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.op = DBMI_OP_CAMPAIGN;
    rec.code = w->code;
    rec.id = w->id;
    rec.text = w->campaign;
    rec.i = w->number;
    rec.stage = w->stage;
    rec.type = w->type;
    rec.t = w->time;
    rec.name = w->reason;
    rec.slot_hint = w->slot_hint;
    return dbmi_store_write(store, &rec, NULL);
}
