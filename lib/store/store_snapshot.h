/* The store's snapshot payload: the whole model serialised (format in
 * docs/store.md). The file envelope (header, checksum, compression) is
 * snapshot.h's. */
#ifndef LIBDBM_STORE_STORE_SNAPSHOT_H
#define LIBDBM_STORE_STORE_SNAPSHOT_H

#include <stddef.h>

#include "bytes.h"
#include "model.h"

/* 2: the campaign scheduler state follows the aliases.
 * 3: transactions carry their day and amount. Older versions are read. */
#define DBMI_STORE_PAYLOAD_VERSION 3u

/* Receives the payload in pieces. */
typedef int (*dbmi_payload_sink)(void *user_data, const void *data, size_t len);

/* Serialises the live model through @p sink, buffering in @p buf (cleared
 * first, left allocated for reuse). Erased and merged-away profiles are
 * not written, aliases are written flattened to their profile. */
int dbmi_store_serialize(const dbmi_model *m, dbmi_buf *buf, dbmi_payload_sink sink,
                         void *user_data);
/* Rebuilds @p m (freshly initialised, empty) from a payload: LIBDBM_OK,
 * ECORRUPT (what and where), EVERSION, ENOMEM. On failure the model holds
 * a partial state: free it. */
int dbmi_store_deserialize(dbmi_model *m, const void *payload, size_t len);

#endif
