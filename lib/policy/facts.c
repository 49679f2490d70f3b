/* What a check needs to know: the request, validated, with the policy's
 * settings that apply to it, and the customer's state read from the store
 * through its columnar interface (names resolved to interned ids once per
 * check, histories borrowed, nothing copied). */
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "store_columns.h"
#include "validate.h"

/* Times a request may name: years 1 to 9999, so that every window and
 * horizon sum stays far from overflow. */
#define MIN_TIME (-62135596800LL)
#define MAX_TIME 253402300799LL

static int read_request(libdbm_context *ctx, const libdbm_policy_request *in,
                        libdbm_policy_request *req)
{
    libdbm_policy_request_init(req);
    if (in == NULL || in->struct_size < offsetof(libdbm_policy_request, priority) ||
        in->struct_size > sizeof(*req))
        return dbmi_error(ctx, LIBDBM_EINVAL, "policy request: bad or NULL struct");
    memcpy(req, in, in->struct_size);
    if (req->customer_id == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "policy request: no customer id");
    if (!dbmi_pol_valid_channel(req->channel))
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "policy request: the channel is [a-z0-9_]{1,32} other than 'all'");
    if (req->message_class != LIBDBM_MESSAGE_MARKETING &&
        req->message_class != LIBDBM_MESSAGE_TRANSACTIONAL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "policy request: unknown message class %d",
                          (int)req->message_class);
    if (req->business_unit != NULL && !dbmi_pol_valid_name(req->business_unit))
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "policy request: a business unit is [A-Za-z0-9_.-]{1,64}");
    if (req->campaign != NULL) {
        size_t n = strnlen(req->campaign, DBMI_POL_MAX_CAMPAIGN + 1);
        if (n == 0 || n > DBMI_POL_MAX_CAMPAIGN || !dbmi_utf8_valid(req->campaign, n))
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "policy request: a campaign is 1 to 256 bytes of UTF-8");
    }
    if (req->time < MIN_TIME || req->time > MAX_TIME)
        return dbmi_error(ctx, LIBDBM_EINVAL, "policy request: time outside years 1 to 9999");
    if (req->reserved != 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "policy request: reserved must be 0");
    return LIBDBM_OK;
}

static int32_t effective_priority(const dbmi_pol_spec *sp, const libdbm_policy_request *req)
{
    if (req->campaign != NULL)
        for (size_t i = 0; i < sp->n_priorities; i++)
            if (strcmp(sp->priorities[i].campaign, req->campaign) == 0)
                return sp->priorities[i].priority;
    return req->priority;
}

/* The channel's own fatigue setting, else the default one. */
static const dbmi_pol_fatigue *fatigue_for(const dbmi_pol_spec *sp, const char *channel)
{
    const dbmi_pol_fatigue *fallback = NULL;
    for (size_t i = 0; i < sp->n_fatigue; i++) {
        if (sp->fatigue[i].channel == NULL)
            fallback = &sp->fatigue[i];
        else if (strcmp(sp->fatigue[i].channel, channel) == 0)
            return &sp->fatigue[i];
    }
    return fallback;
}

/* First match wins; segments see the profile as of the request time. */
static int match_override(dbmi_pol_facts *f, libdbm_store *store, const char *customer_id)
{
    const dbmi_pol_spec *sp = &f->policy->spec;
    for (size_t i = 0; i < sp->n_overrides; i++) {
        int member = 0;
        int status = libdbm_segment_test(&member, sp->overrides[i].segment, store, customer_id,
                                         f->time);
        if (status != LIBDBM_OK)
            return status;
        if (member) {
            f->override = &sp->overrides[i];
            break;
        }
    }
    return LIBDBM_OK;
}

