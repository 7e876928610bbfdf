/*
 * fern_test.c: the C test suite of Fern's C interface (fern.h).
 *
 *   fern_test FIXTURE_DIR                  every check
 *   fern_test --engine-free FIXTURE_DIR    only checks that build no Wasm engine (for valgrind)
 *   fern_test --probe-engine FIXTURE_DIR   exit 0 when an executor can be created here
 *
 * FIXTURE_DIR is what `cargo run --release -p fern_ffi --example fixture -- FIXTURE_DIR` wrote:
 * cases.txt naming one directory per case, each with blocks.bin (the pre-state) and case.txt
 * (settings, chain answers, messages, and the results Fern's Rust API gave for them).
 *
 * The suite replays every case through the C interface with a host written in C (host.c) and
 * compares every field of every result with the Rust API's; then checks the library
 * description, engine sharing between executors, tracing off, FERN_FLAG_FLUSH_ALL_BLOCKS, the
 * documented status of every error path (NULL pointers, bad configurations, bad messages,
 * missing blocks, failing or absent callbacks, failing flushes, BUSY, POISONED), executors
 * running in parallel, and that every buffer crossing the boundary is released exactly once.
 * It prints one PASS/FAIL line per check and a summary line; the exit status is 0 only when
 * every check passed.
 */

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fern.h"
#include "host.h"

/* ---------------------------------------------------------------------------------------- */
/* Reporting.                                                                                 */

static int passed, failed;

/* --engine-free: only the checks that never build a Wasm engine (for valgrind, which cannot
 * host one: see run-c-tests.sh). */
static bool engine_free;

/* Records one check; `why` says what differed (ignored when ok). */
static bool check(bool ok, const char *why, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs(ok ? "PASS " : "FAIL ", stdout);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    if (!ok && why != NULL && why[0] != '\0') {
        printf(": %s", why);
    }
    putchar('\n');
    fflush(stdout);
    if (ok) {
        passed++;
    } else {
        failed++;
    }
    return ok;
}

/* Appends to a fixed-size explanation buffer. */
static void why_add(char *why, size_t cap, const char *fmt, ...) {
    size_t used = strlen(why);
    if (used + 1 >= cap) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + used, cap - used, fmt, ap);
    va_end(ap);
}

static const char *status_name(FernStatus s) {
    switch (s) {
    case FERN_STATUS_OK: return "OK";
    case FERN_STATUS_NULL_POINTER: return "NULL_POINTER";
    case FERN_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case FERN_STATUS_UNSUPPORTED_NETWORK_VERSION: return "UNSUPPORTED_NETWORK_VERSION";
    case FERN_STATUS_INVALID_MESSAGE: return "INVALID_MESSAGE";
    case FERN_STATUS_MISSING_BLOCK: return "MISSING_BLOCK";
    case FERN_STATUS_HOST_FAILURE: return "HOST_FAILURE";
    case FERN_STATUS_FATAL: return "FATAL";
    case FERN_STATUS_BUSY: return "BUSY";
    case FERN_STATUS_POISONED: return "POISONED";
    case FERN_STATUS_PANIC: return "PANIC";
    default: return "(unknown status)";
    }
}

/* Checks that a failing call gave `want` and an error message; frees the message. When
 * `contains` is not NULL the message must contain it. */
static bool check_failure(FernStatus got, FernStatus want, char *error, const char *contains,
                          const char *name) {
    char why[512] = "";
    bool ok = true;
    if (got != want) {
        why_add(why, sizeof why, "status %s, want %s", status_name(got), status_name(want));
        ok = false;
    }
    if (error == NULL) {
        why_add(why, sizeof why, "%sno error message", ok ? "" : "; ");
        ok = false;
    } else if (contains != NULL && strstr(error, contains) == NULL) {
        why_add(why, sizeof why, "%serror message lacks \"%s\"", ok ? "" : "; ", contains);
        ok = false;
    }
    if (!ok && error != NULL) {
        why_add(why, sizeof why, " (message: %.200s)", error);
    }
    fern_string_free(error);
    return check(ok, why, "%s -> %s", name, status_name(want));
}

/* Checks that a call succeeded; on failure shows and frees its error message. */
static bool check_ok(FernStatus got, char *error, const char *fmt, ...) {
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    char why[512] = "";
    bool ok = got == FERN_STATUS_OK && error == NULL;
    if (!ok) {
        why_add(why, sizeof why, "status %s, error %.400s", status_name(got),
                error ? error : "(none)");
    }
    fern_string_free(error);
    return check(ok, why, "%s", name);
}

/* Creates an executor that must end in `want` (with an error message containing `contains`,
 * when not NULL), records the check as `name`, and frees whatever was created. */
static void expect_new(const FernExecutorConfig *cfg, const FernHostCallbacks *cb,
                       FernStatus want, const char *contains, const char *name) {
    FernExecutor *ex = NULL;
    char *error = NULL;
    FernStatus st = fern_executor_new(cfg, cb, &ex, &error);
    if (want == FERN_STATUS_OK) {
        check_ok(st, error, "%s", name);
    } else {
        check_failure(st, want, error, contains, name);
    }
    fern_executor_free(ex);
}

/* ---------------------------------------------------------------------------------------- */
/* The fixture.                                                                               */

typedef struct {
    uint32_t exit_code;
    uint64_t gas_used;
    bytes_t return_data;
    uint64_t return_codec;
    bytes_t events_root, events, penalty, miner_tip, base_fee_burn, over_estimation_burn, refund;
    uint64_t gas_refund, gas_burned;
    bytes_t trace;
} expect_t;

typedef struct {
    bytes_t bytes;
    size_t chain_len;
} msg_t;

typedef struct {
    char name[200];
    char blocks_path[1200];
    uint32_t nv;
    int64_t epoch;
    uint64_t timestamp;
    bytes_t base_fee, circ_supply, state_root, manifest, root;
    uint32_t flags;
    answer_t *answers;
    size_t answer_count;
    msg_t *msgs;
    size_t msg_count;
    expect_t *expects;
    size_t expect_count;
} case_t;

static void *grow_array(void *array, size_t *cap, size_t len, size_t size) {
    if (len < *cap) {
        return array;
    }
    *cap = *cap ? *cap * 2 : 8;
    void *grown = realloc(array, *cap * size);
    if (grown == NULL) {
        abort();
    }
    return grown;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    for (;;) {
        if (text == NULL) {
            abort();
        }
        len += fread(text + len, 1, cap - len - 1, f);
        if (len < cap - 1) {
            break;
        }
        cap *= 2;
        text = realloc(text, cap);
    }
    text[len] = '\0';
    fclose(f);
    return text;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes lowercase hex ("-" for empty). */
static bool parse_hex(const char *s, bytes_t *out) {
    out->data = NULL;
    out->len = 0;
    if (strcmp(s, "-") == 0) {
        return true;
    }
    size_t n = strlen(s);
    if (n % 2 != 0) {
        return false;
    }
    if (n == 0) {
        return true;
    }
    out->data = malloc(n / 2);
    if (out->data == NULL) {
        abort();
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out->data);
            out->data = NULL;
            return false;
        }
        out->data[i] = (uint8_t)(hi << 4 | lo);
    }
    out->len = n / 2;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    if (s == NULL || *s == '\0' || *s == '-') return false;
    *out = strtoull(s, &end, 10);
    return *end == '\0';
}

