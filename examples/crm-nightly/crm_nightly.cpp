/* The nightly batch of a CRM backend, in C++ over the C API (examples/crm-nightly).
 *
 *     crm-nightly STORE FEED --now TIME [--history CDNOW_LOG] [--policy FILE]
 *                 [--campaign FILE]... [--threads N] [--outbox FILE]
 *
 * Opens (or creates) the durable store STORE, imports the day's purchase
 * feed FEED (CSV `customer_id,timestamp,amount[,transaction_id]` with a
 * header row) in one atomic batch, refits BG/NBD and Gamma-Gamma on the
 * store's summary, rescores every customer on N threads (default 2) and
 * writes the scores onto the profiles, refreshes the segments the campaign
 * team watches, runs each campaign's schedule at TIME through the contact
 * policy and acknowledges what it handed out, checkpoints the store and
 * prints a summary with timings. On a new store, --history loads a CDNOW
 * log first (the 1/10 sample's `master sample YYYYMMDD cds dollars`).
 *
 * It also checks what a nightly job must be able to trust (a redelivered
 * transaction counted once, late rows applied as if in order, a score row
 * for every buyer, stable segment counts, no action id handed out twice)
 * and fails when one does not hold.
 *
 * Exit status: 0 success; 1 bad input (usage, a bad feed row, a campaign or
 * policy that does not parse, data the models cannot be fitted on); 2 store
 * or I/O error (the store cannot be opened, locked by another writer, a
 * failed write, an unreadable file); 3 a self-check failed.
 *
 * Only <libdbm.h> is used. Build against the installed library:
 *     c++ -std=c++17 crm_nightly.cpp $(pkg-config --cflags --libs libdbm) -o crm-nightly
 */
#include <libdbm.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace {

/* ---- Errors ------------------------------------------------------------ */

enum exit_code { exit_input = 1, exit_store = 2, exit_self_check = 3 };

/* A failure the job cannot go on after; carries the exit status it maps to. */
class job_error : public std::runtime_error {
public:
    job_error(int exit_status, const std::string &message)
        : std::runtime_error(message), exit_status_(exit_status) {}
    int exit_status() const { return exit_status_; }

private:
    int exit_status_;
};

/* A libdbm call that failed: its status and the context's detailed message,
 * copied at once because the message only lives until the next call. */
class libdbm_error : public job_error {
public:
    libdbm_error(int status, const std::string &what, const std::string &detail)
        : job_error(exit_status_for(status), describe(status, what, detail)), status_(status) {}
    libdbm_error(int status, const std::string &what, const std::string &detail, int exit_status)
        : job_error(exit_status, describe(status, what, detail)), status_(status) {}
    int status() const { return status_; }

    /* Statuses caused by what we were given are "bad input"; anything else
     * means the store or the machine failed us. */
    static int exit_status_for(int status)
    {
        switch (status) {
        case LIBDBM_ESYNTAX:
        case LIBDBM_EINVAL:
        case LIBDBM_ERANGE:
        case LIBDBM_ELIMIT:
        case LIBDBM_ENOCONVERGE:
            return exit_input;
        default:
            return exit_store;
        }
    }
    static std::string describe(int status, const std::string &what, const std::string &detail)
    {
        std::string text = what + ": " + libdbm_strerror(status);
        if (!detail.empty())
            text += " (" + detail + ")";
        return text;
    }

private:
    int status_;
};

void check(const libdbm_context *ctx, int status, const std::string &what)
{
    if (status != LIBDBM_OK)
        throw libdbm_error(status, what, libdbm_context_errmsg(ctx));
}

/* Whatever the status, a store that cannot be opened (not a directory,
 * locked by another writer, corrupt) is a store error, not bad input. */
void check_store_open(const libdbm_context *ctx, int status, const std::string &what)
{
    if (status != LIBDBM_OK)
        throw libdbm_error(status, what, libdbm_context_errmsg(ctx), exit_store);
}

/* ---- Owning handles ------------------------------------------------------ */

/* Every libdbm object has one destructor that accepts NULL: unique_ptr with
 * it as the deleter frees each object on every path out, exceptions
 * included, in reverse order of creation (so the context goes last). */
template <typename T, void (*Free)(T *)>
struct libdbm_deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T *)>
using handle = std::unique_ptr<T, libdbm_deleter<T, Free>>;

/* libdbm_store_close() reports a status; on unwinding there is nothing left
 * to do with it (committed writes are already durable). The normal path
 * closes explicitly and checks it. */
void close_store_quietly(libdbm_store *store) { (void)libdbm_store_close(store); }

using context_ptr = handle<libdbm_context, libdbm_context_free>;
using store_ptr = handle<libdbm_store, close_store_quietly>;
using cursor_ptr = handle<libdbm_store_cursor, libdbm_store_cursor_free>;
using summary_ptr = handle<libdbm_summary, libdbm_summary_free>;
using stats_ptr = handle<libdbm_stats, libdbm_stats_free>;
using model_ptr = handle<libdbm_model, libdbm_model_free>;
using scores_ptr = handle<libdbm_scores, libdbm_scores_free>;
using segment_ptr = handle<libdbm_segment, libdbm_segment_free>;
using members_ptr = handle<libdbm_members, libdbm_members_free>;
using policy_ptr = handle<libdbm_policy, libdbm_policy_free>;
using campaign_ptr = handle<libdbm_campaign, libdbm_campaign_free>;
using scheduler_ptr = handle<libdbm_campaign_scheduler, libdbm_campaign_scheduler_free>;
using actions_ptr = handle<libdbm_campaign_actions, libdbm_campaign_actions_free>;
using string_ptr = handle<char, libdbm_free_string>;