int dbmi_pol_facts_begin(dbmi_pol_facts *f, const libdbm_policy *policy, libdbm_store *store,
                         const libdbm_policy_request *request)
{
    libdbm_policy_request req;
    int status;
    memset(f, 0, sizeof(*f));
    if (policy == NULL || store == NULL)
        return dbmi_error(policy ? policy->ctx : NULL, LIBDBM_EINVAL,
                          "policy check: NULL argument");
    status = read_request(policy->ctx, request, &req);
    if (status != LIBDBM_OK)
        return status;
    f->policy = policy;
    f->store = store;
    f->channel_name = req.channel;
    f->unit = req.business_unit;
    f->unit_len = req.business_unit ? strlen(req.business_unit) : 0;
    f->transactional = req.message_class == LIBDBM_MESSAGE_TRANSACTIONAL;
    f->priority = effective_priority(&policy->spec, &req);
    f->time = req.time;
    f->horizon_end = req.time + (int64_t)policy->spec.horizon_days * DBMI_POL_DAY;
    f->fatigue = fatigue_for(&policy->spec, req.channel);
    if (f->transactional)
        return LIBDBM_OK;       /* caps and gaps, overrides' only rules, do not apply */
    return match_override(f, store, req.customer_id);
}

/* The latest UNSUBSCRIBED row on the channel at or before the request
 * that no later consent record supersedes; 0 when none. The store counts
 * a profile's UNSUBSCRIBED rows, so the usual profile, which has none,
 * costs no walk; otherwise this reads the whole history since the consent
 * record in a branch-free loop. */
static int64_t unsubscribed_at(const dbmi_pol_facts *f)
{
    size_t begin, end;
    int64_t found = 0;
    if (!dbmi_store_slot_has_unsubscribed(f->store, f->slot))
        return 0;
    begin = f->consent ? dbmi_pol_first_after(f, f->consent->at) : 0;
    end = dbmi_pol_first_after(f, f->time);
    for (size_t i = begin; i < end; i++) {
        const dbmi_contact *r = &f->rows[i];
        int match = (r->channel == f->channel) & (r->outcome == LIBDBM_OUTCOME_UNSUBSCRIBED);
        found = match ? r->time : found;
    }
    return found;
}

/* Reports on the policy's context a failure recorded on @p from (the
 * store's context, or the policy's own by a lower layer), after @p prefix.
 * The message is copied first: it lives in the slot being rewritten. */
static int relay_error(const dbmi_pol_facts *f, const libdbm_context *from, int status,
                       const char *prefix)
{
    char message[1024];
    snprintf(message, sizeof(message), "%s", libdbm_context_errmsg(from));
    return dbmi_error(f->policy->ctx, status, "%s%s", prefix, message);
}

static int read_time_zone(dbmi_pol_facts *f)
{
    const libdbm_policy *p = f->policy;
    const char *attr_name = p->spec.tz_attribute ? p->spec.tz_attribute : "timezone";
    const dbmi_attr *attr = NULL;
    uint32_t id;
    int status;
    f->tz = p->default_tz;
    if (dbmi_store_name_id(f->store, attr_name, strlen(attr_name), &id))
        attr = dbmi_store_slot_attr(f->store, f->slot, id);
    if (attr == NULL || attr->type != LIBDBM_TYPE_STRING)
        return LIBDBM_OK;
    status = dbmi_tz_get(p->ctx, attr->v.s, &f->tz);
    if (status != LIBDBM_OK) {
        char prefix[400];
        snprintf(prefix, sizeof(prefix), "customer '%.200s': time zone attribute %s: ",
                 dbmi_store_slot_id(f->store, f->slot), attr_name);
        return relay_error(f, p->ctx, status, prefix);
    }
    return LIBDBM_OK;
}

int dbmi_pol_facts_read(dbmi_pol_facts *f, const char *customer_id)
{
    uint32_t purpose;
    int status = dbmi_store_slot_of_locked(f->store, customer_id, &f->slot);
    if (status != LIBDBM_OK)
        return relay_error(f, dbmi_store_context(f->store), status, "");
    dbmi_store_slot_contacts(f->store, f->slot, &f->rows, &f->n_rows);
    f->has_channel = dbmi_store_name_id(f->store, f->channel_name, strlen(f->channel_name),
                                        &f->channel);
    if (f->has_channel) {
        f->state = dbmi_store_slot_channel_state(f->store, f->slot, f->channel);
        if (dbmi_store_name_id(f->store, "marketing", 9, &purpose))
            f->consent = dbmi_store_slot_consent_record(f->store, f->slot, f->channel, purpose);
        f->unsubscribed_at = unsubscribed_at(f);
    }
    if (f->state != NULL)
        f->suppressed = dbmi_store_address_suppressed(f->store, f->channel_name,
                                                      f->state->address);
    return f->transactional || !f->policy->local_time ? LIBDBM_OK : read_time_zone(f);
}
