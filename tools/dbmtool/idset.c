/* Open-addressing hash set of strings (FNV-1a, linear probing, load <= 1/2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"

typedef struct slot {
    char *id;       /* NULL: empty */
    uint64_t hash;  /* compared before the strings */
} slot;

struct dbmtool_idset {
    slot *slots;
    size_t capacity;  /* a power of two */
    size_t count;
};

static uint64_t hash_of(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

dbmtool_idset *dbmtool_idset_new(void)
{
    dbmtool_idset *set = calloc(1, sizeof(*set));
    if (set == NULL)
        return NULL;
    set->capacity = 1024;
    set->slots = calloc(set->capacity, sizeof(*set->slots));
    if (set->slots == NULL) {
        free(set);
        return NULL;
    }
    return set;
}

void dbmtool_idset_free(dbmtool_idset *set)
{
    size_t i;
    if (set == NULL)
        return;
    for (i = 0; i < set->capacity; i++)
        free(set->slots[i].id);
    free(set->slots);
    free(set);
}

static size_t find_slot(const slot *slots, size_t capacity, const char *id, uint64_t h)
{
    size_t i = (size_t)h & (capacity - 1);
    while (slots[i].id != NULL && (slots[i].hash != h || strcmp(slots[i].id, id) != 0))
        i = (i + 1) & (capacity - 1);
    return i;
}

static int grow(dbmtool_idset *set)
{
    size_t capacity = set->capacity * 2, i;
    slot *slots = calloc(capacity, sizeof(*slots));
    if (slots == NULL)
        return -1;
    for (i = 0; i < set->capacity; i++)
        if (set->slots[i].id != NULL)
            slots[find_slot(slots, capacity, set->slots[i].id, set->slots[i].hash)] =
                set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return 0;
}

int dbmtool_idset_add(dbmtool_idset *set, const char *id)
{
    size_t i;
    uint64_t h = hash_of(id);
    i = find_slot(set->slots, set->capacity, id, h);
    if (set->slots[i].id != NULL)
        return 0;
    if ((set->count + 1) * 2 > set->capacity) {
        if (grow(set) < 0)
            return -1;
        i = find_slot(set->slots, set->capacity, id, h);
    }
    set->slots[i].id = strdup(id);
    if (set->slots[i].id == NULL)
        return -1;
    set->slots[i].hash = h;
    set->count++;
    return 1;
}

size_t dbmtool_idset_count(const dbmtool_idset *set)
{
    return set->count;
}