static bool parse_i64(const char *s, int64_t *out) {
    char *end;
    if (s == NULL || *s == '\0') return false;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* Splits a line at spaces, in place; returns the number of fields (at most max). */
static size_t split(char *line, char **fields, size_t max) {
    size_t n = 0;
    char *p = line;
    while (*p != '\0' && n < max) {
        while (*p == ' ') p++;
        if (*p == '\0') break;
        fields[n++] = p;
        while (*p != '\0' && *p != ' ') p++;
        if (*p == ' ') *p++ = '\0';
    }
    return n;
}

static bool parse_expect(char **fields, size_t n, expect_t *e) {
    memset(e, 0, sizeof *e);
    unsigned seen = 0;
    for (size_t i = 1; i < n; i++) {
        char *eq = strchr(fields[i], '=');
        if (eq == NULL) return false;
        *eq = '\0';
        const char *k = fields[i], *v = eq + 1;
        uint64_t u = 0;
        bool ok;
        if (strcmp(k, "exit") == 0) { ok = parse_u64(v, &u); e->exit_code = (uint32_t)u; seen |= 1u << 0; }
        else if (strcmp(k, "gas_used") == 0) { ok = parse_u64(v, &e->gas_used); seen |= 1u << 1; }
        else if (strcmp(k, "return") == 0) { ok = parse_hex(v, &e->return_data); seen |= 1u << 2; }
        else if (strcmp(k, "codec") == 0) { ok = parse_u64(v, &e->return_codec); seen |= 1u << 3; }
        else if (strcmp(k, "events_root") == 0) { ok = parse_hex(v, &e->events_root); seen |= 1u << 4; }
        else if (strcmp(k, "events") == 0) { ok = parse_hex(v, &e->events); seen |= 1u << 5; }
        else if (strcmp(k, "penalty") == 0) { ok = parse_hex(v, &e->penalty); seen |= 1u << 6; }
        else if (strcmp(k, "miner_tip") == 0) { ok = parse_hex(v, &e->miner_tip); seen |= 1u << 7; }
        else if (strcmp(k, "base_fee_burn") == 0) { ok = parse_hex(v, &e->base_fee_burn); seen |= 1u << 8; }
        else if (strcmp(k, "over_estimation_burn") == 0) { ok = parse_hex(v, &e->over_estimation_burn); seen |= 1u << 9; }
        else if (strcmp(k, "refund") == 0) { ok = parse_hex(v, &e->refund); seen |= 1u << 10; }
        else if (strcmp(k, "gas_refund") == 0) { ok = parse_u64(v, &e->gas_refund); seen |= 1u << 11; }
        else if (strcmp(k, "gas_burned") == 0) { ok = parse_u64(v, &e->gas_burned); seen |= 1u << 12; }
        else if (strcmp(k, "trace") == 0) { ok = parse_hex(v, &e->trace); seen |= 1u << 13; }
        else ok = false;
        if (!ok) return false;
    }
    return seen == (1u << 14) - 1;
}

static void free_expect(expect_t *e) {
    free(e->return_data.data);
    free(e->events_root.data);
    free(e->events.data);
    free(e->penalty.data);
    free(e->miner_tip.data);
    free(e->base_fee_burn.data);
    free(e->over_estimation_burn.data);
    free(e->refund.data);
    free(e->trace.data);
}

static void free_case(case_t *c) {
    free(c->base_fee.data);
    free(c->circ_supply.data);
    free(c->state_root.data);
    free(c->manifest.data);
    free(c->root.data);
    for (size_t i = 0; i < c->answer_count; i++) free(c->answers[i].answer.data);
    free(c->answers);
    for (size_t i = 0; i < c->msg_count; i++) free(c->msgs[i].bytes.data);
    free(c->msgs);
    for (size_t i = 0; i < c->expect_count; i++) free_expect(&c->expects[i]);
    free(c->expects);
    memset(c, 0, sizeof *c);
}

/* Reads DIR/NAME/case.txt. On failure writes why. */
static bool load_case(const char *dir, const char *name, case_t *c, char *why, size_t cap) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->blocks_path, sizeof c->blocks_path, "%s/%s/blocks.bin", dir, name);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/case.txt", dir, name);
    char *text = read_text(path);
    if (text == NULL) {
        why_add(why, cap, "cannot read %s", path);
        return false;
    }
    size_t answer_cap = 0, msg_cap = 0, expect_cap = 0;
    bool ok = true, have_root = false, have_state_root = false, have_nv = false;
    char *line = text;
    size_t line_no = 0;
    while (ok && line != NULL && *line != '\0') {
        char *next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        line_no++;
        char *f[20];
        size_t n = split(line, f, 20);
        uint64_t u = 0;
        if (n == 0) {
            /* blank line */
        } else if (strcmp(f[0], "nv") == 0 && n == 2) {
            ok = parse_u64(f[1], &u);
            c->nv = (uint32_t)u;
            have_nv = true;
        } else if (strcmp(f[0], "epoch") == 0 && n == 2) {
            ok = parse_i64(f[1], &c->epoch);
        } else if (strcmp(f[0], "timestamp") == 0 && n == 2) {
            ok = parse_u64(f[1], &c->timestamp);
        } else if (strcmp(f[0], "base_fee") == 0 && n == 2) {
            ok = parse_hex(f[1], &c->base_fee);
        } else if (strcmp(f[0], "circ_supply") == 0 && n == 2) {
            ok = parse_hex(f[1], &c->circ_supply);
        } else if (strcmp(f[0], "state_root") == 0 && n == 2) {
            ok = parse_hex(f[1], &c->state_root);
            have_state_root = true;
        } else if (strcmp(f[0], "manifest") == 0 && n == 2) {
            ok = parse_hex(f[1], &c->manifest);
        } else if (strcmp(f[0], "flags") == 0 && n == 2) {
            ok = parse_u64(f[1], &u);
            c->flags = (uint32_t)u;
        } else if ((strcmp(f[0], "rand") == 0 && n == 4) || (strcmp(f[0], "tipset") == 0 && n == 3)) {
            c->answers = grow_array(c->answers, &answer_cap, c->answer_count, sizeof(answer_t));
            answer_t *a = &c->answers[c->answer_count];
            bool tipset = f[0][0] == 't';
            a->kind = tipset ? 't' : (strcmp(f[1], "chain") == 0 ? 'c' : 'b');
            ok = (tipset || strcmp(f[1], "chain") == 0 || strcmp(f[1], "beacon") == 0) &&
                 parse_i64(f[tipset ? 1 : 2], &a->epoch) && parse_hex(f[tipset ? 2 : 3], &a->answer);
            if (ok) c->answer_count++;
        } else if (strcmp(f[0], "msg") == 0 && n == 3) {
            c->msgs = grow_array(c->msgs, &msg_cap, c->msg_count, sizeof(msg_t));
            msg_t *m = &c->msgs[c->msg_count];
            ok = parse_hex(f[1], &m->bytes) && parse_u64(f[2], &u);
            m->chain_len = (size_t)u;
            if (ok) c->msg_count++;
        } else if (strcmp(f[0], "expect") == 0) {
            c->expects = grow_array(c->expects, &expect_cap, c->expect_count, sizeof(expect_t));
            ok = parse_expect(f, n, &c->expects[c->expect_count]);
            if (ok) c->expect_count++;
            else free_expect(&c->expects[c->expect_count]);
        } else if (strcmp(f[0], "root") == 0 && n == 2) {
            ok = parse_hex(f[1], &c->root);
            have_root = true;
        } else {
            ok = false;
        }
        if (!ok) why_add(why, cap, "%s line %zu is malformed", path, line_no);
        line = next;
    }
    free(text);
    if (ok && !(have_nv && have_state_root && have_root && c->msg_count > 0 &&
                c->msg_count == c->expect_count)) {
        why_add(why, cap, "%s lacks nv/state_root/root or msg and expect lines do not pair up",
                path);
        ok = false;
    }
    if (!ok) free_case(c);
    return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers over the library.                                                                  */

