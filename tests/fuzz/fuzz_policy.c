/* libFuzzer target for the policy text parser (lib/policy/lexer.c,
 * parse.c) and, for inputs that parse, the printer and the checker: the
 * canonical text must read back to the same canonical text, and checks on
 * a small store (a year of contacts, several channels) must answer without
 * failing. Build and run: docs/fuzzing.md. Without libFuzzer, fuzz_main.c
 * runs it over tests/fuzz/corpus/policy and fuzz_mutate.c over mutations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "libdbm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static libdbm_context *ctx;
static libdbm_store *store;
static libdbm_policy_answer *answer;

static int setup(void)
{
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK ||
        libdbm_store_open(&store, ctx, NULL, NULL) != LIBDBM_OK ||
        libdbm_policy_answer_new(&answer, ctx) != LIBDBM_OK)
        return -1;
    libdbm_store_channel_set_address(store, "c", "email", "c@example.com", 1690000000);
    libdbm_store_channel_set_address(store, "c", "sms", "+5511", 0);
    libdbm_store_consent_record(store, "c", "email", NULL, LIBDBM_CONSENT_GRANTED, 1, "f", "v");
    libdbm_store_attr_set_string(store, "c", "timezone", "America/Sao_Paulo");
    libdbm_store_attr_set_string(store, "c", "country", "BR");
    for (int i = 0; i < 120; i++)
        libdbm_store_contact_add(store, "c", 1670000000 + (int64_t)i * 260000,
                                 i % 3 ? "email" : "sms", i % 2 ? "sales/a" : "b", 0,
                                 i % 7 == 6 ? LIBDBM_OUTCOME_CLICKED : LIBDBM_OUTCOME_SENT);
    return 0;
}

static void check_requests(const libdbm_policy *p)
{
    static const char *const channels[] = { "email", "sms", "push" };
    for (int i = 0; i < 6; i++) {
        libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
        char *json = NULL;
        r.customer_id = "c";
        r.channel = channels[i % 3];
        r.business_unit = i % 2 ? "sales" : NULL;
        r.message_class = i == 5 ? LIBDBM_MESSAGE_TRANSACTIONAL : LIBDBM_MESSAGE_MARKETING;
        r.priority = i;
        r.time = 1700000000 + (int64_t)i * 7777;
        if (libdbm_policy_check(p, answer, store, &r) != LIBDBM_OK)
            abort();
        if (i == 0) {
            if (libdbm_policy_explain(p, &json, store, &r) != LIBDBM_OK)
                abort();
            libdbm_free_string(json);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libdbm_policy *p = NULL, *again = NULL;
    char *text, *canon = NULL, *canon2 = NULL;
    if (ctx == NULL && setup() != 0)
        return 0;
    if ((text = fuzz_text(data, size)) == NULL)
        return 0;
    if (libdbm_policy_parse(&p, ctx, text) == LIBDBM_OK) {
        if (libdbm_policy_to_string(p, &canon) != LIBDBM_OK ||
            libdbm_policy_parse(&again, ctx, canon) != LIBDBM_OK ||
            libdbm_policy_to_string(again, &canon2) != LIBDBM_OK || strcmp(canon, canon2) != 0) {
            fprintf(stderr, "canonical text does not read back:\n%s\n", canon ? canon : "");
            abort();
        }
        check_requests(p);
    }
    libdbm_free_string(canon);
    libdbm_free_string(canon2);
    libdbm_policy_free(p);
    libdbm_policy_free(again);
    free(text);
    return 0;
}
