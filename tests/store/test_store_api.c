/* Behaviour of every public store function on an in-memory store,
 * including its errors. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "store_test_util.h"

static libdbm_context *ctx;

static libdbm_store *open_memory(void)
{
    libdbm_store *s;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, NULL));
    return s;
}

static void test_options(void)
{
    libdbm_store_options o;
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_options_init(&o));
    CHECK(o.struct_size == sizeof(o) && o.flags == LIBDBM_STORE_CREATE && o.money_scale == 100);
    CHECK_STATUS(libdbm_store_options_init(NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_open(NULL, ctx, NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_open(&s, NULL, NULL, NULL), LIBDBM_EINVAL);
    CHECK(s == NULL);
    o.money_scale = 0;
    CHECK_STATUS(libdbm_store_open(&s, ctx, NULL, &o), LIBDBM_EINVAL);
    o.money_scale = 100;
    o.reserved = 1;
    CHECK_STATUS(libdbm_store_open(&s, ctx, NULL, &o), LIBDBM_EINVAL);
    o.reserved = 0;
    o.struct_size = sizeof(o) + 8;
    CHECK_STATUS(libdbm_store_open(&s, ctx, NULL, &o), LIBDBM_EINVAL);
    o.struct_size = sizeof(o);
    o.flags = 0x80;
    CHECK_STATUS(libdbm_store_open(&s, ctx, NULL, &o), LIBDBM_EINVAL);
    o.flags = LIBDBM_STORE_CREATE;
    o.compress_snapshots = 1;
    CHECK_STATUS(libdbm_store_open(&s, ctx, NULL, &o),
                 libdbm_has_feature(LIBDBM_FEATURE_ZLIB) ? LIBDBM_OK : LIBDBM_ENOTSUP);
    libdbm_store_close(s);
    CHECK_OK(libdbm_store_close(NULL));
}

static void test_profiles(void)
{
    libdbm_store *s = open_memory();
    int created = -1, exists = -1;
    int64_t n = -1;
    char *canon = NULL;
    CHECK_OK(libdbm_store_profile_ensure(s, &created, "c1"));
    CHECK(created == 1);
    CHECK_OK(libdbm_store_profile_ensure(s, &created, "c1"));
    CHECK(created == 0);
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "cliente-ção-✓"));
    CHECK_OK(libdbm_store_profile_exists(s, &exists, "c1"));
    CHECK(exists == 1);
    CHECK_OK(libdbm_store_profile_exists(s, &exists, "nobody"));
    CHECK(exists == 0);
    CHECK_OK(libdbm_store_profile_count(s, &n));
    CHECK(n == 2);
    CHECK_OK(libdbm_store_profile_resolve(s, &canon, "c1"));
    CHECK(strcmp(canon, "c1") == 0);
    libdbm_free_string(canon);
    CHECK_STATUS(libdbm_store_profile_resolve(s, &canon, "nobody"), LIBDBM_ENOTFOUND);
    /* Invalid ids. */
    CHECK_STATUS(libdbm_store_profile_ensure(s, &created, ""), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_profile_ensure(s, &created, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_profile_ensure(s, &created, "bad\xff"), LIBDBM_EINVAL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "UTF-8") != NULL);
    CHECK_STATUS(libdbm_store_profile_ensure(s, &created, "\xc0\x80"), LIBDBM_EINVAL); /* overlong */
    CHECK_STATUS(libdbm_store_profile_ensure(s, &created, "\xed\xa0\x80"), LIBDBM_EINVAL); /* surrogate */
    CHECK_STATUS(libdbm_store_profile_exists(s, &exists, "\xe2\x82"), LIBDBM_EINVAL); /* truncated */
    {
        char longid[1100];
        memset(longid, 'a', sizeof(longid) - 1);
        longid[sizeof(longid) - 1] = '\0';
        CHECK_STATUS(libdbm_store_profile_ensure(s, &created, longid), LIBDBM_EINVAL);
    }
    CHECK_STATUS(libdbm_store_profile_count(NULL, &n), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_profile_count(s, NULL), LIBDBM_EINVAL);
    libdbm_store_close(s);
}