static FernSlice slice_of(const bytes_t *b) {
    FernSlice s = {b->data, b->len};
    return s;
}

static FernExecutorConfig config_of(const case_t *c) {
    FernExecutorConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.network_version = c->nv;
    cfg.epoch = c->epoch;
    cfg.timestamp = c->timestamp;
    cfg.chain_id = 0; /* the fixture's runs use NetworkConfig's default chain id */
    cfg.base_fee = slice_of(&c->base_fee);
    cfg.circulating_supply = slice_of(&c->circ_supply);
    cfg.state_root = slice_of(&c->state_root);
    cfg.flags = c->flags;
    cfg.manifest = slice_of(&c->manifest);
    cfg.actor_redirect = NULL;
    cfg.actor_redirect_len = 0;
    cfg.module_cache_dir = NULL;
    return cfg;
}

/* A host loaded with a case's pre-state. */
static bool host_for_case(host_t *h, const case_t *c) {
    host_init(h, c->answers, c->answer_count);
    size_t n = 0;
    bool ok = store_load_file(&h->store, c->blocks_path, &n) && n > 0;
    if (!ok) {
        check(false, "cannot read the blocks", "%s: load %s", c->name, c->blocks_path);
    }
    return ok;
}

static void show_hex(char *why, size_t cap, const uint8_t *p, size_t n) {
    if (n == 0) {
        why_add(why, cap, "-");
        return;
    }
    size_t shown = n < 40 ? n : 40;
    for (size_t i = 0; i < shown; i++) why_add(why, cap, "%02x", p[i]);
    if (shown < n) why_add(why, cap, "...(%zu bytes)", n);
}

static bool same_bytes(const FernBuffer *got, const bytes_t *want, const char *field, char *why,
                       size_t cap) {
    bool ok = got->len == want->len &&
              (got->len == 0 || (got->data != NULL && memcmp(got->data, want->data, got->len) == 0));
    if (ok && got->len == 0 && got->data != NULL) {
        ok = false; /* an empty buffer must be (NULL, 0) */
    }
    if (!ok) {
        why_add(why, cap, "%s%s: got ", why[0] ? "; " : "", field);
        show_hex(why, cap, got->data, got->len);
        why_add(why, cap, " want ");
        show_hex(why, cap, want->data, want->len);
    }
    return ok;
}

static bool same_u64(uint64_t got, uint64_t want, const char *field, char *why, size_t cap) {
    if (got != want) {
        why_add(why, cap, "%s%s: got %" PRIu64 " want %" PRIu64, why[0] ? "; " : "", field, got,
                want);
    }
    return got == want;
}

/* Compares every field of a result with the fixture's expectation. With `with_trace` false
 * the trace must be empty instead (an executor without tracing). */
static bool same_result(const FernApplyResult *r, const expect_t *e, bool with_trace, char *why,
                        size_t cap) {
    bool ok = true;
    ok &= same_u64(r->exit_code, e->exit_code, "exit_code", why, cap);
    ok &= same_u64(r->gas_used, e->gas_used, "gas_used", why, cap);
    ok &= same_bytes(&r->return_data, &e->return_data, "return_data", why, cap);
    ok &= same_u64(r->return_codec, e->return_codec, "return_codec", why, cap);
    ok &= same_bytes(&r->events_root, &e->events_root, "events_root", why, cap);
    ok &= same_bytes(&r->events, &e->events, "events", why, cap);
    ok &= same_bytes(&r->penalty, &e->penalty, "penalty", why, cap);
    ok &= same_bytes(&r->miner_tip, &e->miner_tip, "miner_tip", why, cap);
    ok &= same_bytes(&r->base_fee_burn, &e->base_fee_burn, "base_fee_burn", why, cap);
    ok &= same_bytes(&r->over_estimation_burn, &e->over_estimation_burn, "over_estimation_burn",
                     why, cap);
    ok &= same_bytes(&r->refund, &e->refund, "refund", why, cap);
    ok &= same_u64(r->gas_refund, e->gas_refund, "gas_refund", why, cap);
    ok &= same_u64(r->gas_burned, e->gas_burned, "gas_burned", why, cap);
    bytes_t empty = {NULL, 0};
    ok &= same_bytes(&r->exec_trace, with_trace ? &e->trace : &empty, "exec_trace", why, cap);
    /* failure_info: text for people, not compared; only a successful message has none. */
    if (e->exit_code == 0 && r->failure_info != NULL) {
        why_add(why, cap, "%sfailure_info set on a successful message: %.100s",
                why[0] ? "; " : "", r->failure_info);
        ok = false;
    }
    return ok;
}

/* Applies message i of c (explicit) and checks its result. */
static bool apply_and_check(const FernExecutor *ex, const case_t *c, size_t i, bool with_trace,
                            const char *label) {
    FernApplyResult *r = NULL;
    char *error = NULL;
    const msg_t *m = &c->msgs[i];
    FernStatus st = fern_executor_apply(ex, m->bytes.data, m->bytes.len, FERN_APPLY_EXPLICIT,
                                        m->chain_len, &r, &error);
    char why[2048] = "";
    bool ok;
    if (st != FERN_STATUS_OK || r == NULL) {
        why_add(why, sizeof why, "apply returned %s (%.300s)", status_name(st),
                error ? error : "no message");
        ok = false;
    } else {
        ok = error == NULL;
        if (!ok) why_add(why, sizeof why, "error message set on success");
        ok &= same_result(r, &c->expects[i], with_trace, why, sizeof why);
    }
    fern_string_free(error);
    fern_apply_result_free(r);
    return check(ok, why, "%s: %s msg %zu (exit %u, gas %" PRIu64 ")", c->name, label, i,
                 c->expects[i].exit_code, c->expects[i].gas_used);
}

