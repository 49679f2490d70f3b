/* dbmtool's CSV reader (tools/dbmtool/csv.c): RFC 4180 quoting, line
 * endings and numbering, recovery after malformed records, UTF-8 checks,
 * the whitespace mode of the CDNOW logs, and records that straddle the
 * reader's 64 KiB buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"

static dbmtool_csv *reader_of(const char *text, size_t len, int mode, FILE **fp)
{
    dbmtool_csv *csv;
    *fp = tmpfile();
    CHECK(*fp != NULL);
    CHECK(fwrite(text, 1, len, *fp) == len);
    rewind(*fp);
    csv = dbmtool_csv_new(*fp, mode);
    CHECK(csv != NULL);
    return csv;
}

/* Expects a record at @p line whose fields, joined with '|', are @p joined. */
static void expect_record(dbmtool_csv *csv, int want, long line, const char *joined)
{
    char buf[512] = "";
    size_t i;
    int got = dbmtool_csv_next(csv);
    if (got != want) {
        printf("expected result %d, got %d (%s) at line %ld\n", want, got,
               dbmtool_csv_error(csv), dbmtool_csv_line(csv));
        CHECK(0);
    }
    for (i = 0; i < dbmtool_csv_count(csv); i++) {
        if (i > 0)
            strcat(buf, "|");
        strcat(buf, dbmtool_csv_field(csv, i));
    }
    if (joined != NULL && strcmp(buf, joined) != 0) {
        printf("expected fields '%s', got '%s'\n", joined, buf);
        CHECK(0);
    }
    if (dbmtool_csv_line(csv) != line) {
        printf("record '%s': expected line %ld, got %ld\n", buf, line, dbmtool_csv_line(csv));
        CHECK(0);
    }
}

static void test_rfc4180(void)
{
    static const char text[] =
        "\xEF\xBB\xBF" "id,name,note\r\n"
        "1,\"Smith, John\",\"said \"\"hi\"\"\"\r\n"
        "\r\n"
        "2,\"two\nlines\",\n"
        "\n"
        "3,,\"\"\n"
        "4,S\xC3\xA3o Paulo,\xE2\x82\xAC" "5\n"
        "5,last,no newline";
    FILE *fp;
    dbmtool_csv *csv = reader_of(text, sizeof(text) - 1, DBMTOOL_CSV_COMMA, &fp);
    expect_record(csv, DBMTOOL_CSV_RECORD, 1, "id|name|note");
    expect_record(csv, DBMTOOL_CSV_RECORD, 2, "1|Smith, John|said \"hi\"");
    expect_record(csv, DBMTOOL_CSV_RECORD, 4, "2|two\nlines|");
    CHECK(dbmtool_csv_count(csv) == 3);
    expect_record(csv, DBMTOOL_CSV_RECORD, 7, "3||");
    CHECK(dbmtool_csv_count(csv) == 3);
    expect_record(csv, DBMTOOL_CSV_RECORD, 8, "4|S\xC3\xA3o Paulo|\xE2\x82\xAC" "5");
    expect_record(csv, DBMTOOL_CSV_RECORD, 9, "5|last|no newline");
    CHECK(dbmtool_csv_next(csv) == DBMTOOL_CSV_END);
    CHECK(dbmtool_csv_next(csv) == DBMTOOL_CSV_END);
    dbmtool_csv_free(csv);
    fclose(fp);
}

static void test_bad_records(void)
{
    static const char text[] =
        "a,b\n"
        "1,x\"y\n"                 /* line 2: quote in an unquoted field */
        "2,\"x\"y\n"               /* line 3: text after the closing quote */
        "3,\xC0\x80\n"             /* line 4: overlong NUL */
        "4,\xED\xA0\x80\n"         /* line 5: surrogate */
        "5,\xF5\x80\x80\x80\n"     /* line 6: above U+10FFFF */
        "6,\xE2\x82\n"             /* line 7: truncated sequence */
        "7,a\rb\n"                 /* line 8: bare carriage return */
        "8,ok\n"                   /* line 9 */
        "9,\"never\nclosed\n";     /* line 10: unterminated quote */
    static const long bad_lines[] = { 2, 3, 4, 5, 6, 7, 8 };
    FILE *fp;
    size_t i;
    dbmtool_csv *csv = reader_of(text, sizeof(text) - 1, DBMTOOL_CSV_COMMA, &fp);
    expect_record(csv, DBMTOOL_CSV_RECORD, 1, "a|b");
    for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
        expect_record(csv, DBMTOOL_CSV_BAD, bad_lines[i], NULL);
        CHECK(dbmtool_csv_error(csv)[0] != '\0');
    }
    expect_record(csv, DBMTOOL_CSV_RECORD, 9, "8|ok");
    CHECK(dbmtool_csv_error(csv)[0] == '\0');
    expect_record(csv, DBMTOOL_CSV_BAD, 10, NULL);
    CHECK(strstr(dbmtool_csv_error(csv), "not closed") != NULL);
    CHECK(dbmtool_csv_next(csv) == DBMTOOL_CSV_END);
    dbmtool_csv_free(csv);
    fclose(fp);

    /* A NUL byte in a field. */
    csv = reader_of("a,b\nx,y\0z\nc,d\n", 14, DBMTOOL_CSV_COMMA, &fp);
    expect_record(csv, DBMTOOL_CSV_RECORD, 1, "a|b");
    expect_record(csv, DBMTOOL_CSV_BAD, 2, NULL);
    CHECK(strstr(dbmtool_csv_error(csv), "NUL") != NULL);
    expect_record(csv, DBMTOOL_CSV_RECORD, 3, "c|d");
    dbmtool_csv_free(csv);
    fclose(fp);
}

