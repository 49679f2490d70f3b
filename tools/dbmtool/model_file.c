#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_file.h"

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
    FILE *f = fopen(path, "rb");
    char *data;
    size_t len;
    int status;
    if (f == NULL) {
        fprintf(stderr, "dbmtool: %s: %s\n", path, strerror(errno));
        return DBMTOOL_EXIT_IO;
    }
    data = malloc(MODEL_FILE_MAX + 1);
    if (data == NULL) {
        fclose(f);
        fprintf(stderr, "dbmtool: out of memory\n");
        return DBMTOOL_EXIT_IO;
    }
    len = fread(data, 1, MODEL_FILE_MAX + 1, f);
    if (ferror(f) || len > MODEL_FILE_MAX) {
        fclose(f);
        free(data);
        fprintf(stderr, "dbmtool: %s: %s\n", path,
                len > MODEL_FILE_MAX ? "too large to be a model file" : "read error");
        return len > MODEL_FILE_MAX ? DBMTOOL_EXIT_USAGE : DBMTOOL_EXIT_IO;
    }
    fclose(f);
    data[len] = '\0';
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
