/* The row source the segment evaluators read: typed column vectors per
 * field and behaviour counts per slot over a time window. The store binds
 * it to its columns; tests and benchmarks use fake sources. Rows are the
 * store's slots 0..rows-1. */
#ifndef LIBDBM_SEGMENT_SOURCE_H
#define LIBDBM_SEGMENT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

/* Storage kinds of columns and row values. */
enum dbmi_seg_col_kind {
    DBMI_SEG_COL_NONE = 0,  /* no such column: every row is null */
    DBMI_SEG_COL_I64,       /* integers and instants (seconds since the epoch) */
    DBMI_SEG_COL_F64,
    DBMI_SEG_COL_STR,       /* ids into the source's one string dictionary */
    DBMI_SEG_COL_BOOL,      /* bytes 0/1 */
    DBMI_SEG_COL_COMPUTED   /* no stored column: the evaluator asks `values`
                             * for the rows still undecided */
};

/* A column borrowed from the source, valid until the evaluation ends. */
typedef struct dbmi_seg_column {
    int kind;
    const int64_t *i64;
    const double *f64;
    const uint32_t *str;
    const uint8_t *b;
    const uint64_t *nulls;  /* bit r set = row r is null; NULL = no nulls */
    const uint64_t *mixed;  /* I64 number columns: bit r set = row r is the decimal f64[r] */
} dbmi_seg_column;

/* What a field node asks for. name: attribute name or channel ("" if none). */
typedef struct dbmi_seg_field_ref {
    int field;              /* enum dbmi_seg_field; VERIFIED_AGE gives instants */
    const char *name;
    int type;               /* enum dbmi_seg_type the expression expects */
} dbmi_seg_field_ref;

/* A behaviour count over events with from < time <= to. name: channel or
 * event name ("" if none). */
typedef struct dbmi_seg_behaviour_ref {
    int behaviour;          /* enum dbmi_seg_behaviour */
    const char *name;
    int64_t from, to;
} dbmi_seg_behaviour_ref;

/* One value, for the row-at-a-time interpreter. */
typedef struct dbmi_seg_row_value {
    int kind;               /* enum dbmi_seg_col_kind; NONE = null */
    int64_t i;              /* I64, BOOL */
    double d;
    const char *s;          /* STR: bytes (not NUL-terminated), valid during the evaluation */
    size_t len;
} dbmi_seg_row_value;

typedef struct dbmi_seg_source {
    void *self;
    size_t rows;
    /* The rows that may be members (bit r set), NULL for all: the store's
     * live slots. Other rows are never evaluated. */
    const uint64_t *rows_mask;
    /* Columnar access; the column stays valid for the whole evaluation. */
    int (*column)(void *self, const dbmi_seg_field_ref *field, dbmi_seg_column *out);
    /* The id of a string in the dictionary; *found = 0 when absent. */
    int (*string_id)(void *self, const char *s, size_t len, uint32_t *id, int *found);
    /* Counts (or, for spend, amounts) of @p n rows, in the order given. */
    int (*counts)(void *self, const dbmi_seg_behaviour_ref *b, const uint32_t *rows, size_t n,
                  int64_t *counts, double *amounts);
    /* Row-at-a-time access (the reference interpreter). */
    int (*row_value)(void *self, const dbmi_seg_field_ref *field, size_t row,
                     dbmi_seg_row_value *out);
    int (*row_count)(void *self, const dbmi_seg_behaviour_ref *b, size_t row,
                     int64_t *count, double *amount);
    /* Values of a COMPUTED field (never a string): for the @p n rows listed
     * in @p rows, or for rows 0..n-1 when @p rows is NULL. Value k goes to
     * f64[k] when the field's type is a decimal, else to i64[k]; a null
     * sets bit k of @p nulls (which starts cleared). NULL when the source
     * computes no field. */
    int (*values)(void *self, const dbmi_seg_field_ref *field, const uint32_t *rows, size_t n,
                  int64_t *i64, double *f64, uint64_t *nulls);
} dbmi_seg_source;

/* Whether a value stored as @p kind can serve an expression of @p type;
 * anything else reads as null (an attribute of another type is missing). */
static inline int dbmi_seg_accepts(int type, int kind)
{
    switch (type) {
    case DBMI_SEG_T_INT: case DBMI_SEG_T_DEC:
        return kind == DBMI_SEG_COL_I64 || kind == DBMI_SEG_COL_F64;
    case DBMI_SEG_T_TIME: case DBMI_SEG_T_DUR: return kind == DBMI_SEG_COL_I64;
    case DBMI_SEG_T_STR: return kind == DBMI_SEG_COL_STR;
    case DBMI_SEG_T_BOOL: return kind == DBMI_SEG_COL_BOOL;
    case DBMI_SEG_T_ANY: return kind != DBMI_SEG_COL_NONE;
    default: return 0;
    }
}

/* Member sets (members.c): takes ownership of @p words (nbits bits). */
int dbmi_members_wrap(libdbm_members **out, libdbm_context *ctx, uint64_t *words, size_t nbits);

/* The columnar evaluator (eval.c) and the row-at-a-time reference
 * interpreter (interp.c): the members of @p seg among the source's rows as
 * of @p now. Both give the same set; tests compare them. */
int dbmi_seg_eval_columnar(libdbm_members **out, const libdbm_segment *seg,
                           const dbmi_seg_source *src, int64_t now);
int dbmi_seg_eval_rows(libdbm_members **out, const libdbm_segment *seg,
                       const dbmi_seg_source *src, int64_t now);
/* The interpreter on one row: *member = 1 when @p row is a member. */
int dbmi_seg_eval_row(int *member, const libdbm_segment *seg, const dbmi_seg_source *src,
                      int64_t now, size_t row);

#endif