static void test_utf8(void)
{
    CHECK(dbmtool_utf8_valid("", 0));
    CHECK(dbmtool_utf8_valid("plain", 5));
    CHECK(dbmtool_utf8_valid("\xC3\xA9", 2));
    CHECK(dbmtool_utf8_valid("\xF0\x9F\x98\x80", 4));   /* U+1F600 */
    CHECK(dbmtool_utf8_valid("\xF4\x8F\xBF\xBF", 4));   /* U+10FFFF */
    CHECK(!dbmtool_utf8_valid("\xF4\x90\x80\x80", 4));  /* U+110000 */
    CHECK(!dbmtool_utf8_valid("\xE0\x9F\xBF", 3));      /* overlong */
    CHECK(!dbmtool_utf8_valid("\xC1\xBF", 2));          /* overlong */
    CHECK(!dbmtool_utf8_valid("\x80", 1));              /* lone continuation */
    CHECK(!dbmtool_utf8_valid("\xC3", 1));              /* truncated */
    CHECK(!dbmtool_utf8_valid("\xC3\x28", 2));          /* bad continuation */
    CHECK(!dbmtool_utf8_valid("\xFF", 1));
}

static void test_whitespace(void)
{
    static const char text[] =
        " customer_id  date number_of_cds  dollar_value\r\n"
        " 00001 19970101 1  11.77\r\n"
        "\r\n"
        "\t00002   19970112  2 \t 89.00  \r\n"
        "00003 19970102 2 20.76";
    FILE *fp;
    dbmtool_csv *csv = reader_of(text, sizeof(text) - 1, DBMTOOL_CSV_WHITESPACE, &fp);
    expect_record(csv, DBMTOOL_CSV_RECORD, 1, "customer_id|date|number_of_cds|dollar_value");
    expect_record(csv, DBMTOOL_CSV_RECORD, 2, "00001|19970101|1|11.77");
    expect_record(csv, DBMTOOL_CSV_RECORD, 4, "00002|19970112|2|89.00");
    expect_record(csv, DBMTOOL_CSV_RECORD, 5, "00003|19970102|2|20.76");
    CHECK(dbmtool_csv_next(csv) == DBMTOOL_CSV_END);
    dbmtool_csv_free(csv);
    fclose(fp);
}

/* 30,000 records with quoted fields, CRLF endings and embedded line
 * breaks: some inevitably straddle the 64 KiB read buffer. */
static void test_buffer_boundaries(void)
{
    size_t cap = 4u << 20, len = 0;
    char *text = malloc(cap);
    FILE *fp;
    dbmtool_csv *csv;
    long line = 1;
    int i;
    CHECK(text != NULL);
    for (i = 0; i < 30000; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%d,\"quoted, \"\"%d\"\"\nsecond line\",plain%d\r\n", i, i * 7, i);
    csv = reader_of(text, len, DBMTOOL_CSV_COMMA, &fp);
    for (i = 0; i < 30000; i++) {
        char want[128];
        snprintf(want, sizeof(want), "%d|quoted, \"%d\"\nsecond line|plain%d", i, i * 7, i);
        expect_record(csv, DBMTOOL_CSV_RECORD, line, want);
        line += 2;
    }
    CHECK(dbmtool_csv_next(csv) == DBMTOOL_CSV_END);
    dbmtool_csv_free(csv);
    fclose(fp);
    free(text);
}

int main(void)
{
    test_rfc4180();
    test_bad_records();
    test_utf8();
    test_whitespace();
    test_buffer_boundaries();
    puts("csv: ok");
    return 0;
}
