/*
 * host.h: the C test host for Fern's C interface.
 *
 * An in-memory blockstore (an open-addressing hash table keyed by binary CID), the chain answers
 * of one fixture case (randomness digests and tipset CIDs by epoch), and the callbacks of
 * fern.h built on them, with switches that make a callback fail so the tests can reach Fern's
 * error paths. Every buffer handed out by blockstore_get is counted until blockstore_free
 * returns it.
 *
 * Fern calls one executor's callbacks from that executor's thread, one at a time, while the
 * test thread waits in fern_executor_apply/flush; the tests never run two executors at once,
 * so the host needs no lock. Counters are atomics all the same.
 */

#ifndef FERN_TEST_HOST_H
#define FERN_TEST_HOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fern.h"

/* A byte string owned by whoever holds it (data is NULL when len is 0). */
typedef struct {
    uint8_t *data;
    size_t len;
} bytes_t;

/* One slot of the block table. */
typedef struct {
    uint8_t *key;  /* binary CID; NULL for a never-used slot */
    size_t key_len;
    uint8_t *data; /* the block's bytes (may be NULL for an empty block) */
    size_t data_len;
    bool live; /* false for a slot whose block was removed (a tombstone) */
} slot_t;

/* The in-memory blockstore. */
typedef struct {
    slot_t *slots;
    size_t capacity; /* a power of two */
    size_t used;     /* slots with a key (live or tombstone) */
    size_t live;     /* slots holding a block */
} store_t;

/* A chain answer: kind 'c' chain randomness, 'b' beacon randomness, 't' tipset CID. */
typedef struct {
    char kind;
    int64_t epoch;
    bytes_t answer;
} answer_t;

/* Which callback to break, and how. */
typedef struct {
    int32_t get_status;         /* when not 0, blockstore_get returns it */
    int32_t put_status;         /* when not 0, blockstore_put returns it */
    int32_t put_many_status;    /* when not 0, blockstore_put_many returns it */
    int32_t randomness_status;  /* when not 0, both randomness callbacks return it */
    bool log_gets;              /* record the CIDs blockstore_get is asked for */
} faults_t;

/* A gate blockstore_get can stop at: once armed, the next get marks it entered and waits
 * until the test releases it (lets a test hold a call inside Fern deterministically). */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool armed, entered, released;
} gate_t;

/* Everything a callback's handle points to. */
typedef struct {
    store_t store;
    const answer_t *answers; /* borrowed from the fixture case */
    size_t answer_count;
    faults_t faults;
    gate_t gate;

    /* get log (when faults.log_gets): CIDs asked for, in order, owned copies */
    bytes_t *get_log;
    size_t get_log_len, get_log_cap;

    atomic_long gets;              /* blockstore_get calls */
    atomic_long get_buffers;       /* buffers handed out by blockstore_get */
    atomic_long freed_buffers;     /* buffers handed back through blockstore_free */
    atomic_long bad_frees;         /* blockstore_free calls with a NULL pointer */
    atomic_long puts;              /* blocks written by blockstore_put */
    atomic_long put_many_calls;    /* blockstore_put_many calls */
    atomic_long put_many_blocks;   /* blocks written by blockstore_put_many */
    atomic_long unknown_answers;   /* randomness/tipset queries the fixture has no answer for */
    atomic_long proof_calls;       /* proof verification callbacks */
} host_t;

/* Store. */
void store_init(store_t *s);
void store_free(store_t *s);
bool store_put(store_t *s, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len);
/* The live slot for key, or NULL. */
const slot_t *store_find(const store_t *s, const uint8_t *key, size_t key_len);
/* Removes a block; when saved is not NULL it receives the removed bytes (caller frees). */
bool store_remove(store_t *s, const uint8_t *key, size_t key_len, bytes_t *saved);
/* Reads blocks.bin records ([u32 LE cid len][cid][u32 LE data len][data]) into the store. */
bool store_load_file(store_t *s, const char *path, size_t *count);

/* Host. */
void host_init(host_t *h, const answer_t *answers, size_t answer_count);
void host_free(host_t *h);
void host_clear_get_log(host_t *h);
/* The gate: arm it, wait until a get has entered it, release it. */
void host_gate_arm(host_t *h);
bool host_gate_wait_entered(host_t *h, int seconds); /* false on timeout */
void host_gate_release(host_t *h);
/* Buffers given out by blockstore_get and not yet freed. */
long host_outstanding(host_t *h);
/* A complete callback table over h (every callback set). */
FernHostCallbacks host_callbacks(host_t *h);

#endif /* FERN_TEST_HOST_H */