/* Flushes and checks the root is the fixture's and the root block is in the host's store. */
static bool flush_and_check(const FernExecutor *ex, const case_t *c, host_t *h, const char *label) {
    FernBuffer root = {NULL, 0};
    char *error = NULL;
    FernStatus st = fern_executor_flush(ex, &root, &error);
    char why[1024] = "";
    bool ok = st == FERN_STATUS_OK;
    if (!ok) {
        why_add(why, sizeof why, "flush returned %s (%.300s)", status_name(st),
                error ? error : "no message");
    } else {
        ok = same_bytes(&root, &c->root, "root", why, sizeof why);
    }
    fern_string_free(error);
    check(ok, why, "%s: %s flush gives the expected state root", c->name, label);
    bool stored = root.len > 0 && store_find(&h->store, root.data, root.len) != NULL;
    check(stored, "the root block is not in the host's store", "%s: %s root block is in the C store",
          c->name, label);
    fern_buffer_free(root);
    return ok && stored;
}

static FernStatus new_executor(const case_t *c, host_t *h, FernExecutor **ex, const char *label) {
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(h);
    char *error = NULL;
    FernStatus st = fern_executor_new(&cfg, &cb, ex, &error);
    check_ok(st, error, "%s: %s executor created", c->name, label);
    return st;
}

static void check_no_outstanding(host_t *h, const char *name) {
    char why[200] = "";
    long out = host_outstanding(h), bad = atomic_load(&h->bad_frees);
    snprintf(why, sizeof why, "%ld get buffers not freed, %ld frees of NULL (%ld handed out)", out,
             bad, atomic_load(&h->get_buffers));
    check(out == 0 && bad == 0, why, "%s: every blockstore_get buffer freed exactly once", name);
}

/* ---------------------------------------------------------------------------------------- */
/* Tests.                                                                                     */

static void test_library_info(void) {
    FernLibraryInfo info = fern_library_info();
    check(info.version != NULL && info.version[0] != '\0', "empty version",
          "library info: version \"%s\" non-empty", info.version ? info.version : "(null)");
    char why[100];
    snprintf(why, sizeof why, "got %u..%u", info.min_network_version, info.max_network_version);
    check(info.min_network_version == 17 && info.max_network_version == 29, why,
          "library info: network versions 17..29");
    snprintf(why, sizeof why, "got %u", info.concurrency);
    check(info.concurrency >= 1 && info.concurrency <= FERN_MAX_CONCURRENCY, why,
          "library info: concurrency %u in 1..%d", info.concurrency, FERN_MAX_CONCURRENCY);
}

/* Replays a case, then replays it again on a second executor (engine sharing). */
static void test_case(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    uint64_t first = 0, second = 0;
    if (new_executor(c, &h, &ex, "first") == FERN_STATUS_OK) {
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "first");
        flush_and_check(ex, c, &h, "first");
        FernStatus st = fern_executor_compilations(ex, &first);
        check(st == FERN_STATUS_OK && first > 0, status_name(st),
              "%s: the first executor's engine compiled modules (%" PRIu64 ")", c->name, first);
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, c->name);

    /* The same settings again: the engine is shared, nothing is compiled again. */
    ex = NULL;
    if (new_executor(c, &h, &ex, "second") == FERN_STATUS_OK) {
        /* Shared: the new executor's engine already counts the first one's compilations. */
        uint64_t at_start = 0;
        FernStatus st = fern_executor_compilations(ex, &at_start);
        char why0[120];
        snprintf(why0, sizeof why0, "status %s, %" PRIu64 " at the start, %" PRIu64 " before",
                 status_name(st), at_start, first);
        check(st == FERN_STATUS_OK && at_start == first, why0,
              "%s: a second executor shares the first's engine", c->name);
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "second");
        flush_and_check(ex, c, &h, "second");
        st = fern_executor_compilations(ex, &second);
        char why[120];
        snprintf(why, sizeof why, "status %s, %" PRIu64 " compilations before, %" PRIu64 " after",
                 status_name(st), first, second);
        check(st == FERN_STATUS_OK && second == first, why,
              "%s: a second executor compiles nothing (%" PRIu64 " compilations)", c->name, first);
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, c->name);
    host_free(&h);
}

/* Tracing off: the same results with an empty trace. */
static void test_without_tracing(const case_t *c) {
    case_t quiet = *c;
    quiet.flags = 0;
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    if (new_executor(&quiet, &h, &ex, "tracing off") == FERN_STATUS_OK) {
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, false, "tracing off");
        flush_and_check(ex, c, &h, "tracing off");
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, "tracing off");
    host_free(&h);
}

/* FERN_FLAG_FLUSH_ALL_BLOCKS: the same root, and at least as many blocks written. */
static void test_flush_all_blocks(const case_t *c) {
    long written[2] = {0, 0};
    for (int all = 0; all < 2; all++) {
        case_t variant = *c;
        variant.flags = c->flags | (all ? FERN_FLAG_FLUSH_ALL_BLOCKS : 0);
        const char *label = all ? "flush all blocks" : "flush reachable blocks";
        host_t h;
        if (!host_for_case(&h, c)) {
            host_free(&h);
            return;
        }
        FernExecutor *ex = NULL;
        if (new_executor(&variant, &h, &ex, label) == FERN_STATUS_OK) {
            for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, label);
            flush_and_check(ex, c, &h, label);
            written[all] = atomic_load(&h.put_many_blocks) + atomic_load(&h.puts);
            fern_executor_free(ex);
        }
        check_no_outstanding(&h, label);
        host_free(&h);
    }
    char why[100];
    snprintf(why, sizeof why, "%ld blocks with the flag, %ld without", written[1], written[0]);
    check(written[0] > 0 && written[1] >= written[0], why,
          "%s: FERN_FLAG_FLUSH_ALL_BLOCKS writes at least the reachable blocks (%ld >= %ld)",
          c->name, written[1], written[0]);
}

/* Opening the state fails: blockstore_get errs, or a block of the state is missing. */
static void test_new_failures(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(&h);
    FernExecutor *ex = NULL;
    char *error = NULL;

    h.faults.get_status = FERN_HOST_STATUS_IO_ERROR;
    FernStatus st = fern_executor_new(&cfg, &cb, &ex, &error);
    h.faults.get_status = 0;
    check_failure(st, FERN_STATUS_HOST_FAILURE, error, "blockstore_get",
                  "new while blockstore_get returns IO_ERROR");
    fern_executor_free(ex);
    ex = NULL;

    /* Which blocks does opening the state read? Take the first one that is not the root. */
    host_clear_get_log(&h);
    h.faults.log_gets = true;
    st = fern_executor_new(&cfg, &cb, &ex, &error);
    h.faults.log_gets = false;
    check_ok(st, error, "%s: new (recording the blocks it reads)", c->name);
    fern_executor_free(ex);
    ex = NULL;
    bytes_t victim = {NULL, 0};
    for (size_t i = 0; i < h.get_log_len && victim.len == 0; i++) {
        const bytes_t *k = &h.get_log[i];
        if (!(k->len == c->state_root.len && memcmp(k->data, c->state_root.data, k->len) == 0)) {
            victim = *k;
            h.get_log[i].data = NULL;
        }
    }
    host_clear_get_log(&h);
    if (check(victim.len > 0, "it read no block but the root", "new reads a block besides the root")) {
        bytes_t saved = {NULL, 0};
        store_remove(&h.store, victim.data, victim.len, &saved);
        expect_new(&cfg, &cb, FERN_STATUS_MISSING_BLOCK, "bafy", "new with a block of the state missing");
        store_put(&h.store, victim.data, victim.len, saved.data, saved.len);
        free(saved.data);
        free(victim.data);
    }
    check_no_outstanding(&h, "failing new");
    host_free(&h);
}

