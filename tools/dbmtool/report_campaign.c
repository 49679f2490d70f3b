/* The campaign section of `dbmtool report`: per stage a funnel and what
 * was held back, and the conversion uplift of treated over holdout, read
 * from the JSON measurement export of libdbm_campaign_report() (format in
 * docs/campaigns.md; what the page uses in docs/report.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report.h"
#include "svg.h"

/* z for a two-sided 95% interval */
#define Z95 1.959963984540054

/* The counts that form a stage's funnel, in funnel order; every other
 * count of a stage is something held back or lost on the way. */
static const char *const funnel_steps[] = { "due", "allowed", "sent", "delivered", "opened",
                                            "clicked", "responded", "converted" };
#define FUNNEL_STEPS (sizeof(funnel_steps) / sizeof(funnel_steps[0]))

typedef int (*campaign_fn)(const dbmtool_json *campaign, int index, void *arg);

/* Calls @p fn on every campaign of an export: the file is a sequence of
 * values (dbmtool_json_parse_many), each a campaign object or an array of
 * them. Stops at the first non-zero return and returns it. */
static int for_each_campaign(const dbmtool_json *root, campaign_fn fn, void *arg)
{
    const dbmtool_json *v, *c;
    int index = 0, rc;
    for (v = root->child; v != NULL; v = v->next) {
        if (v->type != DBMTOOL_JSON_ARRAY) {
            if ((rc = fn(v, ++index, arg)) != 0)
                return rc;
            continue;
        }
        for (c = v->child; c != NULL; c = c->next)
            if ((rc = fn(c, ++index, arg)) != 0)
                return rc;
    }
    return 0;
}

static const char *string_of(const dbmtool_json *object, const char *key)
{
    const dbmtool_json *v = dbmtool_json_member(object, key);
    return v != NULL && v->type == DBMTOOL_JSON_STRING ? v->string : NULL;
}

/* A number, or NaN when absent or null. */
static double number_of(const dbmtool_json *object, const char *key)
{
    const dbmtool_json *v = dbmtool_json_member(object, key);
    return v != NULL && v->type == DBMTOOL_JSON_NUMBER ? v->number : NAN;
}

static int is_step(const char *key)
{
    size_t i;
    for (i = 0; i < FUNNEL_STEPS; i++)
        if (strcmp(key, funnel_steps[i]) == 0)
            return 1;
    return 0;
}

/* ---- shape check --------------------------------------------------------- */

static int shape_error(const char *path, int campaign, int stage, const char *what)
{
    fprintf(stderr, "dbmtool: %s: campaign %d", path, campaign);
    if (stage > 0)
        fprintf(stderr, ", stage %d", stage);
    fprintf(stderr, ": %s\n", what);
    return 1;
}

/* Every number of @p object is a count: finite and >= 0. */
static int counts_ok(const dbmtool_json *object)
{
    const dbmtool_json *m;
    if (object == NULL)
        return 1;
    if (object->type != DBMTOOL_JSON_OBJECT)
        return 0;
    for (m = object->child; m != NULL; m = m->next)
        if (m->type == DBMTOOL_JSON_NUMBER && !(m->number >= 0.0 && isfinite(m->number)))
            return 0;
    return 1;
}

/* "entered" and "converted" per group, converted <= entered. */
static int groups_ok(const dbmtool_json *campaign)
{
    const dbmtool_json *entered = dbmtool_json_member(campaign, "entered");
    const dbmtool_json *converted = dbmtool_json_member(campaign, "converted");
    if (entered == NULL && converted == NULL)
        return 1;
    return counts_ok(entered) && counts_ok(converted) && entered != NULL &&
           converted != NULL &&
           !(number_of(converted, "treated") > number_of(entered, "treated")) &&
           !(number_of(converted, "holdout") > number_of(entered, "holdout"));
}

static int check_campaign(const dbmtool_json *c, int index, void *path)
{
    const dbmtool_json *stages = dbmtool_json_member(c, "stages"), *s;
    const dbmtool_json *uplift = dbmtool_json_member(c, "uplift");
    int si = 0;
    if (c->type != DBMTOOL_JSON_OBJECT)
        return shape_error(path, index, 0, "not an object");
    if (stages == NULL || stages->type != DBMTOOL_JSON_ARRAY)
        return shape_error(path, index, 0, "no \"stages\" array");
    for (s = stages->child; s != NULL; s = s->next) {
        si++;
        if (s->type != DBMTOOL_JSON_OBJECT)
            return shape_error(path, index, si, "not an object");
        if (!counts_ok(s) || !counts_ok(dbmtool_json_member(s, "denied_by")))
            return shape_error(path, index, si, "a count is negative or not finite");
    }
    if (!groups_ok(c))
        return shape_error(path, index, 0,
                           "\"entered\" and \"converted\" need treated and holdout counts "
                           "(converted <= entered)");
    if (uplift != NULL && uplift->type != DBMTOOL_JSON_OBJECT &&
        uplift->type != DBMTOOL_JSON_NULL)
        return shape_error(path, index, 0, "\"uplift\" is not an object");
    return 0;
}

