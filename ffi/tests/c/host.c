/*
 * host.c: the C test host (see host.h).
 */

#define _POSIX_C_SOURCE 200809L

#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------------------------- */
/* The block table: open addressing, linear probing, FNV-1a over the CID bytes.             */

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint8_t *copy_bytes(const uint8_t *p, size_t n) {
    if (n == 0) {
        return NULL;
    }
    uint8_t *c = malloc(n);
    if (c == NULL) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    memcpy(c, p, n);
    return c;
}

void store_init(store_t *s) {
    s->capacity = 1024;
    s->slots = calloc(s->capacity, sizeof(slot_t));
    if (s->slots == NULL) {
        abort();
    }
    s->used = 0;
    s->live = 0;
}

void store_free(store_t *s) {
    for (size_t i = 0; i < s->capacity; i++) {
        free(s->slots[i].key);
        free(s->slots[i].data);
    }
    free(s->slots);
    s->slots = NULL;
    s->capacity = s->used = s->live = 0;
}

/* The slot holding key (live or tombstone), or the empty slot where it would go. */
static slot_t *probe(const store_t *s, const uint8_t *key, size_t key_len) {
    size_t mask = s->capacity - 1;
    size_t i = (size_t)hash_bytes(key, key_len) & mask;
    for (;;) {
        slot_t *slot = &s->slots[i];
        if (slot->key == NULL) {
            return slot;
        }
        if (slot->key_len == key_len && memcmp(slot->key, key, key_len) == 0) {
            return slot;
        }
        i = (i + 1) & mask;
    }
}

static void grow(store_t *s) {
    store_t bigger;
    bigger.capacity = s->capacity * 2;
    bigger.slots = calloc(bigger.capacity, sizeof(slot_t));
    if (bigger.slots == NULL) {
        abort();
    }
    bigger.used = 0;
    bigger.live = 0;
    for (size_t i = 0; i < s->capacity; i++) {
        slot_t *old = &s->slots[i];
        if (old->key == NULL) {
            continue;
        }
        if (!old->live) { /* drop tombstones while rehashing */
            free(old->key);
            continue;
        }
        slot_t *slot = probe(&bigger, old->key, old->key_len);
        *slot = *old;
        bigger.used++;
        bigger.live++;
    }
    free(s->slots);
    *s = bigger;
}

bool store_put(store_t *s, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len) {
    if (key == NULL || key_len == 0 || (data == NULL && data_len != 0)) {
        return false;
    }
    if ((s->used + 1) * 10 > s->capacity * 7) {
        grow(s);
    }
    slot_t *slot = probe(s, key, key_len);
    if (slot->key == NULL) {
        slot->key = copy_bytes(key, key_len);
        slot->key_len = key_len;
        s->used++;
    } else if (slot->live) {
        /* Content-addressed: the same CID has the same bytes; keep what is there. */
        return true;
    }
    slot->data = copy_bytes(data, data_len);
    slot->data_len = data_len;
    slot->live = true;
    s->live++;
    return true;
}

const slot_t *store_find(const store_t *s, const uint8_t *key, size_t key_len) {
    if (key == NULL || key_len == 0) {
        return NULL;
    }
    const slot_t *slot = probe(s, key, key_len);
    return (slot->key != NULL && slot->live) ? slot : NULL;
}

bool store_remove(store_t *s, const uint8_t *key, size_t key_len, bytes_t *saved) {
    slot_t *slot = probe(s, key, key_len);
    if (slot->key == NULL || !slot->live) {
        return false;
    }
    if (saved != NULL) {
        saved->data = slot->data;
        saved->len = slot->data_len;
    } else {
        free(slot->data);
    }
    slot->data = NULL;
    slot->data_len = 0;
    slot->live = false;
    s->live--;
    return true;
}

static bool read_u32le(FILE *f, uint32_t *out) {
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) {
        return false;
    }
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

