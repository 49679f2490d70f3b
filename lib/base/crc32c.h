/* CRC-32C (Castagnoli), the checksum of every libdbm file record and blob. */
#ifndef LIBDBM_BASE_CRC32C_H
#define LIBDBM_BASE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends @p crc (0 to start) over @p len bytes. dbmi_crc32c(0, "123456789",
 * 9) == 0xE3069283, the standard check value. */
uint32_t dbmi_crc32c(uint32_t crc, const void *data, size_t len);

#endif
