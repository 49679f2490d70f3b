/* The compiled form of a segment expression: a flat array of typed nodes
 * (children referenced by index), a string pool and the segments it refers
 * to. Built by parser.c, typed by check.c, printed by print.c, evaluated by
 * eval.c (columnar) and interp.c (row at a time). Immutable once compiled. */
#ifndef LIBDBM_SEGMENT_AST_H
#define LIBDBM_SEGMENT_AST_H

#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"

/* Value types. */
enum dbmi_seg_type {
    DBMI_SEG_T_UNKNOWN = 0, /* attr.* before inference */
    DBMI_SEG_T_BOOL,
    DBMI_SEG_T_INT,
    DBMI_SEG_T_DEC,
    DBMI_SEG_T_STR,
    DBMI_SEG_T_TIME,        /* instant, seconds since the epoch UTC */
    DBMI_SEG_T_DUR,         /* duration: months and seconds */
    DBMI_SEG_T_ANY          /* attr.* only tested with `is null` */
};

enum dbmi_seg_kind {
    DBMI_SEG_N_LIT,
    DBMI_SEG_N_FIELD,
    DBMI_SEG_N_BEHAV,
    DBMI_SEG_N_REF,
    DBMI_SEG_N_AND,         /* n-ary */
    DBMI_SEG_N_OR,          /* n-ary */
    DBMI_SEG_N_NOT,
    DBMI_SEG_N_CMP,         /* op; children lhs, rhs */
    DBMI_SEG_N_IN,          /* negate; children lhs, items... */
    DBMI_SEG_N_BETWEEN,     /* children value, low, high */
    DBMI_SEG_N_ISNULL,      /* negate; child */
    DBMI_SEG_N_TRUTHY,      /* a bare behaviour count: count > 0 */
    DBMI_SEG_N_PAREN        /* parenthesised operand (printing only; eval skips) */
};

enum dbmi_seg_op { DBMI_SEG_EQ, DBMI_SEG_NE, DBMI_SEG_LT, DBMI_SEG_LE, DBMI_SEG_GT, DBMI_SEG_GE };

/* The comparison with its operands swapped (a < b is b > a): both
 * evaluators use it where an operand's order is reversed, e.g. durations,
 * which compare as the instants now - d. */
static inline int dbmi_seg_mirror_op(int op)
{
    switch (op) {
    case DBMI_SEG_LT: return DBMI_SEG_GT;
    case DBMI_SEG_LE: return DBMI_SEG_GE;
    case DBMI_SEG_GT: return DBMI_SEG_LT;
    case DBMI_SEG_GE: return DBMI_SEG_LE;
    default: return op;
    }
}

/* Fields (DBMI_SEG_N_FIELD, node.op). */
enum dbmi_seg_field {
    DBMI_SEG_F_ATTR,            /* attr.NAME, name in the string */
    DBMI_SEG_F_RECENCY_DAYS,
    DBMI_SEG_F_FREQUENCY,
    DBMI_SEG_F_MONETARY,
    DBMI_SEG_F_FIRST_PURCHASE,
    DBMI_SEG_F_LAST_PURCHASE,
    DBMI_SEG_F_RFM_R,
    DBMI_SEG_F_RFM_F,
    DBMI_SEG_F_RFM_M,
    DBMI_SEG_F_RFM_SEGMENT,
    DBMI_SEG_F_P_ALIVE,
    DBMI_SEG_F_CLV,
    DBMI_SEG_F_EXPECTED_PURCHASES,
    DBMI_SEG_F_EXPECTED_SPEND,
    DBMI_SEG_F_CONSENT,         /* consent.CHANNEL, channel in the string */
    DBMI_SEG_F_ADDRESS_VALID,   /* address.CHANNEL.valid */
    DBMI_SEG_F_VERIFIED_AGE,    /* verified_age(CHANNEL): the source gives the verification instant */
    DBMI_SEG_F_COUNT_
};

/* Behaviour counts (DBMI_SEG_N_BEHAV, node.op) over the window `last D`. */
enum dbmi_seg_behaviour {
    DBMI_SEG_B_PURCHASES,       /* INT */
    DBMI_SEG_B_SPEND,           /* DEC */
    DBMI_SEG_B_CONTACTED,       /* INT, channel in the string */
    DBMI_SEG_B_OPENED,          /* INT, channel in the string */
    DBMI_SEG_B_EVENT,           /* INT, event name in the string */
    DBMI_SEG_B_COUNT_
};