static void test_attributes(void)
{
    libdbm_store *s = open_memory();
    char *str = NULL;
    int64_t i = 0;
    double d = 0;
    int b = -1, type = -1;
    CHECK_OK(libdbm_store_attr_set_string(s, "c1", "country", "BR"));
    CHECK_OK(libdbm_store_attr_set_int64(s, "c1", "age", -42));
    CHECK_OK(libdbm_store_attr_set_double(s, "c1", "score", 0.25));
    CHECK_OK(libdbm_store_attr_set_bool(s, "c1", "vip", 7));
    CHECK_OK(libdbm_store_attr_set_time(s, "c1", "joined", 1700000000));
    CHECK_OK(libdbm_store_attr_get_string(s, &str, "c1", "country"));
    CHECK(strcmp(str, "BR") == 0);
    libdbm_free_string(str);
    CHECK_OK(libdbm_store_attr_get_int64(s, &i, "c1", "age"));
    CHECK(i == -42);
    CHECK_OK(libdbm_store_attr_get_double(s, &d, "c1", "score"));
    CHECK(d == 0.25);
    CHECK_OK(libdbm_store_attr_get_bool(s, &b, "c1", "vip"));
    CHECK(b == 1);
    CHECK_OK(libdbm_store_attr_get_time(s, &i, "c1", "joined"));
    CHECK(i == 1700000000);
    CHECK_OK(libdbm_store_attr_type(s, &type, "c1", "score"));
    CHECK(type == LIBDBM_TYPE_DOUBLE);
    CHECK_OK(libdbm_store_attr_type(s, &type, "c1", "absent"));
    CHECK(type == LIBDBM_TYPE_NULL);
    /* Wrong type, absent attribute, unknown profile. */
    CHECK_STATUS(libdbm_store_attr_get_int64(s, &i, "c1", "country"), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_get_int64(s, &i, "c1", "absent"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_attr_get_int64(s, &i, "c2", "age"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_attr_type(s, &type, "c2", "age"), LIBDBM_ENOTFOUND);
    /* Replacing changes the type in a schemaless attribute. */
    CHECK_OK(libdbm_store_attr_set_int64(s, "c1", "country", 55));
    CHECK_OK(libdbm_store_attr_get_int64(s, &i, "c1", "country"));
    CHECK(i == 55);
    CHECK_OK(libdbm_store_attr_delete(s, "c1", "country"));
    CHECK_OK(libdbm_store_attr_delete(s, "c1", "country"));
    CHECK_STATUS(libdbm_store_attr_get_int64(s, &i, "c1", "country"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_attr_delete(s, "c9", "country"), LIBDBM_ENOTFOUND);
    /* Bad names and values. */
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "c1", "1abc", 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "c1", "a b", 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "c1", "", 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_set_double(s, "c1", "x", NAN), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_attr_set_double(s, "c1", "x", INFINITY), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_attr_set_string(s, "c1", "x", "\xff"), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_set_string(s, "c1", "x", NULL), LIBDBM_EINVAL);
    /* Declared schema. */
    CHECK_OK(libdbm_store_attr_declare(s, "tier", LIBDBM_TYPE_STRING));
    CHECK_OK(libdbm_store_attr_declare(s, "tier", LIBDBM_TYPE_STRING));
    CHECK_STATUS(libdbm_store_attr_declare(s, "tier", LIBDBM_TYPE_INT64), LIBDBM_EEXIST);
    CHECK_STATUS(libdbm_store_attr_declare(s, "tier", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_declare(s, "tier", 9), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_attr_set_string(s, "c1", "tier", "gold"));
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "c1", "tier", 3), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "new", "tier", 3), LIBDBM_EINVAL);
    {
        int exists = 1;
        CHECK_OK(libdbm_store_profile_exists(s, &exists, "new"));
        CHECK(exists == 0); /* the refused write created nothing */
    }
    /* Declaring a type that an existing value contradicts. */
    CHECK_STATUS(libdbm_store_attr_declare(s, "age", LIBDBM_TYPE_STRING), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_attr_declare(s, "age", LIBDBM_TYPE_INT64));
    libdbm_store_close(s);
}

