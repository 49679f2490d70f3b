/* The combined answer: the static rules first (any refusal is final), then
 * the earliest moment every time rule allows at once. Each time rule gives
 * the earliest moment >= a candidate at which it alone allows; the latest
 * of those is the next candidate, since no earlier moment can satisfy
 * that rule. When every rule allows the candidate, it is the answer: the
 * exact moment the last obstacle clears, not an estimate. */
#include <stdint.h>
#include <string.h>

#include "evaluate.h"

/* Each round moves the candidate forward to some rule's event (a row
 * leaving a window, a local boundary: a few a day over at most 400 days);
 * beyond this many rounds the answer is "nothing within the horizon". */
#define MAX_ROUNDS 20000

/* The time rules that apply, gathered once per check (the search visits
 * them in every round); a policy with more falls back to the iterator. */
#define LIST_MAX 32

typedef struct rule_list {
    dbmi_pol_rule items[LIST_MAX];
    size_t n;
    int overflow;
} rule_list;

static void collect(const dbmi_pol_facts *f, rule_list *list)
{
    size_t cursor = 0;
    dbmi_pol_rule rule;
    list->n = 0;
    list->overflow = 0;
    while (dbmi_pol_next_rule(f, &cursor, &rule)) {
        if (list->n == LIST_MAX) {
            list->overflow = 1;
            return;
        }
        list->items[list->n++] = rule;
    }
}

static int next_rule(const dbmi_pol_facts *f, const rule_list *list, size_t *cursor,
                     dbmi_pol_rule *rule)
{
    if (list->overflow)
        return dbmi_pol_next_rule(f, cursor, rule);
    if (*cursor >= list->n)
        return 0;
    *rule = list->items[(*cursor)++];
    return 1;
}

void dbmi_pol_search(const dbmi_pol_facts *f, dbmi_pol_outcome *out)
{
    int64_t t = f->time;
    size_t mover = SIZE_MAX;    /* the position of the rule that set t */
    rule_list list;
    memset(out, 0, sizeof(*out));
    for (int kind = DBMI_POL_R_SUPPRESSION; kind < DBMI_POL_FIRST_TIME_RULE; kind++)
        if (!dbmi_pol_static_allows(f, kind)) {
            out->verdict = LIBDBM_POLICY_DENY;
            out->rule.kind = kind;
            return;
        }
    collect(f, &list);
    for (int round = 0; round < MAX_ROUNDS; round++) {
        dbmi_pol_rule rule;
        size_t cursor = 0, at = 0, moved_by = SIZE_MAX;
        int64_t latest = t;
        while (next_rule(f, &list, &cursor, &rule)) {
            int64_t e;
            /* The rule that set t allows at t: its earliest is exact. */
            if (at == mover) {
                at = cursor;
                continue;
            }
            e = dbmi_pol_earliest(f, &rule, t);
            if (e > latest) {
                latest = e;
                moved_by = at;
                out->rule = rule;
                out->rule_until = e;
            }
            at = cursor;
            if (e == DBMI_POL_NEVER) {
                out->verdict = LIBDBM_POLICY_DENY;
                return;
            }
        }
        if (latest == t) {
            out->verdict = t == f->time ? LIBDBM_POLICY_ALLOW : LIBDBM_POLICY_DEFER;
            out->until = t;
            if (out->verdict == LIBDBM_POLICY_ALLOW)
                out->rule.kind = DBMI_POL_R_NONE;
            return;
        }
        if (latest > f->horizon_end)
            break;
        t = latest;
        mover = moved_by;
    }
    /* The rule in out->rule is the one that pushed past the horizon. */
    out->verdict = LIBDBM_POLICY_DENY;
    out->until = 0;
}