int dbmtool_report_campaigns_check(const dbmtool_json *stats, const char *path)
{
    return for_each_campaign(stats, check_campaign, (void *)path) != 0;
}

/* ---- drawing ------------------------------------------------------------- */

/* The bars of one stage: its funnel steps (@p funnel), or every other
 * count that is not zero, with the per-rule denials as "denied: RULE"
 * (allocated in @p labels): a wall of zeros would hide what happened. */
static size_t stage_bars(const dbmtool_json *stage, int funnel, dbmtool_svg_bar *bars,
                         size_t room, char **labels)
{
    const dbmtool_json *m, *rules = dbmtool_json_member(stage, "denied_by");
    size_t n = 0, i;
    if (funnel) {
        for (i = 0; i < FUNNEL_STEPS; i++)
            if (!isnan(number_of(stage, funnel_steps[i])) && n < room) {
                bars[n].label = funnel_steps[i];
                bars[n++].value = number_of(stage, funnel_steps[i]);
            }
        return n;
    }
    for (m = stage->child; m != NULL; m = m->next)
        if (m->type == DBMTOOL_JSON_NUMBER && m->number != 0.0 && !is_step(m->key) &&
            n < room) {
            bars[n].label = m->key;
            bars[n++].value = m->number;
        }
    for (m = rules != NULL ? rules->child : NULL; m != NULL; m = m->next)
        if (m->type == DBMTOOL_JSON_NUMBER && m->number != 0.0 && n < room) {
            size_t len = strlen(m->key);
            if ((labels[n] = malloc(len + sizeof("denied: "))) == NULL)
                break;
            memcpy(labels[n], "denied: ", 8);
            memcpy(labels[n] + 8, m->key, len + 1);
            bars[n].label = labels[n];
            bars[n++].value = m->number;
        }
    return n;
}

/* The numbers shown beside the bars, with their share of @p base when it
 * is positive. */
static void bar_texts(dbmtool_svg_bar *bars, char (*texts)[48], size_t n, double base)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (base > 0.0)
            snprintf(texts[i], sizeof(texts[i]), "%.0f (%.1f%%)", bars[i].value,
                     100.0 * bars[i].value / base);
        else
            snprintf(texts[i], sizeof(texts[i]), "%.0f", bars[i].value);
        bars[i].text = texts[i];
    }
}

static void bars_with_table(FILE *out, const char *chart, const char *caption,
                            const dbmtool_svg_bar *bars, size_t n)
{
    const char *headers[] = { "count", "number" };
    size_t i;
    dbmtool_svg_hbars(out, chart, bars, n);
    dbmtool_html_table_begin(out, caption, headers, 2);
    for (i = 0; i < n; i++) {
        const char *cells[2];
        cells[0] = bars[i].label;
        cells[1] = bars[i].text;
        dbmtool_html_table_row(out, cells, 2);
    }
    dbmtool_html_table_end(out);
}

static void stage_heading(FILE *out, const dbmtool_json *stage, int index)
{
    const char *name = string_of(stage, "stage"), *channel = string_of(stage, "channel");
    fprintf(out, "<h4>Stage %d", index);
    if (name != NULL) {
        fputs(": ", out);
        dbmtool_html_text(out, name);
    }
    if (channel != NULL) {
        fputs(" (", out);
        dbmtool_html_text(out, channel);
        fputs(")", out);
    }
    fputs("</h4>\n", out);
}

/* A stage: its funnel as shares of the first step, then what was held
 * back (deferred, denied by which rule, skipped, failed, ...). */
static void stage_charts(FILE *out, const dbmtool_json *stage, int index)
{
    size_t room = 0, n, i;
    const dbmtool_json *m, *rules = dbmtool_json_member(stage, "denied_by");
    dbmtool_svg_bar *bars;
    char (*texts)[48], **labels;
    for (m = stage->child; m != NULL; m = m->next)
        room += m->type == DBMTOOL_JSON_NUMBER;
    for (m = rules != NULL ? rules->child : NULL; m != NULL; m = m->next)
        room++;
    bars = malloc(room * sizeof(*bars) + 1);
    texts = malloc(room * sizeof(*texts) + 1);
    labels = calloc(room + 1, sizeof(*labels));
    stage_heading(out, stage, index);
    if (bars == NULL || texts == NULL || labels == NULL) {
        dbmtool_html_missing(out, "out of memory");
    } else {
        double base = 0.0; /* the first funnel step: shares are of it */
        n = stage_bars(stage, 1, bars, room, labels);
        if (n > 0) {
            base = bars[0].value;
            bar_texts(bars, texts, n, base);
            bars_with_table(out, "campaign-funnel", "Table: funnel", bars, n);
        } else {
            dbmtool_html_missing(out, "No funnel counts for this stage.");
        }
        n = stage_bars(stage, 0, bars, room, labels);
        bar_texts(bars, texts, n, base);
        if (n > 0) {
            fputs("<p>Held back or lost at this stage:</p>\n", out);
            bars_with_table(out, "campaign-held-back", "Table: held back", bars, n);
        } else {
            fputs("<p>Nothing was held back or lost at this stage.</p>\n", out);
        }
    }
    for (i = 0; labels != NULL && i < room; i++)
        free(labels[i]);
    free(labels);
    free(bars);
    free(texts);
}