static int history_count;
static int history_fn(const char *channel, const char *purpose, int state, int64_t at,
                      const char *source, const char *wording, void *user_data)
{
    (void)channel; (void)purpose; (void)state; (void)source; (void)wording;
    CHECK(at >= *(int64_t *)user_data); /* oldest first */
    *(int64_t *)user_data = at;
    history_count++;
    return 0;
}

typedef struct stale_seen { int count; char ids[8][32]; } stale_seen;
static int stale_fn(const char *id, const char *channel, const char *address, int64_t verified_at,
                    void *user_data)
{
    stale_seen *seen = user_data;
    (void)channel; (void)address; (void)verified_at;
    if (seen->count < 8)
        snprintf(seen->ids[seen->count], 32, "%s", id);
    seen->count++;
    return 0;
}

static void test_channels(void)
{
    libdbm_store *s = open_memory();
    char *addr = NULL;
    int64_t v = -1, at = -1, last = INT64_MIN;
    int inv = -1, state = -1;
    stale_seen seen;
    CHECK_OK(libdbm_store_channel_set_address(s, "c1", "email", "a@example.com", 1000));
    CHECK_OK(libdbm_store_channel_get_address(s, &addr, "c1", "email"));
    CHECK(strcmp(addr, "a@example.com") == 0);
    libdbm_free_string(addr);
    CHECK_OK(libdbm_store_channel_get_status(s, &v, &inv, "c1", "email"));
    CHECK(v == 1000 && inv == 0);
    CHECK_OK(libdbm_store_channel_verify(s, "c1", "email", 5000));
    CHECK_OK(libdbm_store_channel_verify(s, "c1", "email", 3000)); /* older: kept 5000 */
    CHECK_OK(libdbm_store_channel_get_status(s, &v, NULL, "c1", "email"));
    CHECK(v == 5000);
    CHECK_OK(libdbm_store_channel_set_invalid(s, "c1", "email", 1, 6000));
    CHECK_OK(libdbm_store_channel_get_status(s, NULL, &inv, "c1", "email"));
    CHECK(inv == 1);
    /* Same address keeps the flag; a new address clears it. */
    CHECK_OK(libdbm_store_channel_set_address(s, "c1", "email", "a@example.com", 0));
    CHECK_OK(libdbm_store_channel_get_status(s, &v, &inv, "c1", "email"));
    CHECK(inv == 1 && v == 5000);
    CHECK_OK(libdbm_store_channel_set_address(s, "c1", "email", "b@example.com", 0));
    CHECK_OK(libdbm_store_channel_get_status(s, &v, &inv, "c1", "email"));
    CHECK(inv == 0 && v == 0);
    CHECK_STATUS(libdbm_store_channel_get_address(s, &addr, "c1", "sms"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_channel_verify(s, "c1", "sms", 1), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_channel_set_invalid(s, "c1", "sms", 1, 1), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_channel_verify(s, "zz", "email", 1), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_channel_get_address(s, &addr, "zz", "email"), LIBDBM_ENOTFOUND);
    /* Channel names. */
    CHECK_STATUS(libdbm_store_channel_set_address(s, "c1", "Email", "x", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_channel_set_address(s, "c1", "e-mail", "x", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_channel_set_address(s, "c1", "", "x", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_channel_set_address(s, "c1", "abcdefghijklmnopqrstuvwxyz0123456", "x", 0),
                 LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_channel_set_address(s, "c1", "my_custom_channel_2", "x", 0));
    CHECK_STATUS(libdbm_store_channel_set_address(s, "c1", "sms", "", 0), LIBDBM_EINVAL);
    /* Consent evidence: latest by time decides; ties: denial wins. */
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, &at, "c1", "email", NULL));
    CHECK(state == LIBDBM_CONSENT_UNKNOWN && at == 0);
    CHECK_OK(libdbm_store_consent_record(s, "c1", "email", NULL, LIBDBM_CONSENT_GRANTED, 100, "web form", "v1"));
    CHECK_OK(libdbm_store_consent_record(s, "c1", "email", NULL, LIBDBM_CONSENT_DENIED, 50, "call", "v1"));
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, &at, "c1", "email", "marketing"));
    CHECK(state == LIBDBM_CONSENT_GRANTED && at == 100);
    CHECK_OK(libdbm_store_consent_record(s, "c1", "email", NULL, LIBDBM_CONSENT_DENIED, 100, "unsubscribe", NULL));
    CHECK_OK(libdbm_store_consent_record(s, "c1", "email", NULL, LIBDBM_CONSENT_GRANTED, 100, "web", NULL));
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, NULL, "c1", "email", NULL));
    CHECK(state == LIBDBM_CONSENT_DENIED);
    CHECK_OK(libdbm_store_consent_record(s, "c1", "email", "service", LIBDBM_CONSENT_GRANTED, 10, NULL, NULL));
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, NULL, "c1", "email", "service"));
    CHECK(state == LIBDBM_CONSENT_GRANTED);
    CHECK_STATUS(libdbm_store_consent_record(s, "c1", "email", NULL, 3, 1, NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_consent_record(s, "c1", "email", "Bad Purpose", 1, 1, NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_channel_get_consent(s, &state, NULL, "zz", "email", NULL), LIBDBM_ENOTFOUND);
    history_count = 0;
    CHECK_OK(libdbm_store_consent_history(s, "c1", history_fn, &last));
    CHECK(history_count == 5);
    CHECK_STATUS(libdbm_store_consent_history(s, "c1", NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_consent_history(s, "zz", history_fn, &last), LIBDBM_ENOTFOUND);
    /* Stale addresses. */
    CHECK_OK(libdbm_store_channel_set_address(s, "fresh", "sms", "+5511", 9000));
    CHECK_OK(libdbm_store_channel_set_address(s, "old", "sms", "+5512", 1000));
    CHECK_OK(libdbm_store_channel_set_address(s, "never", "sms", "+5513", 0));
    memset(&seen, 0, sizeof(seen));
    CHECK_OK(libdbm_store_stale_addresses(s, "sms", 10000, 5000, stale_fn, &seen));
    CHECK(seen.count == 2 && strcmp(seen.ids[0], "old") == 0 && strcmp(seen.ids[1], "never") == 0);
    memset(&seen, 0, sizeof(seen));
    CHECK_OK(libdbm_store_stale_addresses(s, NULL, 10000, 5000, stale_fn, &seen));
    CHECK(seen.count == 4); /* c1's two addresses were never verified */
    CHECK_STATUS(libdbm_store_stale_addresses(s, NULL, 10000, -1, stale_fn, &seen), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_stale_addresses(s, "BAD", 10000, 1, stale_fn, &seen), LIBDBM_EINVAL);
    libdbm_store_close(s);
}

static int64_t agg(libdbm_store *s, const char *id, int which)
{
    int64_t v = -12345;
    CHECK_OK(libdbm_store_aggregate(s, &v, id, which));
    return v;
}

static void test_purchases(void)
{
    libdbm_store *s = open_memory();
    libdbm_store_options o;
    int added = -1;
    int64_t v, scale = 0;
    CHECK_OK(libdbm_store_money_scale(s, &scale));
    CHECK(scale == 100);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 10 + 5, 19.995, "t1"));
    CHECK(added == 1);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 10 + 5, 19.995, "t1"));
    CHECK(added == 0);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 10 + 100, 0.005, NULL));
    CHECK(added == 1);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 3, 1.0, NULL));
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 20, -5.5, "r1"));
    CHECK(added == 1);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "c1", 86400 * 20, -5.5, "r1"));
    CHECK(added == 0);
    CHECK(agg(s, "c1", LIBDBM_AGG_PURCHASE_COUNT) == 3);
    CHECK(agg(s, "c1", LIBDBM_AGG_PURCHASE_DAYS) == 2);
    /* 19.995 -> 2000 (half away from zero), 0.005 -> 1, 1.0 -> 100 */
    CHECK(agg(s, "c1", LIBDBM_AGG_TOTAL_MINOR) == 2101);
    CHECK(agg(s, "c1", LIBDBM_AGG_FIRST_PURCHASE) == 86400 * 3);
    CHECK(agg(s, "c1", LIBDBM_AGG_LAST_PURCHASE) == 86400 * 10 + 100);
    CHECK(agg(s, "c1", LIBDBM_AGG_REFUND_COUNT) == 1);
    CHECK(agg(s, "c1", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -550);
    CHECK_OK(libdbm_store_purchase_add_minor(s, &added, "c1", -86400 - 1, 7, NULL)); /* before 1970 */
    CHECK(agg(s, "c1", LIBDBM_AGG_FIRST_PURCHASE) == -86400 - 1);
    CHECK(agg(s, "c1", LIBDBM_AGG_PURCHASE_DAYS) == 3);
    /* A profile with only a refund has no first purchase. */
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "r", 10, -1, NULL));
    CHECK_STATUS(libdbm_store_aggregate(s, &v, "r", LIBDBM_AGG_FIRST_PURCHASE), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_aggregate(s, &v, "r", LIBDBM_AGG_LAST_PURCHASE), LIBDBM_ENOTFOUND);
    CHECK(agg(s, "r", LIBDBM_AGG_PURCHASE_COUNT) == 0);
    CHECK_STATUS(libdbm_store_aggregate(s, &v, "zz", LIBDBM_AGG_PURCHASE_COUNT), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_aggregate(s, &v, "c1", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_aggregate(s, &v, "c1", 8), LIBDBM_EINVAL);
    /* Range errors. */
    CHECK_STATUS(libdbm_store_purchase_add(s, &added, "c1", 1, NAN, NULL), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_purchase_add(s, &added, "c1", 1, INFINITY, NULL), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_purchase_add(s, &added, "c1", 1, 1e17, NULL), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_purchase_add_minor(s, &added, "c1", INT64_MAX, 1, NULL), LIBDBM_ERANGE);
    CHECK_OK(libdbm_store_purchase_add_minor(s, &added, "big", 1, INT64_MAX, NULL));
    CHECK_STATUS(libdbm_store_purchase_add_minor(s, &added, "big", 2, 1, NULL), LIBDBM_ERANGE);
    CHECK(agg(s, "big", LIBDBM_AGG_PURCHASE_COUNT) == 1);
    CHECK_STATUS(libdbm_store_purchase_add(s, &added, "c1", 1, 1, ""), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_purchase_add(s, &added, "c1", 1, 1, "\xff"), LIBDBM_EINVAL);
    libdbm_store_close(s);
    /* Another money scale. */
    libdbm_store_options_init(&o);
    o.money_scale = 1000;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, &o));
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "c", 0, 1.2345, NULL));
    CHECK(agg(s, "c", LIBDBM_AGG_TOTAL_MINOR) == 1235 || agg(s, "c", LIBDBM_AGG_TOTAL_MINOR) == 1234);
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "d", 0, -2.5005, NULL));
    CHECK(agg(s, "d", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -2501 || agg(s, "d", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -2500);
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "e", 0, -2.5, NULL));
    CHECK(agg(s, "e", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -2500);
    libdbm_store_close(s);
}

