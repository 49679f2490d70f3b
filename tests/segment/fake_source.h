/* A fake row source for the segment evaluators: every value is a hash of
 * (seed, row, column), so any number of rows costs nothing until a column
 * is asked for; columns are materialised on first use for the columnar
 * evaluator, while the row-at-a-time path recomputes each value from the
 * hash. Used by the segment tests, the fuzz driver and the benchmark. */
#ifndef LIBDBM_TEST_FAKE_SOURCE_H
#define LIBDBM_TEST_FAKE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define FAKE_NOW INT64_C(1735689600) /* 2025-01-01T00:00:00Z */
#define FAKE_MAX_COLUMNS 64

typedef struct fake_column {
    int id;                 /* FAKE column id, -1 unused */
    dbmi_seg_column col;
    void *data;
    uint64_t *nulls;
} fake_column;

typedef struct fake_source {
    uint64_t seed;
    size_t rows;
    int null_percent;       /* chance of a null value */
    int max_events;         /* events per row: 0..max_events */
    int rows_from_columns;  /* row_value reads the materialised columns (benchmarks) */
    fake_column columns[FAKE_MAX_COLUMNS];
    int ncolumns;
    dbmi_seg_source source;
} fake_source;

/* Strings of the dictionary (ids are indexes). */
extern const char *const fake_strings[];
extern const size_t fake_nstrings;
/* Names the fake knows, for expression generators. */
extern const char *const fake_channels[3];
extern const char *const fake_events[3];

void fake_source_init(fake_source *fs, uint64_t seed, size_t rows, int null_percent,
                      int max_events);
void fake_source_fini(fake_source *fs);

#endif