typedef struct dbmi_seg_duration {
    int32_t months;
    int64_t seconds;
} dbmi_seg_duration;

typedef struct dbmi_seg_node {
    uint8_t kind;               /* enum dbmi_seg_kind */
    uint8_t type;               /* enum dbmi_seg_type of the value */
    uint8_t op;                 /* comparison op, field or behaviour */
    uint8_t negate;             /* `not in`, `is not null` */
    uint8_t dur_unit;           /* literal durations: the unit written (printing) */
    int32_t line, column;       /* where the node starts (1-based, code points) */
    uint32_t first_child;       /* index into the kids array */
    uint32_t nchildren;
    uint32_t str_off, str_len;  /* string literal, attr/channel/event/segment name */
    union {
        int64_t i;              /* INT, BOOL, TIME literals; REF: index into refs */
        double d;               /* DEC literal */
        dbmi_seg_duration dur;  /* DUR literal; BEHAV window */
    } v;
} dbmi_seg_node;

struct libdbm_segment {
    libdbm_context *ctx;
    int refcount;               /* atomic: shared by registries and references */
    dbmi_seg_node *nodes;
    uint32_t nnodes;
    uint32_t root;
    uint32_t *kids;
    uint32_t nkids;
    char *strings;              /* pool; every string is also NUL-terminated */
    size_t strings_len;
    struct libdbm_segment **refs; /* segments referred to (one reference each) */
    char **ref_names;             /* the names they were referred to by */
    uint32_t nrefs;
    uint32_t depth;             /* nesting depth, including referenced segments */
};

static inline const dbmi_seg_node *dbmi_seg_child(const libdbm_segment *seg,
                                                  const dbmi_seg_node *n, uint32_t i)
{
    return &seg->nodes[seg->kids[n->first_child + i]];
}

static inline const char *dbmi_seg_str(const libdbm_segment *seg, const dbmi_seg_node *n)
{
    return seg->strings != NULL ? seg->strings + n->str_off : "";
}

/* Skips DBMI_SEG_N_PAREN wrappers. */
static inline const dbmi_seg_node *dbmi_seg_unparen(const libdbm_segment *seg,
                                                    const dbmi_seg_node *n)
{
    while (n->kind == DBMI_SEG_N_PAREN)
        n = dbmi_seg_child(seg, n, 0);
    return n;
}

/* Names of the fixed fields ("recency_days", "rfm.segment"...) and their types. */
const char *dbmi_seg_field_name(int field);
int dbmi_seg_field_type(int field);
const char *dbmi_seg_behaviour_name(int behaviour);
const char *dbmi_seg_type_name(int type);

/* The first error of a compile: status, position and message. */
typedef struct dbmi_seg_error {
    int code;
    int32_t line, column;
    char message[300];
} dbmi_seg_error;

/* Records an error at a position unless one is recorded; returns code. */
int dbmi_seg_fail(dbmi_seg_error *err, int code, int32_t line, int32_t column,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Resolution of a name or call during parsing (check.c). On success fills
 * node->op/type (and leaves str for parser). Returns 0, or -1 with @p why
 * set to a static "expected ..." text. */
int dbmi_seg_resolve_name(const char *name, size_t len, int *field,
                          size_t *suffix_off, size_t *suffix_len);

/* Types the whole tree, inferring attr.* types; fills @p err (ESYNTAX with
 * the position) on the first error. */
int dbmi_seg_check(libdbm_segment *seg, dbmi_seg_error *err);

/* The instant `now - d` (months on the UTC calendar, day clamped to the
 * month's length). Saturates instead of overflowing. */
int64_t dbmi_seg_instant_before(int64_t now, dbmi_seg_duration d);

/* Canonical text (print.c), allocated with the segment's context. */
int dbmi_seg_print(const libdbm_segment *seg, char **out, size_t *out_len);

/* Parses a decimal literal exactly as the lexer does (print.c uses it to
 * find the shortest text that reads back to the same double). */
int dbmi_seg_parse_decimal(const char *s, size_t len, double *out);
/* The shortest text of @p d that dbmi_seg_parse_decimal reads back to it
 * (when there is one), always with a '.' or an exponent. */
void dbmi_seg_format_decimal(double d, char *text, size_t size);
/* A value near @p d that formats and reads back to itself: what the lexer
 * keeps, so print -> parse -> print is stable. */
double dbmi_seg_canonical_decimal(double d);

#endif