/* NULL pointers, free functions on NULL. */
static void test_null_pointers(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(&h);
    FernExecutor *ex = (FernExecutor *)&h; /* must be reset to NULL by a failing new */
    char *error = NULL;
    FernStatus st;

    st = fern_executor_new(NULL, &cb, &ex, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, "config", "new with config NULL");
    check(ex == NULL, "out not reset", "new with config NULL leaves *out NULL");
    st = fern_executor_new(&cfg, NULL, &ex, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, "callbacks", "new with callbacks NULL");
    st = fern_executor_new(&cfg, &cb, NULL, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, NULL, "new with out NULL");
    st = fern_executor_new(NULL, NULL, NULL, NULL);
    check(st == FERN_STATUS_NULL_POINTER, status_name(st), "new with everything NULL, error NULL -> NULL_POINTER");

    FernExecutorConfig bad = cfg;
    bad.state_root.data = NULL; /* with a non-zero length */
    st = fern_executor_new(&bad, &cb, &ex, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, NULL, "new with state_root.data NULL, len > 0");
    bad = cfg;
    bad.actor_redirect_len = 1; /* and actor_redirect NULL */
    st = fern_executor_new(&bad, &cb, &ex, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, NULL, "new with actor_redirect NULL, len 1");

    FernApplyResult *r = (FernApplyResult *)&h;
    const msg_t *m = &c->msgs[0];
    st = fern_executor_apply(NULL, m->bytes.data, m->bytes.len, FERN_APPLY_EXPLICIT, m->chain_len,
                             &r, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, "executor", "apply with executor NULL");
    check(r == NULL, "out not reset", "apply with executor NULL leaves *out NULL");
    FernBuffer root = {NULL, 0};
    st = fern_executor_flush(NULL, &root, &error);
    check_failure(st, FERN_STATUS_NULL_POINTER, error, "executor", "flush with executor NULL");
    uint64_t n = 0;
    st = fern_executor_compilations(NULL, &n);
    check(st == FERN_STATUS_NULL_POINTER, status_name(st), "compilations with executor NULL -> NULL_POINTER");

    ex = NULL;
    if (!engine_free && new_executor(c, &h, &ex, "null-pointer") == FERN_STATUS_OK) {
        st = fern_executor_apply(ex, m->bytes.data, m->bytes.len, FERN_APPLY_EXPLICIT, m->chain_len,
                                 NULL, &error);
        check_failure(st, FERN_STATUS_NULL_POINTER, error, "out", "apply with out NULL");
        st = fern_executor_apply(ex, NULL, m->bytes.len, FERN_APPLY_EXPLICIT, m->chain_len, &r,
                                 &error);
        check_failure(st, FERN_STATUS_NULL_POINTER, error, "message", "apply with message NULL, len > 0");
        st = fern_executor_flush(ex, NULL, &error);
        check_failure(st, FERN_STATUS_NULL_POINTER, error, "root", "flush with root NULL");
        st = fern_executor_compilations(ex, NULL);
        check(st == FERN_STATUS_NULL_POINTER, status_name(st), "compilations with out NULL -> NULL_POINTER");
        /* None of that changed anything: the case still replays. */
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "after NULL calls");
        flush_and_check(ex, c, &h, "after NULL calls");
        fern_executor_free(ex);
    }

    /* The free functions accept NULL / empty. */
    fern_executor_free(NULL);
    fern_apply_result_free(NULL);
    fern_string_free(NULL);
    FernBuffer empty = {NULL, 0};
    fern_buffer_free(empty);
    check(true, NULL, "free functions accept NULL and empty buffers");
    check_no_outstanding(&h, "null pointers");
    host_free(&h);
}

/* Configurations new must reject. */
static void test_bad_configs(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutorConfig cfg;
    FernHostCallbacks cb = host_callbacks(&h);
    FernExecutor *ex = NULL;
    char *error = NULL;
    FernStatus st;
    char name[160];

    const uint32_t versions[] = {12, 16, 30, 99};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        cfg = config_of(c);
        cfg.network_version = versions[i];
        st = fern_executor_new(&cfg, &cb, &ex, &error);
        snprintf(name, sizeof name, "new with network version %u", versions[i]);
        check_failure(st, FERN_STATUS_UNSUPPORTED_NETWORK_VERSION, error, NULL, name);
        fern_executor_free(ex);
        ex = NULL;
    }

    static const uint8_t negative[] = {0x01, 0x64};
    cfg = config_of(c);
    cfg.base_fee.data = negative;
    cfg.base_fee.len = sizeof negative;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a negative base fee (sign 0x01)");

    static const uint8_t bad_sign[] = {0x02, 0x64};
    cfg = config_of(c);
    cfg.base_fee.data = bad_sign;
    cfg.base_fee.len = sizeof bad_sign;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with base fee sign byte 0x02");

    /* 17 significant bytes of magnitude: one more than FERN_MAX_TOKEN_AMOUNT_BYTES. */
    uint8_t wide[1 + FERN_MAX_TOKEN_AMOUNT_BYTES + 1];
    memset(wide, 0, sizeof wide);
    wide[1] = 0x01;
    cfg = config_of(c);
    cfg.circulating_supply.data = wide;
    cfg.circulating_supply.len = sizeof wide;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a 17-byte circulating supply");
    cfg = config_of(c);
    cfg.base_fee.data = wide;
    cfg.base_fee.len = sizeof wide;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a 17-byte base fee");

    if (!engine_free) {
        /* 16 bytes of magnitude is the widest accepted. */
        uint8_t widest[1 + FERN_MAX_TOKEN_AMOUNT_BYTES];
        memset(widest, 0xff, sizeof widest);
        widest[0] = 0x00;
        cfg = config_of(c);
        cfg.circulating_supply.data = widest;
        cfg.circulating_supply.len = sizeof widest;
        expect_new(&cfg, &cb, FERN_STATUS_OK, NULL, "new with a 16-byte circulating supply -> OK");

        /* Leading zero bytes do not count (FIPS/ffi.md: "the magnitude without leading zero
         * bytes is wider than 16 bytes" is refused): 17 bytes, the first zero, is accepted. */
        uint8_t padded[1 + FERN_MAX_TOKEN_AMOUNT_BYTES + 1];
        memset(padded, 0xff, sizeof padded);
        padded[0] = 0x00;
        padded[1] = 0x00;
        cfg = config_of(c);
        cfg.circulating_supply.data = padded;
        cfg.circulating_supply.len = sizeof padded;
        expect_new(&cfg, &cb, FERN_STATUS_OK, NULL, "new with a 17-byte circulating supply whose first byte is 0 -> OK");

        /* A well-formed CID the store lacks (checked when the state is opened). */
        bytes_t other = {malloc(c->state_root.len), c->state_root.len};
        if (other.data == NULL) abort();
        memcpy(other.data, c->state_root.data, other.len);
        other.data[other.len - 1] ^= 0x5a;
        cfg = config_of(c);
        cfg.state_root = slice_of(&other);
        expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a state root the store lacks");
        free(other.data);
    }

    static const uint8_t not_a_cid[] = {0x01, 0x02, 0x03};
    cfg = config_of(c);
    cfg.state_root.data = not_a_cid;
    cfg.state_root.len = sizeof not_a_cid;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a state root that is not a CID");
    cfg = config_of(c);
    cfg.manifest.data = not_a_cid;
    cfg.manifest.len = sizeof not_a_cid;
    expect_new(&cfg, &cb, FERN_STATUS_INVALID_ARGUMENT, NULL, "new with a manifest that is not a CID");

    const uint32_t flags[] = {16, 0x80000000u};
    for (size_t i = 0; i < 2; i++) {
        cfg = config_of(c);
        cfg.flags = FERN_FLAG_TRACING | flags[i];
        st = fern_executor_new(&cfg, &cb, &ex, &error);
        snprintf(name, sizeof name, "new with unknown flag bit %#x", flags[i]);
        check_failure(st, FERN_STATUS_INVALID_ARGUMENT, error, NULL, name);
        fern_executor_free(ex);
        ex = NULL;
    }

    /* Each required callback missing. */
    const char *required[] = {"blockstore_get", "blockstore_free", "blockstore_put",
                              "blockstore_has"};
    for (size_t i = 0; i < 4; i++) {
        FernHostCallbacks partial = host_callbacks(&h);
        switch (i) {
        case 0: partial.blockstore_get = NULL; break;
        case 1: partial.blockstore_free = NULL; break;
        case 2: partial.blockstore_put = NULL; break;
        default: partial.blockstore_has = NULL; break;
        }
        cfg = config_of(c);
        st = fern_executor_new(&cfg, &partial, &ex, &error);
        snprintf(name, sizeof name, "new without %s", required[i]);
        check_failure(st, FERN_STATUS_INVALID_ARGUMENT, error, required[i], name);
        fern_executor_free(ex);
        ex = NULL;
    }
    check_no_outstanding(&h, "bad configs");
    host_free(&h);
}

