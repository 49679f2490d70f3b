/* The per-(x, T) table of bulk scoring (alive_table.h): open addressing
 * with linear probing, keyed by the bits of x and T. */
#include <string.h>

#include "alive_table.h"

/* Beyond this many distinct (x, T) a table starts over instead of growing
 * (2^18 slots of 32 bytes = 8 MiB per worker, reserved but touched only as
 * the table grows). */
#define ALIVE_TABLE_MAX_KEYS ((size_t)1 << 17)
#define ALIVE_TABLE_FIRST_CAPACITY ((size_t)1024)

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

int dbmi_alive_table_init(dbmi_alive_table *table, libdbm_context *ctx,
                          const dbmi_alive_spec *spec, size_t customers)
{
    size_t keys = customers < ALIVE_TABLE_MAX_KEYS ? customers : ALIVE_TABLE_MAX_KEYS;
    size_t capacity = ALIVE_TABLE_FIRST_CAPACITY;
    while (capacity < 2 * keys)
        capacity *= 2;
    table->spec = spec;
    /* calloc: pages of the room not yet used are never touched */
    table->entries = dbmi_calloc(ctx, capacity + capacity / 2, sizeof(dbmi_alive_entry));
    if (table->entries == NULL)
        return dbmi_error_nomem(ctx, "allocating the bulk scoring table");
    table->max_capacity = capacity;
    table->mask = ALIVE_TABLE_FIRST_CAPACITY - 1;
    table->used = 0;
    return LIBDBM_OK;
}

void dbmi_alive_table_free(dbmi_alive_table *table, libdbm_context *ctx)
{
    dbmi_free(ctx, table->entries);
    table->entries = NULL;
}

/* sum_{i=1..months} (H(i ppm) - H((i-1) ppm)) / (1+d)^i, the discount
 * accumulated as libdbm_model_clv does (dbmi_clv_core). */
static double clv_factor(const dbmi_alive_spec *spec, double x, double T)
{
    const libdbm_model *m = spec->model;
    double total = 0.0, previous = 0.0, discount = 1.0;
    for (int32_t i = 1; i <= spec->clv_months; i++) {
        double h = m->ops->alive_expectation(m->params, (double)i * spec->periods_per_month,
                                             x, T);
        discount /= 1.0 + spec->monthly_discount;
        total += (h - previous) * discount;
        previous = h;
    }
    return total;
}

/* Integers and day counts have all-zero low mantissa bits, so the hash
 * folds the high bits down before the final multiply (a splitmix64-style
 * finaliser). */
static size_t slot_of(uint64_t xk, uint64_t tk)
{
    uint64_t h = xk * 0x9E3779B97F4A7C15ULL ^ tk;
    h ^= h >> 32;
    h *= 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    return (size_t)h;
}

/* The slot of key (xk, tk), or the empty slot where it belongs. */
static dbmi_alive_entry *probe(dbmi_alive_table *table, uint64_t xk, uint64_t tk)
{
    size_t i = slot_of(xk, tk) & table->mask;
    for (;; i = (i + 1) & table->mask) {
        dbmi_alive_entry *e = &table->entries[i];
        if ((e->x_key == xk && e->T_key == tk) || e->x_key == 0)
            return e;
    }
}

/* Doubles the capacity in use (the entries move through the spare room
 * after max_capacity), or empties a table already at its maximum. */
static void grow(dbmi_alive_table *table)
{
    size_t capacity = table->mask + 1;
    if (capacity == table->max_capacity) {
        memset(table->entries, 0, capacity * sizeof(dbmi_alive_entry));
        table->used = 0;
        return;
    }
    dbmi_alive_entry *spare = table->entries + table->max_capacity;
    memcpy(spare, table->entries, capacity * sizeof(dbmi_alive_entry));
    memset(table->entries, 0, 2 * capacity * sizeof(dbmi_alive_entry));
    table->mask = 2 * capacity - 1;
    for (size_t i = 0; i < capacity; i++)
        if (spare[i].x_key != 0)
            *probe(table, spare[i].x_key, spare[i].T_key) = spare[i];
}

const dbmi_alive_entry *dbmi_alive_table_get(dbmi_alive_table *table, double x, double T)
{
    /* x >= 0 is finite, so its bits plus one are never 0 (the empty mark). */
    uint64_t xk = bits_of(x) + 1, tk = bits_of(T);
    dbmi_alive_entry *e = probe(table, xk, tk);
    if (e->x_key != 0)
        return e;
    if (2 * (table->used + 1) > table->mask + 1) {     /* keep the load at most 1/2 */
        grow(table);
        e = probe(table, xk, tk);
    }
    const dbmi_alive_spec *spec = table->spec;
    const libdbm_model *m = spec->model;
    e->x_key = xk;
    e->T_key = tk;
    e->expected = spec->want_expected
                ? m->ops->alive_expectation(m->params, spec->horizon, x, T) : 0.0;
    e->clv_factor = spec->clv_months > 0 ? clv_factor(spec, x, T) : 0.0;
    table->used++;
    return e;
}
