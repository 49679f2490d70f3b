/* The canonical text of a compiled segment: what the parser reads back to
 * the same tree (tests check print -> parse -> print is stable). */
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "context_private.h"
#include "lexer.h"

typedef struct out_buf {
    libdbm_context *ctx;
    char *data;
    size_t len, cap;
    int failed;
} out_buf;

static void put(out_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        void *a = b->data;
        if (dbmi_grow_array(b->ctx, &a, &b->cap, b->len + n + 1, 1) != LIBDBM_OK) {
            b->failed = 1;
            return;
        }
        b->data = a;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(out_buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_string(out_buf *b, const char *s, size_t n)
{
    size_t i;
    put(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"') puts_(b, "\\\"");
        else if (c == '\\') puts_(b, "\\\\");
        else if (c == '\n') puts_(b, "\\n");
        else if (c == '\t') puts_(b, "\\t");
        else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04X", c);
            puts_(b, esc);
        } else
            put(b, s + i, 1);
    }
    put(b, "\"", 1);
}

void dbmi_seg_format_decimal(double d, char *text, size_t size)
{
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        double back;
        char *c;
        snprintf(text, size, "%.*g", prec, d);
        for (c = text; *c; c++)
            if (*c == ',')
                *c = '.'; /* a host's locale must not change the language */
        if (dbmi_seg_parse_decimal(text, strlen(text), &back) == 0 && back == d)
            break;
    }
    if (strchr(text, '.') == NULL && strchr(text, 'e') == NULL && strlen(text) + 3 <= size)
        strcat(text, ".0");
}

/* The shortest %g text that reads back (through the lexer's own decimal
 * reader) to the same double, with a '.' or an exponent so that it reads
 * back as a decimal, not an integer. */
static void put_decimal(out_buf *b, double d)
{
    char text[48];
    dbmi_seg_format_decimal(d, text, sizeof(text));
    puts_(b, text);
}