bool store_load_file(store_t *s, const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    bool ok = true;
    size_t n = 0;
    uint8_t *key = NULL, *data = NULL;
    for (;;) {
        uint32_t key_len, data_len;
        if (!read_u32le(f, &key_len)) {
            ok = feof(f) != 0; /* a clean end between records */
            break;
        }
        key = malloc(key_len ? key_len : 1);
        if (key == NULL || fread(key, 1, key_len, f) != key_len || !read_u32le(f, &data_len)) {
            ok = false;
            break;
        }
        data = malloc(data_len ? data_len : 1);
        if (data == NULL || fread(data, 1, data_len, f) != data_len) {
            ok = false;
            break;
        }
        ok = store_put(s, key, key_len, data, data_len);
        free(key);
        free(data);
        key = data = NULL;
        if (!ok) {
            break;
        }
        n++;
    }
    free(key);
    free(data);
    fclose(f);
    if (count != NULL) {
        *count = n;
    }
    return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* The host and its callbacks.                                                               */

void host_init(host_t *h, const answer_t *answers, size_t answer_count) {
    memset(h, 0, sizeof *h);
    store_init(&h->store);
    h->answers = answers;
    h->answer_count = answer_count;
    atomic_init(&h->gets, 0);
    atomic_init(&h->get_buffers, 0);
    atomic_init(&h->freed_buffers, 0);
    atomic_init(&h->bad_frees, 0);
    atomic_init(&h->puts, 0);
    atomic_init(&h->put_many_calls, 0);
    atomic_init(&h->put_many_blocks, 0);
    atomic_init(&h->unknown_answers, 0);
    atomic_init(&h->proof_calls, 0);
    pthread_mutex_init(&h->gate.mu, NULL);
    pthread_cond_init(&h->gate.cv, NULL);
}

void host_gate_arm(host_t *h) {
    pthread_mutex_lock(&h->gate.mu);
    h->gate.armed = true;
    h->gate.entered = false;
    h->gate.released = false;
    pthread_mutex_unlock(&h->gate.mu);
}

bool host_gate_wait_entered(host_t *h, int seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&h->gate.mu);
    int rc = 0;
    while (!h->gate.entered && rc == 0) {
        rc = pthread_cond_timedwait(&h->gate.cv, &h->gate.mu, &deadline);
    }
    bool entered = h->gate.entered;
    pthread_mutex_unlock(&h->gate.mu);
    return entered;
}

void host_gate_release(host_t *h) {
    pthread_mutex_lock(&h->gate.mu);
    h->gate.released = true;
    h->gate.armed = false;
    pthread_cond_broadcast(&h->gate.cv);
    pthread_mutex_unlock(&h->gate.mu);
}

/* Called by blockstore_get: stops at an armed gate until it is released. */
static void gate_pass(host_t *h) {
    pthread_mutex_lock(&h->gate.mu);
    if (h->gate.armed && !h->gate.entered) {
        h->gate.entered = true;
        pthread_cond_broadcast(&h->gate.cv);
        while (!h->gate.released) {
            pthread_cond_wait(&h->gate.cv, &h->gate.mu);
        }
    }
    pthread_mutex_unlock(&h->gate.mu);
}

void host_clear_get_log(host_t *h) {
    for (size_t i = 0; i < h->get_log_len; i++) {
        free(h->get_log[i].data);
    }
    h->get_log_len = 0;
}

void host_free(host_t *h) {
    host_clear_get_log(h);
    free(h->get_log);
    h->get_log = NULL;
    h->get_log_cap = 0;
    store_free(&h->store);
    pthread_mutex_destroy(&h->gate.mu);
    pthread_cond_destroy(&h->gate.cv);
}

long host_outstanding(host_t *h) {
    return atomic_load(&h->get_buffers) - atomic_load(&h->freed_buffers);
}

static void log_get(host_t *h, const uint8_t *cid, size_t cid_len) {
    if (h->get_log_len == h->get_log_cap) {
        size_t cap = h->get_log_cap ? h->get_log_cap * 2 : 64;
        bytes_t *grown = realloc(h->get_log, cap * sizeof(bytes_t));
        if (grown == NULL) {
            abort();
        }
        h->get_log = grown;
        h->get_log_cap = cap;
    }
    h->get_log[h->get_log_len].data = copy_bytes(cid, cid_len);
    h->get_log[h->get_log_len].len = cid_len;
    h->get_log_len++;
}

static int32_t cb_get(void *handle, const uint8_t *cid, size_t cid_len, uint8_t **data,
                      size_t *data_len) {
    host_t *h = handle;
    atomic_fetch_add(&h->gets, 1);
    gate_pass(h);
    if (h->faults.log_gets) {
        log_get(h, cid, cid_len);
    }
    if (h->faults.get_status != 0) {
        return h->faults.get_status;
    }
    const slot_t *slot = store_find(&h->store, cid, cid_len);
    if (slot == NULL) {
        return FERN_HOST_STATUS_NOT_FOUND;
    }
    if (slot->data_len == 0) {
        *data = NULL;
        *data_len = 0;
        return FERN_HOST_STATUS_OK;
    }
    *data = copy_bytes(slot->data, slot->data_len);
    *data_len = slot->data_len;
    atomic_fetch_add(&h->get_buffers, 1);
    return FERN_HOST_STATUS_OK;
}

static void cb_free(void *handle, uint8_t *data, size_t len) {
    host_t *h = handle;
    (void)len;
    if (data == NULL) {
        atomic_fetch_add(&h->bad_frees, 1);
        return;
    }
    atomic_fetch_add(&h->freed_buffers, 1);
    free(data);
}