static dbmtool_svg_interval rate_interval(const char *label, double rate, double n)
{
    dbmtool_svg_interval r;
    double half = Z95 * sqrt(rate * (1.0 - rate) / n);
    r.label = label;
    r.value = rate;
    r.low = fmax(0.0, rate - half); /* a rate's interval stays within [0, 1] */
    r.high = fmin(1.0, rate + half);
    return r;
}

/* Conversion rates of both groups (Wald intervals computed here, cut to
 * [0, 1]) and the export's uplift with its interval. */
static void uplift_chart(FILE *out, const dbmtool_json *campaign)
{
    const char *headers[] = { "estimate", "value", "95% CI low", "95% CI high" };
    const dbmtool_json *entered = dbmtool_json_member(campaign, "entered");
    const dbmtool_json *converted = dbmtool_json_member(campaign, "converted");
    const dbmtool_json *uplift = dbmtool_json_member(campaign, "uplift");
    double treated = number_of(entered, "treated"), holdout = number_of(entered, "holdout");
    dbmtool_svg_interval items[3];
    size_t i;
    fputs("<h4>Uplift over the holdout group</h4>\n", out);
    if (!(treated > 0.0) || !(holdout > 0.0) || isnan(number_of(uplift, "value"))) {
        dbmtool_html_missing(out, "No uplift: the campaign has no treated or no holdout "
                                  "entries (set a holdout share in its definition).");
        return;
    }
    items[0] = rate_interval("treated conversion", number_of(converted, "treated") / treated,
                             treated);
    items[1] = rate_interval("holdout conversion", number_of(converted, "holdout") / holdout,
                             holdout);
    items[2].label = "uplift (treated \xE2\x88\x92 holdout)";
    items[2].value = number_of(uplift, "value");
    items[2].low = number_of(uplift, "ci_low");
    items[2].high = number_of(uplift, "ci_high");
    fprintf(out, "<p>Conversion of %.0f treated and %.0f holdout entries (the holdout "
                 "entered but was never contacted).</p>\n", treated, holdout);
    dbmtool_svg_intervals(out, "campaign-uplift", items, 3);
    dbmtool_html_table_begin(out, "Table: uplift", headers, 4);
    for (i = 0; i < 3; i++) {
        char v[3][32];
        const char *cells[4];
        snprintf(v[0], sizeof(v[0]), "%.2f%%", 100.0 * items[i].value);
        snprintf(v[1], sizeof(v[1]), "%.2f%%", 100.0 * items[i].low);
        snprintf(v[2], sizeof(v[2]), "%.2f%%", 100.0 * items[i].high);
        cells[0] = items[i].label;
        cells[1] = v[0];
        cells[2] = isnan(items[i].low) ? "" : v[1];
        cells[3] = isnan(items[i].high) ? "" : v[2];
        dbmtool_html_table_row(out, cells, 4);
    }
    dbmtool_html_table_end(out);
}

static int campaign_block(const dbmtool_json *campaign, int index, void *arg)
{
    FILE *out = arg;
    const char *name = string_of(campaign, "campaign");
    const dbmtool_json *stage;
    int si = 0;
    fputs("<h3>", out);
    if (name != NULL)
        dbmtool_html_text(out, name);
    else
        fprintf(out, "Campaign %d", index);
    fputs("</h3>\n", out);
    for (stage = dbmtool_json_member(campaign, "stages")->child; stage != NULL;
         stage = stage->next)
        stage_charts(out, stage, ++si);
    if (si == 0)
        dbmtool_html_missing(out, "This campaign has no stages.");
    uplift_chart(out, campaign);
    return 0;
}

void dbmtool_report_campaigns(FILE *out, const dbmtool_json *stats)
{
    dbmtool_html_section(out, "campaigns", "Campaigns");
    if (stats == NULL) {
        dbmtool_html_missing(out, "No campaign data: give a campaign measurement export "
                                  "with --campaign-stats FILE.");
    } else {
        fputs("<p>Per stage, the funnel from due to converted as shares of the first step, "
              "and what the contact policy and the stage conditions held back; then the "
              "conversion rate of the treated entries against the holdout group, with "
              "95% intervals.</p>\n", out);
        for_each_campaign(stats, campaign_block, out);
    }
    dbmtool_html_section_end(out);
}