/* Garbage message bytes and an unknown apply kind change nothing. */
static void test_bad_messages(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    if (new_executor(c, &h, &ex, "bad messages") == FERN_STATUS_OK) {
        FernApplyResult *r = NULL;
        char *error = NULL;
        static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x11};
        FernStatus st = fern_executor_apply(ex, garbage, sizeof garbage, FERN_APPLY_EXPLICIT,
                                            sizeof garbage, &r, &error);
        check_failure(st, FERN_STATUS_INVALID_MESSAGE, error, NULL, "apply of garbage bytes");
        check(r == NULL, "a result was returned", "apply of garbage bytes gives no result");
        fern_apply_result_free(r);
        r = NULL;
        /* The first message, cut short by one byte. */
        const msg_t *m = &c->msgs[0];
        st = fern_executor_apply(ex, m->bytes.data, m->bytes.len - 1, FERN_APPLY_EXPLICIT,
                                 m->chain_len, &r, &error);
        check_failure(st, FERN_STATUS_INVALID_MESSAGE, error, NULL, "apply of a truncated message");
        fern_apply_result_free(r);
        r = NULL;
        st = fern_executor_apply(ex, NULL, 0, FERN_APPLY_EXPLICIT, 0, &r, &error);
        check_failure(st, FERN_STATUS_INVALID_MESSAGE, error, NULL, "apply of an empty message");
        fern_apply_result_free(r);
        r = NULL;
        st = fern_executor_apply(ex, m->bytes.data, m->bytes.len, 7, m->chain_len, &r, &error);
        check_failure(st, FERN_STATUS_INVALID_ARGUMENT, error, "apply_kind", "apply with apply_kind 7");
        fern_apply_result_free(r);
        r = NULL;
        /* The executor is unharmed: the case replays exactly. */
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "after bad messages");
        flush_and_check(ex, c, &h, "after bad messages");
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, "bad messages");
    host_free(&h);
}

/* A failing apply is followed by POISONED on the next apply and flush. */
static void check_poisoned(const FernExecutor *ex, const case_t *c, const char *label) {
    FernApplyResult *r = NULL;
    char *error = NULL;
    char name[200];
    const msg_t *m = &c->msgs[0];
    FernStatus st = fern_executor_apply(ex, m->bytes.data, m->bytes.len, FERN_APPLY_EXPLICIT,
                                        m->chain_len, &r, &error);
    snprintf(name, sizeof name, "%s: next apply", label);
    check_failure(st, FERN_STATUS_POISONED, error, NULL, name);
    fern_apply_result_free(r);
    FernBuffer root = {NULL, 0};
    st = fern_executor_flush(ex, &root, &error);
    snprintf(name, sizeof name, "%s: flush", label);
    check_failure(st, FERN_STATUS_POISONED, error, NULL, name);
    fern_buffer_free(root);
}

/* Applies the first message expecting a failure with `want` and no result. */
static void apply_expect_failure(const FernExecutor *ex, const case_t *c, FernStatus want,
                                 const char *contains, const char *label) {
    FernApplyResult *r = (FernApplyResult *)&r; /* must come back NULL */
    char *error = NULL;
    const msg_t *m = &c->msgs[0];
    FernStatus st = fern_executor_apply(ex, m->bytes.data, m->bytes.len, FERN_APPLY_EXPLICIT,
                                        m->chain_len, &r, &error);
    char name[200];
    snprintf(name, sizeof name, "%s: apply", label);
    check_failure(st, want, error, contains, name);
    bool none = r == NULL;
    check(none, "a result was returned", "%s: no receipt", label);
    if (!none && r != (FernApplyResult *)&r) fern_apply_result_free(r);
}

/* A block the first message needs is removed from the store. */
static void test_missing_block(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    /* Learn which blocks the first message reads (the engine is warm, so this is state). */
    FernExecutor *ex = NULL;
    bytes_t victim = {NULL, 0};
    if (new_executor(c, &h, &ex, "missing block (probe)") == FERN_STATUS_OK) {
        host_clear_get_log(&h);
        h.faults.log_gets = true;
        apply_and_check(ex, c, 0, true, "missing block (probe)");
        h.faults.log_gets = false;
        fern_executor_free(ex);
        if (h.get_log_len > 0) {
            victim = h.get_log[0]; /* take ownership of the first CID read */
            h.get_log[0].data = NULL;
        }
        host_clear_get_log(&h);
    }
    if (!check(victim.len > 0, "the first message read no block", "missing block: a block to remove was found")) {
        host_free(&h);
        return;
    }
    ex = NULL;
    if (new_executor(c, &h, &ex, "missing block") == FERN_STATUS_OK) {
        bytes_t saved = {NULL, 0};
        bool removed = store_remove(&h.store, victim.data, victim.len, &saved);
        check(removed, "not in the store", "missing block: block removed from the C store");
        apply_expect_failure(ex, c, FERN_STATUS_MISSING_BLOCK, "bafy", "missing block");
        check_poisoned(ex, c, "missing block: poisoned");
        fern_executor_free(ex);
        if (removed) {
            store_put(&h.store, victim.data, victim.len, saved.data, saved.len);
            free(saved.data);
        }
    }
    free(victim.data);
    check_no_outstanding(&h, "missing block");
    host_free(&h);
}