static int32_t cb_put(void *handle, const uint8_t *cid, size_t cid_len, const uint8_t *data,
                      size_t data_len) {
    host_t *h = handle;
    if (h->faults.put_status != 0) {
        return h->faults.put_status;
    }
    if (!store_put(&h->store, cid, cid_len, data, data_len)) {
        return FERN_HOST_STATUS_INVALID_ARGUMENT;
    }
    atomic_fetch_add(&h->puts, 1);
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_put_many(void *handle, const FernBlock *blocks, size_t count) {
    host_t *h = handle;
    atomic_fetch_add(&h->put_many_calls, 1);
    if (h->faults.put_many_status != 0) {
        return h->faults.put_many_status;
    }
    for (size_t i = 0; i < count; i++) {
        if (!store_put(&h->store, blocks[i].cid.data, blocks[i].cid.len, blocks[i].data.data,
                       blocks[i].data.len)) {
            return FERN_HOST_STATUS_INVALID_ARGUMENT;
        }
    }
    atomic_fetch_add(&h->put_many_blocks, (long)count);
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_has(void *handle, const uint8_t *cid, size_t cid_len, bool *has) {
    host_t *h = handle;
    *has = store_find(&h->store, cid, cid_len) != NULL;
    return FERN_HOST_STATUS_OK;
}

static const answer_t *find_answer(host_t *h, char kind, int64_t epoch) {
    for (size_t i = 0; i < h->answer_count; i++) {
        if (h->answers[i].kind == kind && h->answers[i].epoch == epoch) {
            return &h->answers[i];
        }
    }
    return NULL;
}

static int32_t randomness(host_t *h, char kind, int64_t epoch, uint8_t *out) {
    if (h->faults.randomness_status != 0) {
        return h->faults.randomness_status;
    }
    const answer_t *a = find_answer(h, kind, epoch);
    if (a == NULL || a->answer.len != 32) {
        atomic_fetch_add(&h->unknown_answers, 1);
        return FERN_HOST_STATUS_NOT_FOUND;
    }
    memcpy(out, a->answer.data, 32);
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_chain_randomness(void *handle, int64_t epoch, uint8_t *out) {
    return randomness(handle, 'c', epoch, out);
}

static int32_t cb_beacon_randomness(void *handle, int64_t epoch, uint8_t *out) {
    return randomness(handle, 'b', epoch, out);
}

static int32_t cb_tipset_cid(void *handle, int64_t epoch, uint8_t *out, size_t capacity,
                             size_t *out_len) {
    host_t *h = handle;
    const answer_t *a = find_answer(h, 't', epoch);
    if (a == NULL) {
        atomic_fetch_add(&h->unknown_answers, 1);
        return FERN_HOST_STATUS_NOT_FOUND;
    }
    if (a->answer.len > capacity) {
        return FERN_HOST_STATUS_INVALID_ARGUMENT;
    }
    memcpy(out, a->answer.data, a->answer.len);
    *out_len = a->answer.len;
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_consensus_fault(void *handle, const uint8_t *h1, size_t h1_len,
                                  const uint8_t *h2, size_t h2_len, const uint8_t *extra,
                                  size_t extra_len, FernConsensusFault *fault) {
    (void)handle, (void)h1, (void)h1_len, (void)h2, (void)h2_len, (void)extra, (void)extra_len;
    memset(fault, 0, sizeof *fault); /* no fault */
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_verify_seals(void *handle, const FernSlice *infos, size_t count, bool *valid) {
    host_t *h = handle;
    (void)infos;
    atomic_fetch_add(&h->proof_calls, 1);
    for (size_t i = 0; i < count; i++) {
        valid[i] = true;
    }
    return FERN_HOST_STATUS_OK;
}

static int32_t cb_verify_proof(void *handle, const uint8_t *info, size_t info_len, bool *valid) {
    host_t *h = handle;
    (void)info, (void)info_len;
    atomic_fetch_add(&h->proof_calls, 1);
    *valid = true;
    return FERN_HOST_STATUS_OK;
}

FernHostCallbacks host_callbacks(host_t *h) {
    FernHostCallbacks c;
    memset(&c, 0, sizeof c);
    c.handle = h;
    c.blockstore_get = cb_get;
    c.blockstore_free = cb_free;
    c.blockstore_put = cb_put;
    c.blockstore_put_many = cb_put_many;
    c.blockstore_has = cb_has;
    c.chain_randomness = cb_chain_randomness;
    c.beacon_randomness = cb_beacon_randomness;
    c.tipset_cid = cb_tipset_cid;
    c.verify_consensus_fault = cb_consensus_fault;
    c.verify_seals = cb_verify_seals;
    c.verify_post = cb_verify_proof;
    c.verify_aggregate_seals = cb_verify_proof;
    c.verify_replica_update = cb_verify_proof;
    return c;
}
