#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_file.h"
#include "textfile.h"

/* Model files are small (a few hundred bytes); anything larger is not one. */
#define MODEL_FILE_MAX (1 << 20)

int dbmtool_write_model(libdbm_context *ctx, const libdbm_model *model, const char *path)
{
    char *json = NULL;
    FILE *f;
    int status = libdbm_model_to_json(model, &json), failed;
    if (status != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "encoding the model");
    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "dbmtool: %s: %s\n", path, strerror(errno));
        libdbm_free_string(json);
        return DBMTOOL_EXIT_IO;
    }
    failed = fputs(json, f) < 0 || fputc('\n', f) == EOF;
    failed |= fclose(f) != 0;
    libdbm_free_string(json);
    if (failed) {
        fprintf(stderr, "dbmtool: %s: writing the model failed\n", path);
        return DBMTOOL_EXIT_IO;
    }
    return DBMTOOL_EXIT_OK;
}

int dbmtool_read_model(libdbm_context *ctx, const char *path, libdbm_model **model)
{
    char *data;
    size_t len;
    int status, code = dbmtool_read_text_file(path, MODEL_FILE_MAX, &data, &len);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (len > 0 && data[0] == '{')
        status = libdbm_model_from_json(model, ctx, data);
    else
        status = libdbm_model_load(model, ctx, data, len);
    free(data);
    if (status != LIBDBM_OK) {
        char what[512];
        snprintf(what, sizeof(what), "reading model '%s'", path);
        dbmtool_fail(ctx, status, what);
        /* A model file that is not one is bad input, not a store failure. */
        return status == LIBDBM_ENOMEM ? DBMTOOL_EXIT_IO : DBMTOOL_EXIT_USAGE;
    }
    return DBMTOOL_EXIT_OK;
}
