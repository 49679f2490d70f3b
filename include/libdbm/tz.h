/*
 * libdbm — IANA time zones.
 *
 * libdbm reads the TZif files of a zoneinfo directory itself (RFC 8536):
 * the result never depends on the process's TZ variable or locale, and
 * lookups take no global lock. Zones are named as in the IANA database
 * ("America/New_York", "Europe/Berlin", "UTC"). The directory is
 * /usr/share/zoneinfo unless the host sets another one with
 * libdbm_context_set_zoneinfo_dir(). Zones are loaded once per context and
 * cached (docs/timezones.md). Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_TZ_H
#define LIBDBM_TZ_H

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The UTC offset of zone @p zone at the UTC instant @p t.
 * @param offset_seconds receives the offset in seconds east of UTC
 *        (New York in winter: -18000; Kathmandu: 20700); 0 on failure.
 * @param zone an IANA zone name: only the characters A-Z a-z 0-9 _ + - /,
 *        not starting or ending with '/', no "//", at most 255 bytes.
 *        Read during the call.
 * @param t seconds since the Unix epoch, UTC. Exact for years 1 to 9999;
 *        after a zone's last listed transition the zone's rule (the TZif
 *        footer) is applied to any year.
 * @return LIBDBM_OK; LIBDBM_EINVAL for a NULL argument or an invalid name
 *         (such as "../etc/passwd"); LIBDBM_ENOTFOUND when the zoneinfo
 *         directory has no such zone; LIBDBM_ECORRUPT when its file is
 *         malformed; LIBDBM_ENOTSUP for a zone file with leap seconds
 *         ("right/..."); LIBDBM_EIO; LIBDBM_ENOMEM. The detailed message is
 *         available from libdbm_context_errmsg().
 * Thread-safe: any number of threads may call it on one context. The first
 * call for a zone reads its file; later calls allocate nothing.
 * @since 0.1
 */
LIBDBM_API int libdbm_tz_offset(libdbm_context *ctx, int32_t *offset_seconds,
                                const char *zone, int64_t t);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_TZ_H */