static void test_contacts_events(void)
{
    libdbm_store *s = open_memory();
    int64_t n = -1;
    CHECK_OK(libdbm_store_contact_add(s, "c1", 100, "email", "spring", 0, LIBDBM_OUTCOME_SENT));
    CHECK_OK(libdbm_store_contact_add(s, "c1", 150, "email", "spring", 0, LIBDBM_OUTCOME_OPENED));
    CHECK_OK(libdbm_store_contact_add(s, "c1", 200, "sms", "spring", 1, LIBDBM_OUTCOME_SENT));
    CHECK_OK(libdbm_store_contact_count(s, &n, "c1", NULL, 0, 0, 1000));
    CHECK(n == 3);
    CHECK_OK(libdbm_store_contact_count(s, &n, "c1", "email", 0, 0, 1000));
    CHECK(n == 2);
    CHECK_OK(libdbm_store_contact_count(s, &n, "c1", NULL, LIBDBM_OUTCOME_SENT, 0, 1000));
    CHECK(n == 2);
    CHECK_OK(libdbm_store_contact_count(s, &n, "c1", NULL, 0, 100, 200)); /* [from, to) */
    CHECK(n == 2);
    CHECK_OK(libdbm_store_contact_count(s, &n, "c1", "push", 0, 0, 1000));
    CHECK(n == 0);
    CHECK_STATUS(libdbm_store_contact_count(s, &n, "zz", NULL, 0, 0, 1000), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_contact_count(s, &n, "c1", NULL, 10, 0, 1000), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_contact_add(s, "c1", 1, "email", "x", -1, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_contact_add(s, "c1", 1, "email", "x", 0, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_contact_add(s, "c1", 1, "email", "", 0, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_contact_add(s, "c1", 1, "EMAIL", "x", 0, 1), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_event_add(s, "c1", "cart_abandoned", 10, 99.5));
    CHECK_OK(libdbm_store_event_add(s, "c1", "cart_abandoned", 20, 0));
    CHECK_OK(libdbm_store_event_add(s, "c1", "lease_end_updated", 30, 0));
    CHECK_OK(libdbm_store_event_count(s, &n, "c1", "cart_abandoned", 0, 100));
    CHECK(n == 2);
    CHECK_OK(libdbm_store_event_count(s, &n, "c1", "cart_abandoned", 11, 100));
    CHECK(n == 1);
    CHECK_OK(libdbm_store_event_count(s, &n, "c1", "other", 0, 100));
    CHECK(n == 0);
    CHECK_STATUS(libdbm_store_event_add(s, "c1", "x", 1, NAN), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_store_event_add(s, "c1", "bad name", 1, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_event_count(s, &n, "zz", "x", 0, 1), LIBDBM_ENOTFOUND);
    libdbm_store_close(s);
}

static void test_batches_and_cursor(void)
{
    libdbm_store *s = open_memory();
    libdbm_store_cursor *c = NULL;
    const char *id;
    int created = -1, added = -1, exists = -1, n = 0;
    int64_t count;
    CHECK_STATUS(libdbm_store_commit(s), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_rollback(s), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_begin(s));
    CHECK_STATUS(libdbm_store_begin(s), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_profile_ensure(s, &created, "b1"));
    CHECK(created == 1);
    CHECK_OK(libdbm_store_profile_ensure(s, &created, "b1"));
    CHECK(created == 0);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "b1", 0, 1, "t"));
    CHECK(added == 1);
    CHECK_OK(libdbm_store_purchase_add(s, &added, "b1", 0, 1, "t"));
    CHECK(added == 0);
    /* Not visible before the commit. */
    CHECK_OK(libdbm_store_profile_exists(s, &exists, "b1"));
    CHECK(exists == 0);
    CHECK_OK(libdbm_store_rollback(s));
    CHECK_OK(libdbm_store_profile_exists(s, &exists, "b1"));
    CHECK(exists == 0);
    CHECK_OK(libdbm_store_begin(s));
    CHECK_OK(libdbm_store_purchase_add(s, &added, "b1", 0, 1, "t"));
    CHECK_OK(libdbm_store_purchase_add(s, &added, "b1", 0, 1, "t"));
    CHECK_OK(libdbm_store_purchase_add(s, &added, "b2", 0, 2, "t"));
    CHECK(added == 1);
    CHECK_OK(libdbm_store_channel_set_address(s, "b2", "email", "x@y", 0));
    CHECK_OK(libdbm_store_attr_delete(s, "b2", "nothing"));
    CHECK_OK(libdbm_store_commit(s));
    CHECK(agg(s, "b1", LIBDBM_AGG_PURCHASE_COUNT) == 1);
    CHECK(agg(s, "b2", LIBDBM_AGG_TOTAL_MINOR) == 200);
    CHECK_OK(libdbm_store_profile_count(s, &count));
    CHECK(count == 2);
    CHECK_OK(libdbm_store_cursor_new(&c, s));
    while (libdbm_store_cursor_next(c, &id) == LIBDBM_OK) {
        CHECK(strcmp(id, n == 0 ? "b1" : "b2") == 0);
        n++;
    }
    CHECK(n == 2);
    CHECK_STATUS(libdbm_store_cursor_next(c, &id), LIBDBM_ENOTFOUND);
    libdbm_store_cursor_free(c);
    libdbm_store_cursor_free(NULL);
    CHECK_STATUS(libdbm_store_cursor_new(NULL, s), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_checkpoint(s), LIBDBM_OK); /* no-op in memory */
    /* Closing with an open batch rolls it back. */
    CHECK_OK(libdbm_store_begin(s));
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "b3"));
    CHECK_STATUS(libdbm_store_checkpoint(s), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_close(s));
}