static void put_time(out_buf *b, int64_t t)
{
    char text[48];
    int64_t year, sod = dbmi_second_of_day(t);
    int month, day;
    dbmi_civil_from_days(dbmi_day_of_time(t), &year, &month, &day);
    if (sod == 0)
        snprintf(text, sizeof(text), "%04lld-%02d-%02d", (long long)year, month, day);
    else
        snprintf(text, sizeof(text), "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)year, month,
                 day, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    puts_(b, text);
}

static void put_duration(out_buf *b, const dbmi_seg_node *n)
{
    char text[48];
    static const int64_t secs[3] = {3600, 86400, 7 * 86400};
    long long count;
    unsigned unit = n->dur_unit < 5 ? n->dur_unit : 1;
    if (unit < 3)
        count = (long long)(n->v.dur.seconds / secs[unit]);
    else
        count = unit == 3 ? n->v.dur.months : n->v.dur.months / 12;
    snprintf(text, sizeof(text), "%lld%s", count, dbmi_seg_dur_units[unit]);
    puts_(b, text);
}

static void print_node(out_buf *b, const libdbm_segment *seg, const dbmi_seg_node *n);

static void print_child(out_buf *b, const libdbm_segment *seg, const dbmi_seg_node *n, uint32_t i)
{
    print_node(b, seg, dbmi_seg_child(seg, n, i));
}

static void print_node(out_buf *b, const libdbm_segment *seg, const dbmi_seg_node *n)
{
    static const char *const ops[] = {" == ", " != ", " < ", " <= ", " > ", " >= "};
    char text[32];
    uint32_t i;
    switch (n->kind) {
    case DBMI_SEG_N_LIT:
        switch (n->type) {
        case DBMI_SEG_T_STR: put_string(b, dbmi_seg_str(seg, n), n->str_len); break;
        case DBMI_SEG_T_INT:
            snprintf(text, sizeof(text), "%lld", (long long)n->v.i);
            puts_(b, text);
            break;
        case DBMI_SEG_T_DEC: put_decimal(b, n->v.d); break;
        case DBMI_SEG_T_BOOL: puts_(b, n->v.i ? "true" : "false"); break;
        case DBMI_SEG_T_TIME: put_time(b, n->v.i); break;
        default: put_duration(b, n); break;
        }
        break;
    case DBMI_SEG_N_FIELD:
        switch (n->op) {
        case DBMI_SEG_F_ATTR: puts_(b, "attr."); puts_(b, dbmi_seg_str(seg, n)); break;
        case DBMI_SEG_F_CONSENT: puts_(b, "consent."); puts_(b, dbmi_seg_str(seg, n)); break;
        case DBMI_SEG_F_ADDRESS_VALID:
            puts_(b, "address.");
            puts_(b, dbmi_seg_str(seg, n));
            puts_(b, ".valid");
            break;
        case DBMI_SEG_F_VERIFIED_AGE:
            puts_(b, "verified_age(");
            puts_(b, dbmi_seg_str(seg, n));
            puts_(b, ")");
            break;
        default: puts_(b, dbmi_seg_field_name(n->op)); break;
        }
        break;
    case DBMI_SEG_N_BEHAV:
        puts_(b, dbmi_seg_behaviour_name(n->op));
        puts_(b, "(");
        if (n->op == DBMI_SEG_B_CONTACTED || n->op == DBMI_SEG_B_OPENED) {
            puts_(b, dbmi_seg_str(seg, n));
            puts_(b, ", ");
        } else if (n->op == DBMI_SEG_B_EVENT) {
            put_string(b, dbmi_seg_str(seg, n), n->str_len);
            puts_(b, ", ");
        }
        puts_(b, "last ");
        put_duration(b, n);
        puts_(b, ")");
        break;
    case DBMI_SEG_N_REF:
        puts_(b, "segment(");
        put_string(b, dbmi_seg_str(seg, n), n->str_len);
        puts_(b, ")");
        break;
    case DBMI_SEG_N_AND: case DBMI_SEG_N_OR:
        for (i = 0; i < n->nchildren; i++) {
            if (i > 0)
                puts_(b, n->kind == DBMI_SEG_N_AND ? " and " : " or ");
            print_child(b, seg, n, i);
        }
        break;
    case DBMI_SEG_N_NOT:
        puts_(b, "not ");
        print_child(b, seg, n, 0);
        break;
    case DBMI_SEG_N_CMP:
        print_child(b, seg, n, 0);
        puts_(b, ops[n->op < 6 ? n->op : 0]);
        print_child(b, seg, n, 1);
        break;
    case DBMI_SEG_N_IN:
        print_child(b, seg, n, 0);
        puts_(b, n->negate ? " not in (" : " in (");
        for (i = 1; i < n->nchildren; i++) {
            if (i > 1)
                puts_(b, ", ");
            print_child(b, seg, n, i);
        }
        puts_(b, ")");
        break;
    case DBMI_SEG_N_BETWEEN:
        print_child(b, seg, n, 0);
        puts_(b, " between ");
        print_child(b, seg, n, 1);
        puts_(b, " and ");
        print_child(b, seg, n, 2);
        break;
    case DBMI_SEG_N_ISNULL:
        print_child(b, seg, n, 0);
        puts_(b, n->negate ? " is not null" : " is null");
        break;
    case DBMI_SEG_N_TRUTHY:
        print_child(b, seg, n, 0);
        break;
    default: /* DBMI_SEG_N_PAREN: the parentheses the author wrote */
        puts_(b, "(");
        print_child(b, seg, n, 0);
        puts_(b, ")");
        break;
    }
}

int dbmi_seg_print(const libdbm_segment *seg, char **out, size_t *out_len)
{
    out_buf b;
    memset(&b, 0, sizeof(b));
    b.ctx = seg->ctx;
    put(&b, "", 0);
    print_node(&b, seg, &seg->nodes[seg->root]);
    if (b.failed) {
        dbmi_free(seg->ctx, b.data);
        return dbmi_error_nomem(seg->ctx, "segment text");
    }
    *out = b.data;
    *out_len = b.len;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_segment_to_string(const libdbm_segment *seg, char **out)
{
    char *text, *exported;
    size_t len;
    int status;
    if (out != NULL)
        *out = NULL;
    if (seg == NULL || out == NULL)
        return LIBDBM_EINVAL;
    if ((status = dbmi_seg_print(seg, &text, &len)) != LIBDBM_OK)
        return status;
    exported = dbmi_export_string(seg->ctx, text, len);
    dbmi_free(seg->ctx, text);
    if (exported == NULL)
        return dbmi_error_nomem(seg->ctx, "segment text");
    *out = exported;
    return LIBDBM_OK;
}
