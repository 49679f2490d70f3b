/*
 * libdbm — an embeddable C library for database marketing: customer
 * profiles, RFM and "buy till you die" scores, segments, contact policies
 * and multi-stage campaigns.
 *
 * This is the one public header. It includes the <libdbm/...> headers that
 * make up the API; hosts include only <libdbm.h>.
 *
 * Conventions (docs/conventions.md): every fallible function returns
 * LIBDBM_OK (0) or a negative enum libdbm_status; results come back through
 * out-parameters that follow the handle; time is int64_t seconds since the
 * Unix epoch, UTC; strings are NUL-terminated UTF-8 and copied when kept.
 */
#ifndef LIBDBM_H
#define LIBDBM_H

#include "libdbm/common.h"
#include "libdbm/context.h"
#include "libdbm/time.h"
#include "libdbm/tz.h"
#include "libdbm/model.h"
#include "libdbm/store.h"
#include "libdbm/rfm.h"
#include "libdbm/summary.h"
#include "libdbm/scores.h"
#include "libdbm/segment.h"
#include "libdbm/policy.h"
#include "libdbm/campaign.h"

#endif /* LIBDBM_H */