/* blockstore_get fails with `status` during an apply. */
static void test_get_failure(const case_t *c, int32_t status, const char *label) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    if (new_executor(c, &h, &ex, label) == FERN_STATUS_OK) {
        h.faults.get_status = status;
        apply_expect_failure(ex, c, FERN_STATUS_HOST_FAILURE, "blockstore_get", label);
        h.faults.get_status = 0;
        char name[200];
        snprintf(name, sizeof name, "%s: poisoned", label);
        check_poisoned(ex, c, name);
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, label);
    host_free(&h);
}

/* The randomness callbacks fail with `status`, or are NULL when status is 0. */
static void test_randomness_failure(const case_t *c, int32_t status, const char *label) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(&h);
    if (status == 0) {
        cb.chain_randomness = NULL;
        cb.beacon_randomness = NULL;
    }
    FernExecutor *ex = NULL;
    char *error = NULL;
    FernStatus st = fern_executor_new(&cfg, &cb, &ex, &error);
    if (check_ok(st, error, "%s: executor created", label)) {
        h.faults.randomness_status = status;
        apply_expect_failure(ex, c, FERN_STATUS_HOST_FAILURE, "randomness", label);
        h.faults.randomness_status = 0;
        char name[200];
        snprintf(name, sizeof name, "%s: poisoned", label);
        check_poisoned(ex, c, name);
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, label);
    host_free(&h);
}

/* blockstore_put_many fails during a flush; a retried flush after the host recovers works. */
static void test_flush_failure(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    if (new_executor(c, &h, &ex, "failing flush") == FERN_STATUS_OK) {
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "failing flush");
        size_t live_before = h.store.live;
        long calls_before = atomic_load(&h.put_many_calls);
        h.faults.put_many_status = FERN_HOST_STATUS_IO_ERROR;
        FernBuffer root = {(uint8_t *)&h, 1}; /* must come back empty */
        char *error = NULL;
        FernStatus st = fern_executor_flush(ex, &root, &error);
        check_failure(st, FERN_STATUS_HOST_FAILURE, error, "blockstore_put_many",
                      "flush while blockstore_put_many fails");
        check(root.data == NULL && root.len == 0, "root not empty", "failed flush returns an empty root");
        check(atomic_load(&h.put_many_calls) > calls_before && h.store.live == live_before,
              "put_many was not called, or blocks were stored", "failed flush called put_many and stored nothing");
        if (root.data != (uint8_t *)&h) fern_buffer_free(root);
        h.faults.put_many_status = 0;
        flush_and_check(ex, c, &h, "retried flush");
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, "failing flush");
    host_free(&h);
}

/* Without blockstore_put_many, a flush writes through blockstore_put; a failing put fails it. */
static void test_flush_without_put_many(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(&h);
    cb.blockstore_put_many = NULL;
    FernExecutor *ex = NULL;
    char *error = NULL;
    FernStatus st = fern_executor_new(&cfg, &cb, &ex, &error);
    if (check_ok(st, error, "%s: executor without blockstore_put_many created", c->name)) {
        for (size_t i = 0; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "no put_many");
        h.faults.put_status = FERN_HOST_STATUS_IO_ERROR;
        FernBuffer root = {NULL, 0};
        st = fern_executor_flush(ex, &root, &error);
        check_failure(st, FERN_STATUS_HOST_FAILURE, error, "blockstore_put",
                      "flush without put_many while blockstore_put fails");
        fern_buffer_free(root);
        h.faults.put_status = 0;
        long puts_before = atomic_load(&h.puts);
        flush_and_check(ex, c, &h, "no put_many, retried flush");
        check(atomic_load(&h.puts) > puts_before && atomic_load(&h.put_many_calls) == 0,
              "blockstore_put not used, or put_many called", "flush without put_many writes through blockstore_put");
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, "no put_many");
    host_free(&h);
}

/* A thread applying messages [first, last) of a case; results are checked on the main thread
 * (check() is not thread-safe), so the worker only records the first difference. */
typedef struct {
    const FernExecutor *ex;
    const case_t *c;
    size_t first, last;
    FernStatus status; /* of the first call that did not return OK, else OK */
    size_t mismatches;
    char why[1024];
} worker_t;

static void *worker_main(void *arg) {
    worker_t *w = arg;
    w->status = FERN_STATUS_OK;
    for (size_t i = w->first; i < w->last; i++) {
        const msg_t *m = &w->c->msgs[i];
        FernApplyResult *r = NULL;
        char *error = NULL;
        FernStatus st = fern_executor_apply(w->ex, m->bytes.data, m->bytes.len,
                                            FERN_APPLY_EXPLICIT, m->chain_len, &r, &error);
        if (st != FERN_STATUS_OK) {
            if (w->status == FERN_STATUS_OK) {
                w->status = st;
                why_add(w->why, sizeof w->why, "msg %zu: %s (%.200s)", i, status_name(st),
                        error ? error : "");
            }
        } else {
            char why[1024] = "";
            if (!same_result(r, &w->c->expects[i], true, why, sizeof why)) {
                if (w->mismatches++ == 0) why_add(w->why, sizeof w->why, "msg %zu: %s", i, why);
            }
        }
        fern_string_free(error);
        fern_apply_result_free(r);
    }
    return NULL;
}

/* A call on an executor that is busy with another call returns BUSY and changes nothing. */
static void test_busy(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return;
    }
    FernExecutor *ex = NULL;
    if (new_executor(c, &h, &ex, "busy") == FERN_STATUS_OK) {
        worker_t w = {ex, c, 0, 1, FERN_STATUS_OK, 0, ""};
        pthread_t t;
        host_gate_arm(&h);
        if (!check(pthread_create(&t, NULL, worker_main, &w) == 0, "pthread_create failed",
                   "busy: a thread applies the first message")) {
            host_gate_release(&h);
        } else if (!check(host_gate_wait_entered(&h, 60), "no blockstore_get within 60 s",
                          "busy: the thread's apply is held inside blockstore_get")) {
            host_gate_release(&h);
            pthread_join(t, NULL);
        } else {
            const msg_t *m = &c->msgs[1 % c->msg_count];
            FernApplyResult *r = NULL;
            char *error = NULL;
            FernStatus st = fern_executor_apply(ex, m->bytes.data, m->bytes.len,
                                                FERN_APPLY_EXPLICIT, m->chain_len, &r, &error);
            check_failure(st, FERN_STATUS_BUSY, error, NULL, "busy: apply during another apply");
            check(r == NULL, "a result was returned", "busy: no result");
            fern_apply_result_free(r);
            FernBuffer root = {NULL, 0};
            st = fern_executor_flush(ex, &root, &error);
            check_failure(st, FERN_STATUS_BUSY, error, NULL, "busy: flush during an apply");
            fern_buffer_free(root);
            uint64_t n = 0;
            st = fern_executor_compilations(ex, &n);
            check(st == FERN_STATUS_OK, status_name(st), "busy: compilations during an apply -> OK");
            host_gate_release(&h);
            pthread_join(t, NULL);
            check(w.status == FERN_STATUS_OK && w.mismatches == 0, w.why,
                  "busy: the held apply completes with the expected result");
            /* Nothing changed: the rest of the case replays exactly. */
            for (size_t i = 1; i < c->msg_count; i++) apply_and_check(ex, c, i, true, "after BUSY");
            flush_and_check(ex, c, &h, "after BUSY");
        }
        fern_executor_free(ex);
    }
    check_no_outstanding(&h, "busy");
    host_free(&h);
}