static void test_merge_erase_basics(void)
{
    libdbm_store *s = open_memory();
    char *canon = NULL;
    int64_t n;
    int suppressed = -1, state;
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "a", 86400, 10, "t1"));
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "b", 2 * 86400, 5, "t2"));
    CHECK_OK(libdbm_store_channel_set_address(s, "b", "email", "B@Example.com ", 0));
    CHECK_OK(libdbm_store_consent_record(s, "a", "email", NULL, LIBDBM_CONSENT_GRANTED, 500, "web", "v2"));
    CHECK_OK(libdbm_store_consent_record(s, "b", "email", NULL, LIBDBM_CONSENT_DENIED, 100, "call", "v1"));
    CHECK_STATUS(libdbm_store_merge(s, "a", "a"), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_store_merge(s, "a", "zz"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_merge(s, "zz", "a"), LIBDBM_ENOTFOUND);
    CHECK_OK(libdbm_store_merge(s, "a", "b"));
    CHECK_STATUS(libdbm_store_merge(s, "a", "b"), LIBDBM_EINVAL); /* already one */
    CHECK_OK(libdbm_store_profile_resolve(s, &canon, "b"));
    CHECK(strcmp(canon, "a") == 0);
    libdbm_free_string(canon);
    CHECK_OK(libdbm_store_profile_count(s, &n));
    CHECK(n == 1);
    CHECK(agg(s, "b", LIBDBM_AGG_TOTAL_MINOR) == 1500);
    /* The later grant on "a" does not override "b"'s denial. */
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, NULL, "a", "email", NULL));
    CHECK(state == LIBDBM_CONSENT_DENIED);
    /* Writes through the alias land on the profile. */
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "b", 3 * 86400, 1, NULL));
    CHECK(agg(s, "a", LIBDBM_AGG_PURCHASE_COUNT) == 3);
    /* A chain: c merged into b's profile via the alias. */
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "c"));
    CHECK_OK(libdbm_store_merge(s, "b", "c"));
    CHECK_OK(libdbm_store_profile_resolve(s, &canon, "c"));
    CHECK(strcmp(canon, "a") == 0);
    libdbm_free_string(canon);
    /* Erase by an alias erases the person and every id. */
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "email", "b@example.com"));
    CHECK(suppressed == 0);
    CHECK_OK(libdbm_store_erase(s, "c", 1));
    CHECK_OK(libdbm_store_profile_count(s, &n));
    CHECK(n == 0);
    CHECK_STATUS(libdbm_store_profile_resolve(s, &canon, "a"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_profile_resolve(s, &canon, "b"), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_store_erase(s, "a", 0), LIBDBM_ENOTFOUND);
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "email", "  B@EXAMPLE.COM"));
    CHECK(suppressed == 1);
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "sms", "b@example.com"));
    CHECK(suppressed == 0);
    CHECK_STATUS(libdbm_store_is_suppressed(s, &suppressed, "email", ""), LIBDBM_EINVAL);
    /* The id can be reused for a new person. */
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "a"));
    CHECK(agg(s, "a", LIBDBM_AGG_PURCHASE_COUNT) == 0);
    libdbm_store_close(s);
}

int main(void)
{
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_options();
    test_profiles();
    test_attributes();
    test_channels();
    test_purchases();
    test_contacts_events();
    test_batches_and_cursor();
    test_merge_erase_basics();
    libdbm_context_free(ctx);
    puts("store-api: ok");
    return 0;
}