/* A batch that rolls back unless committed, so an exception in the middle
 * of an import leaves the store as it was (the import is all or nothing). */
class batch {
public:
    batch(libdbm_context *ctx, libdbm_store *store) : ctx_(ctx), store_(store)
    {
        check(ctx_, libdbm_store_begin(store_), "begin batch");
    }
    batch(const batch &) = delete;
    batch &operator=(const batch &) = delete;
    ~batch()
    {
        if (store_ != nullptr)
            (void)libdbm_store_rollback(store_);
    }
    void commit()
    {
        libdbm_store *store = store_;
        store_ = nullptr;  /* a failed commit leaves no batch open to roll back */
        check(ctx_, libdbm_store_commit(store), "commit batch (one fsync)");
    }

private:
    libdbm_context *ctx_;
    libdbm_store *store_;
};

/* ---- Small helpers ------------------------------------------------------- */

std::string format_time(int64_t t)
{
    char buf[LIBDBM_TIME_FORMAT_SIZE];
    if (libdbm_time_format(buf, sizeof buf, t) != LIBDBM_OK)
        return std::to_string(t);
    return buf;
}

int64_t parse_time(const std::string &text, const std::string &where)
{
    int64_t t = 0;
    if (libdbm_time_parse(&t, text.c_str()) != LIBDBM_OK)
        throw job_error(exit_input, where + ": bad time '" + text +
                                        "' (expected an ISO-8601 date or date-time, or epoch seconds)");
    return t;
}

std::string read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw job_error(exit_store, "cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw job_error(exit_store, "cannot read " + path);
    return text.str();
}

std::vector<std::string> lines_of(const std::string &text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();  /* CRLF files (the CDNOW log is one) */
        lines.push_back(line);
    }
    return lines;
}

/* The fields of one CSV line (RFC 4180 quoting; a feed row is one line). */
std::vector<std::string> csv_fields(const std::string &line, const std::string &where)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); i++) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                fields.back() += line[++i];
            else if (c == '"')
                quoted = false;
            else
                fields.back() += c;
        } else if (c == '"' && fields.back().empty()) {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    if (quoted)
        throw job_error(exit_input, where + ": unterminated quoted field");
    return fields;
}