/* Executors of different cases run at the same time on different threads. */
static void test_parallel(const case_t *cases, size_t n) {
    enum { MAXP = 8 };
    if (n > MAXP) n = MAXP;
    host_t hosts[MAXP];
    FernExecutor *ex[MAXP] = {0};
    worker_t w[MAXP];
    pthread_t t[MAXP];
    bool started[MAXP] = {0}, loaded[MAXP] = {0};
    for (size_t i = 0; i < n; i++) {
        loaded[i] = host_for_case(&hosts[i], &cases[i]);
        if (loaded[i] && new_executor(&cases[i], &hosts[i], &ex[i], "parallel") == FERN_STATUS_OK) {
            worker_t init = {ex[i], &cases[i], 0, cases[i].msg_count, FERN_STATUS_OK, 0, ""};
            w[i] = init;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ex[i] != NULL) started[i] = pthread_create(&t[i], NULL, worker_main, &w[i]) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (started[i]) pthread_join(t[i], NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (ex[i] != NULL) {
            check(started[i] && w[i].status == FERN_STATUS_OK && w[i].mismatches == 0,
                  started[i] ? w[i].why : "pthread_create failed",
                  "%s: parallel run on its own thread gives the expected results", cases[i].name);
            flush_and_check(ex[i], &cases[i], &hosts[i], "parallel");
            fern_executor_free(ex[i]);
            check_no_outstanding(&hosts[i], "parallel");
        }
        host_free(&hosts[i]);
    }
}

static const case_t *find_case(const case_t *cases, size_t n, const char *prefix) {
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cases[i].name, prefix, strlen(prefix)) == 0) return &cases[i];
    }
    check(false, "not in cases.txt", "fixture has a case starting \"%s\"", prefix);
    return NULL;
}

/* --probe-engine: can this process build an engine and create an executor? Exit 0 if so. */
static int probe_engine(const case_t *c) {
    host_t h;
    if (!host_for_case(&h, c)) {
        host_free(&h);
        return 1;
    }
    FernExecutorConfig cfg = config_of(c);
    FernHostCallbacks cb = host_callbacks(&h);
    FernExecutor *ex = NULL;
    char *error = NULL;
    FernStatus st = fern_executor_new(&cfg, &cb, &ex, &error);
    if (st != FERN_STATUS_OK) {
        printf("probe: fern_executor_new returned %s: %s\n", status_name(st),
               error ? error : "(no message)");
    } else {
        printf("probe: an executor was created\n");
    }
    fern_string_free(error);
    fern_executor_free(ex);
    host_free(&h);
    return st == FERN_STATUS_OK ? 0 : 1;
}

int main(int argc, char **argv) {
    bool probe = false;
    if (argc == 3 && strcmp(argv[1], "--engine-free") == 0) {
        engine_free = true;
    } else if (argc == 3 && strcmp(argv[1], "--probe-engine") == 0) {
        probe = true;
    } else if (argc != 2) {
        fprintf(stderr, "usage: %s [--engine-free | --probe-engine] FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[argc - 1];
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (probe) {
        char why[1500] = "";
        case_t c;
        char *list = NULL;
        char path[1200];
        snprintf(path, sizeof path, "%s/cases.txt", dir);
        list = read_text(path);
        char *first = list ? strtok(list, "\n") : NULL;
        int rc = 1;
        if (first != NULL && load_case(dir, first, &c, why, sizeof why)) {
            rc = probe_engine(&c);
            free_case(&c);
        } else {
            printf("probe: cannot read the fixture %s\n", why);
        }
        free(list);
        return rc;
    }

    test_library_info();

    char path[1200];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    char *list = read_text(path);
    case_t *cases = NULL;
    size_t case_count = 0, case_cap = 0;
    if (!check(list != NULL, path, "fixture: cases.txt readable")) {
        printf("fern_test summary: %d passed, %d failed\n", passed, failed);
        return 1;
    }
    for (char *name = strtok(list, "\n"); name != NULL; name = strtok(NULL, "\n")) {
        if (name[0] == '\0') continue;
        cases = grow_array(cases, &case_cap, case_count, sizeof(case_t));
        char why[1500] = "";
        if (check(load_case(dir, name, &cases[case_count], why, sizeof why), why,
                  "fixture: %s parsed", name)) {
            case_count++;
        }
    }
    free(list);
    check(case_count >= 6, "expected the fixture's six cases", "fixture: %zu cases", case_count);

    /* 1 and 3: every case replayed, twice, on executors sharing an engine. */
    for (size_t i = 0; !engine_free && i < case_count; i++) test_case(&cases[i]);

    /* Error paths and memory. */
    const case_t *transfers = find_case(cases, case_count, "transfers_create_accounts");
    const case_t *randomness = find_case(cases, case_count, "syscalls_randomness");
    const case_t *nonces = find_case(cases, case_count, "executor_nonces");
    const case_t *token = find_case(cases, case_count, "examples_token");
    if (engine_free) {
        if (transfers != NULL) {
            test_null_pointers(transfers);
            test_bad_configs(transfers);
        }
        transfers = randomness = nonces = token = NULL;
    }
    if (nonces != NULL) test_without_tracing(nonces);
    if (token != NULL) test_flush_all_blocks(token);
    if (transfers != NULL) {
        test_null_pointers(transfers);
        test_bad_configs(transfers);
        test_bad_messages(transfers);
        test_new_failures(transfers);
        test_missing_block(transfers);
        test_get_failure(transfers, FERN_HOST_STATUS_IO_ERROR, "get returns IO_ERROR");
        test_get_failure(transfers, FERN_HOST_STATUS_PANIC, "get returns PANIC");
        test_flush_failure(transfers);
        test_flush_without_put_many(transfers);
        test_busy(transfers);
    }
    if (randomness != NULL) {
        test_randomness_failure(randomness, FERN_HOST_STATUS_PANIC, "randomness returns PANIC");
        test_randomness_failure(randomness, 0, "randomness callbacks NULL");
    }

    if (!engine_free) test_parallel(cases, case_count);

    for (size_t i = 0; i < case_count; i++) free_case(&cases[i]);
    free(cases);
    printf("fern_test summary: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