std::string csv_quote(const std::string &field)
{
    if (field.find_first_of(",\"\r\n") == std::string::npos)
        return field;
    std::string out = "\"";
    for (char c : field)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

class stopwatch {
public:
    stopwatch() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

/* The job's own checks: printed as they run, counted for the exit status. */
class self_checks {
public:
    void expect(bool ok, const std::string &what)
    {
        std::printf("  check: %-64s %s\n", what.c_str(), ok ? "ok" : "FAILED");
        (ok ? passed_ : failed_)++;
    }
    int passed() const { return passed_; }
    int failed() const { return failed_; }

private:
    int passed_ = 0, failed_ = 0;
};

/* ---- Options ------------------------------------------------------------- */

struct options {
    std::string store, feed, history, policy, outbox;
    std::vector<std::string> campaigns;
    int64_t now = 0;
    int threads = 2;
};

const char usage[] =
    "usage: crm-nightly STORE FEED --now TIME [--history CDNOW_LOG] [--policy FILE]\n"
    "                   [--campaign FILE]... [--threads N] [--outbox FILE]\n";

options parse_options(int argc, char **argv)
{
    options opt;
    std::vector<std::string> positional;
    bool have_now = false;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw job_error(exit_input, arg + " needs a value\n" + usage);
            return argv[++i];
        };
        if (arg == "--now") {
            opt.now = parse_time(value(), "--now");
            have_now = true;
        } else if (arg == "--history") {
            opt.history = value();
        } else if (arg == "--policy") {
            opt.policy = value();
        } else if (arg == "--campaign") {
            opt.campaigns.push_back(value());
        } else if (arg == "--outbox") {
            opt.outbox = value();
        } else if (arg == "--threads") {
            std::string n = value();
            char *end = nullptr;
            long t = std::strtol(n.c_str(), &end, 10);
            if (n.empty() || *end != '\0' || t < 1 || t > 64)
                throw job_error(exit_input, "--threads: expected 1 to 64, found '" + n + "'");
            opt.threads = static_cast<int>(t);
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw job_error(exit_input, "unknown option " + arg + "\n" + usage);
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 2 || !have_now)
        throw job_error(exit_input, usage);
    opt.store = positional[0];
    opt.feed = positional[1];
    return opt;
}

/* ---- Step 1: the history (first run only) --------------------------------- */

struct history_result {
    bool loaded = false;
    int64_t customers = 0, purchases = 0;
};

/* The CDNOW log holds purchases only, while the policy needs addresses,
 * consent and time zones to decide anything. So the example invents a
 * contact record per history customer, deterministic by id: an email
 * address, consent granted by three customers in four (the fourth never
 * answered the opt-in: unknown consent), and a home zone that is New York
 * (the policy's default), Berlin or Tokyo, so that quiet hours in the
 * customer's own zone defer some of the morning's mail. */
void invent_contact_record(libdbm_context *ctx, libdbm_store *store, const std::string &id,
                           int64_t when)
{
    unsigned long n = std::strtoul(id.c_str(), nullptr, 10);
    std::string address = "customer" + id + "@example.com";
    check(ctx, libdbm_store_channel_set_address(store, id.c_str(), "email", address.c_str(), when),
          "set email address of " + id);
    if (n % 4 != 0)
        check(ctx, libdbm_store_consent_record(store, id.c_str(), "email", nullptr,
                                               LIBDBM_CONSENT_GRANTED, when, "cdnow-signup", "v1"),
              "record consent of " + id);
    if (n % 5 == 1)
        check(ctx, libdbm_store_attr_set_string(store, id.c_str(), "timezone", "Europe/Berlin"),
              "set timezone of " + id);
    else if (n % 5 == 2)
        check(ctx, libdbm_store_attr_set_string(store, id.c_str(), "timezone", "Asia/Tokyo"),
              "set timezone of " + id);
}

history_result load_history(libdbm_context *ctx, libdbm_store *store, const std::string &path)
{
    history_result result;
    /* id -> first purchase: the invented sign-up (address, consent) happened then */
    std::map<std::string, int64_t> first_seen;
    std::vector<std::string> lines = lines_of(read_file(path));
    batch b(ctx, store);
    for (size_t i = 0; i < lines.size(); i++) {
        std::string where = path + ":" + std::to_string(i + 1);
        std::istringstream row(lines[i]);
        std::string master, sample, day, cds, dollars, extra;
        if (lines[i].find_first_not_of(" \t") == std::string::npos)
            continue;
        if (!(row >> master >> sample >> day >> cds >> dollars) || (row >> extra))
            throw job_error(exit_input, where + ": expected 'master sample YYYYMMDD cds dollars'");
        std::string id = sample.substr(std::min(sample.find_first_not_of('0'), sample.size() - 1));
        int64_t t = parse_time(day, where);
        char *end = nullptr;
        double amount = std::strtod(dollars.c_str(), &end);
        if (*end != '\0' || !std::isfinite(amount))
            throw job_error(exit_input, where + ": bad amount '" + dollars + "'");
        check(ctx, libdbm_store_purchase_add(store, nullptr, id.c_str(), t, amount, nullptr), where);
        auto seen = first_seen.emplace(id, t).first;
        seen->second = std::min(seen->second, t);
        result.purchases++;
    }
    for (const auto &customer : first_seen)
        invent_contact_record(ctx, store, customer.first, customer.second);
    b.commit();
    result.loaded = true;
    result.customers = static_cast<int64_t>(first_seen.size());
    return result;
}

/* ---- Step 2: the day's feed ----------------------------------------------- */

struct feed_row {
    size_t line;
    std::string customer, transaction;
    int64_t time;
    double amount;
    int added = 0;
};

struct aggregates {
    bool exists = false;
    int64_t purchases = 0, refunds = 0, first = 0, last = 0;
};

struct feed_result {
    std::vector<feed_row> rows;
    int64_t purchases = 0, refunds = 0, duplicates = 0, out_of_order = 0, new_customers = 0;
    std::map<std::string, aggregates> before, after;
};

std::vector<feed_row> parse_feed(const std::string &path)
{
    std::vector<std::string> lines = lines_of(read_file(path));
    std::vector<feed_row> rows;
    if (lines.empty() || csv_fields(lines[0], path + ":1")[0] != "customer_id")
        throw job_error(exit_input, path + ":1: expected the header row "
                                           "customer_id,timestamp,amount,transaction_id");
    for (size_t i = 1; i < lines.size(); i++) {
        std::string where = path + ":" + std::to_string(i + 1);
        if (lines[i].empty())
            continue;
        std::vector<std::string> f = csv_fields(lines[i], where);
        if (f.size() != 3 && f.size() != 4)
            throw job_error(exit_input, where + ": expected 3 or 4 fields, found " +
                                            std::to_string(f.size()));
        if (f[0].empty())
            throw job_error(exit_input, where + ": empty customer_id");
        char *end = nullptr;
        double amount = std::strtod(f[2].c_str(), &end);
        if (f[2].empty() || *end != '\0' || !std::isfinite(amount))
            throw job_error(exit_input, where + ": amount: bad number '" + f[2] + "'");
        feed_row row{i + 1, f[0], f.size() == 4 ? f[3] : std::string(), parse_time(f[1], where),
                     amount};
        rows.push_back(row);
    }
    return rows;
}

aggregates read_aggregates(libdbm_context *ctx, libdbm_store *store, const std::string &id)
{
    aggregates a;
    int exists = 0;
    check(ctx, libdbm_store_profile_exists(store, &exists, id.c_str()), "look up " + id);
    if (!exists)
        return a;
    a.exists = true;
    check(ctx, libdbm_store_aggregate(store, &a.purchases, id.c_str(), LIBDBM_AGG_PURCHASE_COUNT),
          "purchase count of " + id);
    check(ctx, libdbm_store_aggregate(store, &a.refunds, id.c_str(), LIBDBM_AGG_REFUND_COUNT),
          "refund count of " + id);
    if (a.purchases > 0) {
        check(ctx, libdbm_store_aggregate(store, &a.first, id.c_str(), LIBDBM_AGG_FIRST_PURCHASE),
              "first purchase of " + id);
        check(ctx, libdbm_store_aggregate(store, &a.last, id.c_str(), LIBDBM_AGG_LAST_PURCHASE),
              "last purchase of " + id);
    }
    return a;
}

feed_result import_feed(libdbm_context *ctx, libdbm_store *store, const std::string &path)
{
    feed_result result;
    result.rows = parse_feed(path);  /* every row is checked before the store sees one */
    for (const feed_row &row : result.rows)
        result.before.emplace(row.customer, aggregates());
    for (auto &entry : result.before) {
        entry.second = read_aggregates(ctx, store, entry.first);
        result.new_customers += entry.second.exists ? 0 : 1;
    }
    batch b(ctx, store);
    int64_t previous = INT64_MIN;
    for (feed_row &row : result.rows) {
        int status = libdbm_store_purchase_add(store, &row.added, row.customer.c_str(), row.time,
                                               row.amount,
                                               row.transaction.empty() ? nullptr
                                                                       : row.transaction.c_str());
        check(ctx, status, path + ":" + std::to_string(row.line));
        if (!row.added)
            result.duplicates++;
        else if (row.amount < 0)
            result.refunds++;
        else
            result.purchases++;
        result.out_of_order += row.time < previous ? 1 : 0;
        previous = std::max(previous, row.time);
    }
    b.commit();
    for (auto &entry : result.before)
        result.after[entry.first] = read_aggregates(ctx, store, entry.first);
    return result;
}

/* What the store must hold after the feed, computed from the feed alone:
 * a transaction id seen twice counts once, and late rows leave the
 * aggregates an in-order feed would have given. */
void check_feed(const feed_result &feed, self_checks &checks)
{
    std::map<std::pair<std::string, std::string>, int> counted;
    std::map<std::string, aggregates> expected = feed.before;
    for (const feed_row &row : feed.rows) {
        if (!row.transaction.empty())
            counted[{row.customer, row.transaction}] += row.added;
        if (!row.added)
            continue;
        aggregates &a = expected[row.customer];
        if (row.amount < 0) {
            a.refunds++;
            continue;
        }
        a.first = a.purchases > 0 ? std::min(a.first, row.time) : row.time;
        a.last = a.purchases > 0 ? std::max(a.last, row.time) : row.time;
        a.purchases++;
    }
    bool once = std::all_of(counted.begin(), counted.end(),
                            [](const std::pair<const std::pair<std::string, std::string>, int> &c) {
                                return c.second <= 1;
                            });
    checks.expect(once, "every transaction id counted at most once");
    bool same = true;
    for (const auto &entry : expected) {
        const aggregates &want = entry.second, &got = feed.after.at(entry.first);
        same = same && want.purchases == got.purchases && want.refunds == got.refunds &&
               want.first == got.first && want.last == got.last;
    }
    checks.expect(same, "counts, first and last purchase as an in-order feed gives");
    checks.expect(feed.purchases + feed.refunds + feed.duplicates ==
                      static_cast<int64_t>(feed.rows.size()),
                  "every feed row imported or reported as a duplicate");
}

/* ---- Step 3: the models ---------------------------------------------------- */

struct fitted_model {
    model_ptr model;
    std::vector<double> params;
    double log_likelihood = 0, seconds = 0;
    int32_t iterations = 0;
};

fitted_model fit(libdbm_context *ctx, const libdbm_stats *stats, int kind, const char *name)
{
    fitted_model m;
    libdbm_model *raw = nullptr;
    check(ctx, libdbm_model_new(&raw, ctx, kind), std::string("new ") + name + " model");
    m.model.reset(raw);
    check(ctx, libdbm_model_fit(m.model.get(), stats, nullptr), std::string("fit ") + name);
    int32_t count = 0;
    check(ctx, libdbm_model_param_count(m.model.get(), &count), "parameter count");
    m.params.resize(static_cast<size_t>(count));
    check(ctx, libdbm_model_get_params(m.model.get(), m.params.data(), count), "parameters");
    int converged = 0;
    check(ctx, libdbm_model_fit_info(m.model.get(), &m.log_likelihood, &m.iterations, &converged,
                                     &m.seconds),
          "fit information");
    return m;
}

/* ---- Step 4: the scores ----------------------------------------------------- */

scores_ptr compute_scores(libdbm_context *ctx, libdbm_store *store, int64_t now,
                          const fitted_model &freq, const fitted_model &spend, int threads)
{
    libdbm_score_options so = LIBDBM_SCORE_OPTIONS_INIT;
    so.unit = LIBDBM_UNIT_WEEK;
    so.threads = threads;
    libdbm_scores *raw = nullptr;
    check(ctx, libdbm_scores_compute(&raw, store, now, freq.model.get(), spend.model.get(),
                                     nullptr, nullptr, nullptr, &so),
          "compute scores");
    return scores_ptr(raw);
}

struct score_row {
    std::string id, segment;
    int32_t r = 0, f = 0, m = 0;
    double p_alive = 0, expected_purchases = 0, expected_spend = 0, clv = 0;
};

score_row get_score(libdbm_context *ctx, const libdbm_scores *scores, int64_t i)
{
    score_row row;
    const char *id = nullptr, *segment = nullptr;
    check(ctx, libdbm_scores_get(scores, &id, &segment, &row.r, &row.f, &row.m, &row.p_alive,
                                 &row.expected_purchases, &row.expected_spend, &row.clv, i),
          "read score row");
    row.id = id;
    row.segment = segment;
    return row;
}

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool same_row(const score_row &a, const score_row &b)
{
    return a.id == b.id && a.segment == b.segment && a.r == b.r && a.f == b.f && a.m == b.m &&
           same_value(a.p_alive, b.p_alive) &&
           same_value(a.expected_purchases, b.expected_purchases) &&
           same_value(a.expected_spend, b.expected_spend) && same_value(a.clv, b.clv);
}

/* Every profile with a purchase up to now has a score row, the rows do not
 * depend on the thread count, and the written-back attributes read back. */
void check_scores(libdbm_context *ctx, libdbm_store *store, int64_t now,
                  const libdbm_scores *scores, const libdbm_scores *single_threaded,
                  const feed_result &feed, self_checks &checks)
{
    int64_t n = 0, n1 = 0;
    check(ctx, libdbm_scores_count(scores, &n), "score count");
    check(ctx, libdbm_scores_count(single_threaded, &n1), "score count");
    std::unordered_set<std::string> scored;
    bool sane = true, identical = n == n1;
    for (int64_t i = 0; i < n; i++) {
        score_row row = get_score(ctx, scores, i);
        sane = sane && !row.segment.empty() && row.p_alive >= 0 && row.p_alive <= 1 &&
               std::isfinite(row.clv);
        if (identical)
            identical = same_row(row, get_score(ctx, single_threaded, i));
        scored.insert(row.id);
    }
    libdbm_store_cursor *raw = nullptr;
    check(ctx, libdbm_store_cursor_new(&raw, store), "profile cursor");
    cursor_ptr cursor(raw);
    int64_t buyers = 0;
    bool all_scored = true;
    const char *id = nullptr;
    int status;
    while ((status = libdbm_store_cursor_next(cursor.get(), &id)) == LIBDBM_OK) {
        int64_t first = 0;
        if (libdbm_store_aggregate(store, &first, id, LIBDBM_AGG_FIRST_PURCHASE) != LIBDBM_OK ||
            first > now)
            continue;  /* no purchase yet: nothing to score */
        buyers++;
        all_scored = all_scored && scored.count(id) == 1;
    }
    if (status != LIBDBM_ENOTFOUND)
        check(ctx, status, "iterate profiles");
    checks.expect(all_scored && buyers == n, "a score row for every customer with a purchase");
    bool feed_scored = true;
    for (const auto &entry : feed.after)
        feed_scored = feed_scored && (entry.second.purchases == 0 || scored.count(entry.first));
    checks.expect(feed_scored, "today's buyers (new ones too) are scored");
    checks.expect(sane, "P(alive) in [0, 1], a segment and a finite CLV on every row");
    checks.expect(identical, "the same scores on 1 thread as on several");

    bool written = true;
    for (int64_t i = 0; i < n; i += 101) {
        score_row row = get_score(ctx, scores, i);
        double p = -1;
        char *segment = nullptr;
        check(ctx, libdbm_store_attr_get_double(store, &p, row.id.c_str(), "p_alive"), "read p_alive");
        check(ctx, libdbm_store_attr_get_string(store, &segment, row.id.c_str(), "rfm.segment"),
              "read rfm.segment");
        string_ptr owned(segment);
        written = written && p == row.p_alive && row.segment == owned.get();
    }
    checks.expect(written, "the profiles carry the scores written back");
}

/* ---- Step 5: the segments ------------------------------------------------------ */

struct segment_def {
    const char *name, *expression;
};

/* What the campaign team watches every morning (docs/segments.md). */
const segment_def watched_segments[] = {
    {"champions", "rfm.segment == \"Champions\""},
    {"likely_to_buy", "p_alive > 0.8 and expected_purchases >= 1"},
    {"slipping_away", "rfm.segment in (\"At Risk\", \"Can't Lose Them\", \"About To Sleep\")"},
    {"lapsed_big_spenders", "p_alive < 0.3 and monetary > 100"},
    /* Purchases count per UTC day: yesterday and today (docs/segments.md). */
    {"bought_since_yesterday", "purchases(last 2d) >= 1"},
    {"email_reachable", "consent.email and address.email.valid"},
};

struct segment_result {
    std::string name;
    int64_t count = 0;
    members_ptr members;
};

members_ptr combine(libdbm_context *ctx,
                    int (*op)(libdbm_members **, const libdbm_members *, const libdbm_members *),
                    const libdbm_members *a, const libdbm_members *b)
{
    libdbm_members *raw = nullptr;
    check(ctx, op(&raw, a, b), "combine member sets");
    return members_ptr(raw);
}

std::vector<segment_result> refresh_segments(libdbm_context *ctx, libdbm_store *store, int64_t now,
                                             self_checks &checks)
{
    std::vector<segment_result> results;
    bool stable = true, tested = true;
    for (const segment_def &def : watched_segments) {
        libdbm_segment *raw = nullptr;
        check(ctx, libdbm_segment_compile(&raw, ctx, def.expression),
              std::string("segment ") + def.name);
        segment_ptr seg(raw);
        libdbm_members *members = nullptr;
        check(ctx, libdbm_segment_evaluate(&members, seg.get(), store, now), "evaluate segment");
        segment_result r;
        r.name = def.name;
        r.members.reset(members);
        r.count = libdbm_members_count(members);
        int64_t counted = -1;
        check(ctx, libdbm_segment_count(&counted, seg.get(), store, now), "count segment");
        libdbm_members *again = nullptr;
        check(ctx, libdbm_segment_evaluate(&again, seg.get(), store, now), "evaluate segment");
        members_ptr second(again);
        stable = stable && counted == r.count && libdbm_members_count(again) == r.count;
        /* The per-customer test (the point-of-sale path) agrees with the
         * columnar evaluation on the first members. */
        int64_t slot = -1;
        for (int k = 0; k < 5 && libdbm_members_next(members, &slot) == LIBDBM_OK; k++) {
            char *id = nullptr;
            check(ctx, libdbm_members_id(members, &id, store, slot), "member id");
            string_ptr owned(id);
            int member = 0;
            check(ctx, libdbm_segment_test(&member, seg.get(), store, id, now), "test member");
            tested = tested && member == 1;
        }
        results.push_back(std::move(r));
    }
    checks.expect(stable, "segment counts equal on a second evaluation and by count()");
    checks.expect(tested, "single-customer tests agree with the evaluation");
    /* Set algebra over two overlapping audiences: who is likely to buy and
     * who may be emailed. */
    const segment_result &a = results[1], &b = results.back();
    int64_t both = libdbm_members_count(combine(ctx, libdbm_members_and, a.members.get(),
                                                b.members.get()).get());
    int64_t either = libdbm_members_count(combine(ctx, libdbm_members_or, a.members.get(),
                                                  b.members.get()).get());
    int64_t only_a = libdbm_members_count(combine(ctx, libdbm_members_minus, a.members.get(),
                                                  b.members.get()).get());
    checks.expect(either == a.count + b.count - both && only_a == a.count - both,
                  "and / or / minus of two segments add up");
    return results;
}

/* ---- Step 6: the campaigns -------------------------------------------------------- */

struct stage_counts {
    std::string stage;
    int64_t due = 0, allowed = 0, deferred = 0, denied = 0;
    std::map<std::string, int64_t> denied_by;
};

struct campaign_report {
    int64_t entered_treated = 0, entered_holdout = 0;
    std::vector<stage_counts> stages;
};

/* Reads the library's CSV measurement (campaign,stage,metric,value). */
campaign_report read_report(libdbm_context *ctx, libdbm_campaign_scheduler *scheduler)
{
    char *raw = nullptr;
    check(ctx, libdbm_campaign_report(scheduler, &raw, LIBDBM_CAMPAIGN_REPORT_CSV), "campaign report");
    string_ptr text(raw);
    campaign_report report;
    std::vector<std::string> lines = lines_of(text.get());
    for (size_t i = 1; i < lines.size(); i++) {
        std::vector<std::string> f = csv_fields(lines[i], "campaign report");
        if (f.size() != 4)
            continue;
        int64_t value = f[3].empty() ? 0 : std::strtoll(f[3].c_str(), nullptr, 10);
        if (f[1].empty()) {
            if (f[2] == "entered_treated")
                report.entered_treated = value;
            else if (f[2] == "entered_holdout")
                report.entered_holdout = value;
            continue;
        }
        if (report.stages.empty() || report.stages.back().stage != f[1]) {
            report.stages.emplace_back();
            report.stages.back().stage = f[1];
        }
        stage_counts &s = report.stages.back();
        if (f[2] == "due")
            s.due = value;
        else if (f[2] == "allowed")
            s.allowed = value;
        else if (f[2] == "deferred")
            s.deferred = value;
        else if (f[2] == "denied")
            s.denied = value;
        else if (f[2].compare(0, 10, "denied_by_") == 0)
            s.denied_by[f[2].substr(10)] = value;
    }
    return report;
}

int64_t total_allowed(const campaign_report &r)
{
    int64_t n = 0;
    for (const stage_counts &s : r.stages)
        n += s.allowed;
    return n;
}

struct campaign_result {
    std::string name;
    int64_t entered = 0, handed_out = 0, redelivered = 0;
    campaign_report report;
};

/* The host's side of an action: here it goes to the outbox file the mail
 * house picks up. Returns whether it is one we had not seen this run. */
struct action_sink {
    std::ofstream outbox;
    std::unordered_set<std::string> seen;
};

int64_t take_actions(libdbm_context *ctx, libdbm_campaign_scheduler *scheduler, int64_t now,
                     action_sink &sink, int64_t &redelivered, bool &unique)
{
    libdbm_campaign_actions *raw = nullptr;
    check(ctx, libdbm_campaign_due(scheduler, &raw, now), "campaign due");
    actions_ptr actions(raw);
    int64_t n = libdbm_campaign_actions_count(actions.get());
    for (int64_t i = 0; i < n; i++) {
        const char *id = nullptr, *customer = nullptr, *channel = nullptr, *content = nullptr;
        int32_t stage = 0;
        int redelivery = 0;
        check(ctx, libdbm_campaign_action_get(actions.get(), i, &id, &customer, &stage, &channel,
                                              &content, &redelivery),
              "read action");
        unique = sink.seen.insert(id).second && unique;
        redelivered += redelivery;
        if (sink.outbox.is_open())
            sink.outbox << csv_quote(id) << ',' << csv_quote(customer) << ',' << stage << ','
                        << channel << ',' << content << ',' << redelivery << '\n';
        /* Acknowledge at once: an action without an outcome is handed out
         * again (same id) by the next run's first due(). */
        check(ctx, libdbm_campaign_record_outcome(scheduler, id, LIBDBM_OUTCOME_SENT, now),
              std::string("record outcome of ") + id);
    }
    if (sink.outbox.is_open() && !sink.outbox.flush())
        throw job_error(exit_store, "cannot write the outbox");
    return n;
}

struct loaded_campaign {
    std::string name;
    campaign_ptr campaign;
};

loaded_campaign load_campaign(libdbm_context *ctx, const std::string &path)
{
    loaded_campaign loaded;
    libdbm_campaign *raw = nullptr;
    check(ctx, libdbm_campaign_parse(&raw, ctx, read_file(path).c_str()), path);
    loaded.campaign.reset(raw);
    char *canonical = nullptr;
    check(ctx, libdbm_campaign_to_string(loaded.campaign.get(), &canonical), "campaign text");
    string_ptr canonical_text(canonical);
    std::istringstream words(canonical_text.get());
    std::string keyword;
    words >> keyword >> loaded.name;  /* the canonical text opens with "campaign NAME" */
    if (keyword != "campaign")
        loaded.name = path;
    return loaded;
}

/* The campaign must outlive its schedulers: they are all freed here, the
 * definition later by its owner. */
campaign_result run_campaign(libdbm_context *ctx, libdbm_store *store, const libdbm_policy *policy,
                             const loaded_campaign &loaded, int64_t now, action_sink &sink,
                             self_checks &checks)
{
    campaign_result result;
    const libdbm_campaign *campaign = loaded.campaign.get();
    result.name = loaded.name;
    libdbm_campaign_scheduler *rs = nullptr;
    check(ctx, libdbm_campaign_scheduler_new(&rs, campaign, store, policy), "scheduler");
    scheduler_ptr scheduler(rs);
    int64_t allowed_before = total_allowed(read_report(ctx, scheduler.get()));
    check(ctx, libdbm_campaign_enter_segment(scheduler.get(), &result.entered, now), "enter segment");
    bool unique = true;
    size_t seen_before = sink.seen.size();
    result.handed_out = take_actions(ctx, scheduler.get(), now, sink, result.redelivered, unique);
    int64_t new_ids = static_cast<int64_t>(sink.seen.size() - seen_before);
    /* A second call at the same time must hand out nothing new ... */
    int64_t ignored = 0;
    int64_t again = take_actions(ctx, scheduler.get(), now, sink, ignored, unique);
    /* ... and neither may a restarted scheduler, every action being acknowledged. */
    scheduler.reset();
    check(ctx, libdbm_campaign_scheduler_new(&rs, campaign, store, policy), "scheduler");
    scheduler.reset(rs);
    int64_t after_restart = take_actions(ctx, scheduler.get(), now, sink, ignored, unique);
    result.report = read_report(ctx, scheduler.get());

    checks.expect(unique && again == 0 && after_restart == 0,
                  result.name + ": no action id handed out twice");
    checks.expect(new_ids == result.handed_out - result.redelivered &&
                      total_allowed(result.report) - allowed_before ==
                          result.handed_out - result.redelivered,
                  result.name + ": handed out = issued in the measurement");
    return result;
}

/* ---- The summary ------------------------------------------------------------------ */

void print_model(const char *name, const char *const *param_names, const fitted_model &m)
{
    std::printf("  %-12s", name);
    for (size_t i = 0; i < m.params.size(); i++)
        std::printf(" %s=%.4f", param_names[i], m.params[i]);
    std::printf("  LL=%.2f (%d iterations)\n", m.log_likelihood, static_cast<int>(m.iterations));
}

int run(const options &opt)
{
    std::vector<std::pair<std::string, double>> timings;
    auto timed = [&timings](const std::string &step, const std::function<void()> &work) {
        stopwatch watch;
        work();
        timings.emplace_back(step, watch.seconds());
    };
    self_checks checks;

    libdbm_context *rc = nullptr;
    int status = libdbm_context_new(&rc, nullptr);
    if (status != LIBDBM_OK)
        throw job_error(exit_store, std::string("context: ") + libdbm_strerror(status));
    context_ptr ctx(rc);  /* first created, so destroyed after everything below */
    libdbm_context *c = ctx.get();

    /* The policy and the campaigns are read before the store is touched, so
     * a definition that does not parse stops the night before any write. */
    policy_ptr policy;
    if (!opt.policy.empty()) {
        libdbm_policy *rp = nullptr;
        check(c, libdbm_policy_parse(&rp, c, read_file(opt.policy).c_str()), opt.policy);
        policy.reset(rp);
    }
    std::vector<loaded_campaign> definitions;
    for (const std::string &path : opt.campaigns)
        definitions.push_back(load_campaign(c, path));

    store_ptr store;  /* after the policy and campaigns: closed before they are freed */
    int64_t customers_before = 0;
    timed("open store", [&] {
        libdbm_store *rs = nullptr;
        check_store_open(c, libdbm_store_open(&rs, c, opt.store.c_str(), nullptr),
                         "open store " + opt.store);
        store.reset(rs);
        check(c, libdbm_store_profile_count(store.get(), &customers_before), "count profiles");
    });
    std::printf("crm-nightly: libdbm %s, store %s (%s), now %s\n", libdbm_version(),
                opt.store.c_str(), customers_before ? "reopened" : "new",
                format_time(opt.now).c_str());

    history_result history;
    if (!opt.history.empty() && customers_before == 0) {
        timed("load history", [&] { history = load_history(c, store.get(), opt.history); });
        int64_t loaded = 0;
        check(c, libdbm_store_profile_count(store.get(), &loaded), "count profiles");
        std::printf("history:\n");
        checks.expect(loaded == history.customers, "one profile per customer of the history");
    }

    feed_result feed;
    timed("import feed", [&] { feed = import_feed(c, store.get(), opt.feed); });
    std::printf("feed:\n");
    check_feed(feed, checks);

    int64_t customers = 0;
    check(c, libdbm_store_profile_count(store.get(), &customers), "count profiles");

    fitted_model bgnbd, spend;
    int64_t summarised = 0, groups = 0;
    timed("fit models", [&] {
        libdbm_summary *rs = nullptr;
        check(c, libdbm_summary_new(&rs, store.get(), opt.now, LIBDBM_UNIT_WEEK), "summary");
        summary_ptr summary(rs);
        libdbm_stats *rst = nullptr;
        check(c, libdbm_stats_new(&rst, c), "stats");
        stats_ptr stats(rst);
        check(c, libdbm_summary_add_to_stats(summary.get(), stats.get()), "summary to stats");
        check(c, libdbm_summary_count(summary.get(), &summarised), "summary count");
        check(c, libdbm_stats_rows(stats.get(), &groups), "stats rows");
        bgnbd = fit(c, stats.get(), LIBDBM_MODEL_BGNBD, "BG/NBD");
        spend = fit(c, stats.get(), LIBDBM_MODEL_GAMMA_GAMMA, "Gamma-Gamma");
    });

    scores_ptr scores, single_threaded;
    int64_t scored = 0;
    timed("score (" + std::to_string(opt.threads) + " threads)", [&] {
        scores = compute_scores(c, store.get(), opt.now, bgnbd, spend, opt.threads);
        check(c, libdbm_scores_count(scores.get(), &scored), "score count");
    });
    timed("write scores back", [&] {
        check(c, libdbm_scores_write_back(scores.get(), store.get()), "write scores back");
    });
    std::printf("scores:\n");
    single_threaded = compute_scores(c, store.get(), opt.now, bgnbd, spend, 1);
    check_scores(c, store.get(), opt.now, scores.get(), single_threaded.get(), feed, checks);

    std::vector<segment_result> segments;
    std::printf("segments:\n");
    timed("segments", [&] { segments = refresh_segments(c, store.get(), opt.now, checks); });

    action_sink sink;
    if (!opt.outbox.empty()) {
        sink.outbox.open(opt.outbox, std::ios::app);
        if (!sink.outbox)
            throw job_error(exit_store, "cannot open the outbox " + opt.outbox + ": " +
                                            std::strerror(errno));
    }
    std::vector<campaign_result> campaigns;
    std::printf("campaigns:\n");
    for (const loaded_campaign &loaded : definitions)
        timed("campaign " + loaded.name, [&] {
            campaigns.push_back(run_campaign(c, store.get(), policy.get(), loaded, opt.now, sink,
                                             checks));
        });

    /* A nightly checkpoint keeps the log (and the next open's replay) short. */
    timed("checkpoint", [&] { check(c, libdbm_store_checkpoint(store.get()), "checkpoint"); });
    check(c, libdbm_store_close(store.release()), "close store");

    static const char *const bgnbd_names[] = {"r", "alpha", "a", "b"};
    static const char *const gg_names[] = {"p", "q", "gamma"};
    std::printf("\nsummary\n");
    if (history.loaded)
        std::printf("  history      %lld purchases of %lld customers from %s\n",
                    (long long)history.purchases, (long long)history.customers,
                    opt.history.c_str());
    std::printf("  feed         %s: %zu rows\n", opt.feed.c_str(), feed.rows.size());
    std::printf("    purchases imported %lld, refunds imported %lld, duplicates ignored %lld, "
                "rows out of order %lld, new customers %lld\n",
                (long long)feed.purchases, (long long)feed.refunds, (long long)feed.duplicates,
                (long long)feed.out_of_order, (long long)feed.new_customers);
    std::printf("  customers    %lld (%lld before tonight)\n", (long long)customers,
                (long long)customers_before);
    std::printf("  fit          on %lld customers in %lld (x, t_x, T) groups, weeks, as of %s\n",
                (long long)summarised, (long long)groups, format_time(opt.now).c_str());
    print_model("BG/NBD", bgnbd_names, bgnbd);
    print_model("Gamma-Gamma", gg_names, spend);
    std::printf("  scores       %lld rows, written back\n", (long long)scored);
    std::printf("  segments\n");
    for (const segment_result &s : segments)
        std::printf("    %-30s %8lld\n", s.name.c_str(), (long long)s.count);
    for (const campaign_result &r : campaigns) {
        std::printf("  campaign     %s: %lld entered tonight (%lld treated, %lld holdout in all), "
                    "%lld actions handed out (%lld redelivered)\n",
                    r.name.c_str(), (long long)r.entered, (long long)r.report.entered_treated,
                    (long long)r.report.entered_holdout, (long long)r.handed_out,
                    (long long)r.redelivered);
        for (const stage_counts &s : r.report.stages) {
            std::printf("    %-20s due %6lld  allowed %6lld  deferred %6lld  denied %6lld",
                        s.stage.c_str(), (long long)s.due, (long long)s.allowed,
                        (long long)s.deferred, (long long)s.denied);
            for (const auto &rule : s.denied_by)
                std::printf("  %s %lld", rule.first.c_str(), (long long)rule.second);
            std::printf("\n");
        }
    }
    std::printf("  seconds\n");
    double total = 0;
    for (const auto &t : timings) {
        std::printf("    %-30s %8.3f\n", t.first.c_str(), t.second);
        total += t.second;
    }
    std::printf("    %-30s %8.3f\n", "total", total);
    std::printf("  self-checks  %d passed, %d failed\n", checks.passed(), checks.failed());
    return checks.failed() ? exit_self_check : 0;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        return run(parse_options(argc, argv));
    } catch (const job_error &e) {
        std::fprintf(stderr, "crm-nightly: %s\n", e.what());
        return e.exit_status();
    } catch (const std::exception &e) {  /* std::bad_alloc and the like */
        std::fprintf(stderr, "crm-nightly: %s\n", e.what());
        return exit_store;
    }
}
