/*
 * fern.h: the C interface of Fern, an independent Filecoin Virtual Machine.
 *
 * A node creates an executor per tipset (fern_executor_new) from network and epoch settings,
 * a state root and one table of host callbacks; applies messages (fern_executor_apply);
 * flushes the new state root (fern_executor_flush); and frees it (fern_executor_free).
 *
 * Every function returns a FernStatus. On failure, when `error` is not NULL, *error receives a
 * NUL-terminated message to free with fern_string_free. Buffers passed in are borrowed for the
 * call; every buffer returned has a free function. No panic crosses this boundary.
 *
 * Specification: FIPS/ffi.md. Link: libfern_ffi.a (with -lpthread -ldl -lm) or libfern_ffi.so.
 */

#ifndef FERN_H
#define FERN_H

/* Generated from ffi/src by cbindgen (ffi/tests/header.rs checks it is current). Do not edit. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Flag: record each message's execution trace (returned as `exec_trace`).
#define FERN_FLAG_TRACING 1

// Flag: enable actor debugging (`debug::log` and artifacts). Consensus-relevant: only for
// local networks or replays, never for validating a real chain.
#define FERN_FLAG_ACTOR_DEBUGGING 2

// Flag: a flush writes every block created since the executor began, not only those
// reachable from the new state root (filecoin-ffi's `flush_all_blocks`; for debugging).
#define FERN_FLAG_FLUSH_ALL_BLOCKS 4

// Flag: also accept the network version in development (nv30, with nv29's prices and rules),
// as ref-fvm 4.8.4 does only when built with its `nv30-dev` feature. Never for a real chain.
#define FERN_FLAG_DEVELOPMENT_VERSIONS 8

// Every flag this library knows; any other bit is rejected.
#define FERN_KNOWN_FLAGS (((FERN_FLAG_TRACING | FERN_FLAG_ACTOR_DEBUGGING) | FERN_FLAG_FLUSH_ALL_BLOCKS) | FERN_FLAG_DEVELOPMENT_VERSIONS)

// Widest token amount accepted, in bytes of magnitude (128 bits: every attoFIL amount, and
// the range filecoin-ffi's interface carries).
#define FERN_MAX_TOKEN_AMOUNT_BYTES 16

// Highest accepted concurrency.
#define FERN_MAX_CONCURRENCY 256

// `apply_kind` of a message included in a block: validated, charged for inclusion, pays gas.
#define FERN_APPLY_EXPLICIT 0

// `apply_kind` of a system message (cron, rewards): no validation, no inclusion charge.
#define FERN_APPLY_IMPLICIT 1

// Longest CID a host may return from `tipset_cid`, in bytes.
#define FERN_MAX_CID_LEN 100

// Most blocks in one `blockstore_put_many` call.
#define FERN_PUT_MANY_MAX_BLOCKS 65536

// A `blockstore_put_many` batch is sent once its data would pass this many bytes (64 MiB).
#define FERN_PUT_MANY_MAX_BYTES (64 << 20)

// Stack of an execution thread: 1 GiB of address space (committed only as used), the size
// Fern's own differential tests run actors on. Actor calls nest on the native stack up to
// 1 024 levels deep.
#define FERN_EXECUTION_STACK_BYTES (1 << 30)

// Most threads kept waiting for an executor.
#define MAX_IDLE_THREADS 16

// The outcome of a call into Fern.
enum FernStatus
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // The call succeeded.
  FERN_STATUS_OK = 0,
  // A required pointer argument was NULL.
  FERN_STATUS_NULL_POINTER = 1,
  // An argument was malformed: a CID, a token amount, a flag, an apply kind, a callback
  // table without a required callback, a state root the blockstore does not have.
  FERN_STATUS_INVALID_ARGUMENT = 2,
  // The network version is outside what this library executes (see `fern_library_info`).
  FERN_STATUS_UNSUPPORTED_NETWORK_VERSION = 3,
  // The message bytes are not the CBOR of a Filecoin message, or the message is malformed
  // (e.g. a negative value). No state changed.
  FERN_STATUS_INVALID_MESSAGE = 4,
  // A block Fern needed was not in the host's blockstore (the message names its CID). When
  // returned by an apply, no receipt exists and the executor is poisoned.
  FERN_STATUS_MISSING_BLOCK = 5,
  // A host callback failed (I/O error, panic, an unusable answer, a callback the call needed
  // but the table left NULL). When returned by an apply, no receipt exists and the executor
  // is poisoned.
  FERN_STATUS_HOST_FAILURE = 6,
  // Fern failed fatally (the state is unusable); the executor is poisoned.
  FERN_STATUS_FATAL = 7,
  // Another thread is using this executor right now; nothing was done.
  FERN_STATUS_BUSY = 8,
  // An earlier failure poisoned this executor; only `fern_executor_free` is useful now.
  FERN_STATUS_POISONED = 9,
  // Fern panicked (a bug). The executor, if one was involved, is poisoned.
  FERN_STATUS_PANIC = 10,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum FernStatus FernStatus;
#else
typedef int32_t FernStatus;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Status codes a host callback returns (filecoin-ffi's cgo callback codes: 0 and -1 to -5).
enum FernHostStatus
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // The call succeeded.
  FERN_HOST_STATUS_OK = 0,
  // The host handle is not one the host knows.
  FERN_HOST_STATUS_INVALID_HANDLE = -1,
  // The block (or datum) does not exist.
  FERN_HOST_STATUS_NOT_FOUND = -2,
  // The host's storage failed.
  FERN_HOST_STATUS_IO_ERROR = -3,
  // The host rejects the input (e.g. undecodable proof or block-header bytes).
  FERN_HOST_STATUS_INVALID_ARGUMENT = -4,
  // The host's callback panicked (and caught it).
  FERN_HOST_STATUS_PANIC = -5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum FernHostStatus FernHostStatus;
#else
typedef int32_t FernHostStatus;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// An executor (opaque to C): see the module documentation.
typedef struct FernExecutor FernExecutor;

// What this library is and runs.
typedef struct FernLibraryInfo {
  // Fern's version, a static NUL-terminated string (never freed).
  const char *version;
  // Oldest network version executors accept.
  uint32_t min_network_version;
  // Newest network version executors accept.
  uint32_t max_network_version;
  // Messages that may execute at once on one shared engine (the `FERN_CONCURRENCY`
  // environment variable, 1 to 256, else the number of cores); read once per process.
  uint32_t concurrency;
} FernLibraryInfo;

// Bytes Fern allocated and the caller owns until it passes them to [`fern_buffer_free`] (or
// frees the structure that holds them). An empty buffer is (NULL, 0).
typedef struct FernBuffer {
  // First byte (NULL when empty).
  uint8_t *data;
  // Number of bytes.
  size_t len;
} FernBuffer;

// Bytes the caller lends Fern for the duration of one call. `data` may be NULL only when `len`
// is 0. Fern copies what it keeps.
typedef struct FernSlice {
  // First byte.
  const uint8_t *data;
  // Number of bytes.
  size_t len;
} FernSlice;

// One actor-code redirect: actors whose code CID is `from` run the Wasm of `to`.
typedef struct FernCodeRedirect {
  // The code CID actors have in the state tree (binary CID).
  struct FernSlice from;
  // The code CID whose Wasm runs instead (binary CID; the block must be in the blockstore).
  struct FernSlice to;
} FernCodeRedirect;

// The settings of an executor: one tipset's machine.
//
// Token amounts are in attoFIL, in Filecoin's big-integer byte form: empty for zero, else a
// sign byte (`0x00`) and the big-endian magnitude, at most [`FERN_MAX_TOKEN_AMOUNT_BYTES`]
// bytes of it once leading zero bytes are left out. Negative amounts are rejected. CIDs are
// binary CIDs.
typedef struct FernExecutorConfig {
  // The network version (17 to 29 in this release; see `fern_library_info`).
  uint32_t network_version;
  // The epoch of the tipset being executed.
  int64_t epoch;
  // The tipset's UNIX timestamp, in seconds.
  uint64_t timestamp;
  // The chain id (EIP-155; 314 on mainnet).
  uint64_t chain_id;
  // The base fee, attoFIL.
  struct FernSlice base_fee;
  // The circulating supply, attoFIL.
  struct FernSlice circulating_supply;
  // The state root to start from (the blockstore must have it).
  struct FernSlice state_root;
  // `FERN_FLAG_*` bits.
  uint32_t flags;
  // Optional: the root of a built-in actors manifest (`[version, data]`) to use instead of
  // the one the system actor names. Empty for none (a real chain). Test states made by
  // ref-fvm's integration tester need it.
  struct FernSlice manifest;
  // Optional actor-code redirects (debug bundles); NULL when `actor_redirect_len` is 0.
  const struct FernCodeRedirect *actor_redirect;
  // Number of redirects.
  size_t actor_redirect_len;
  // Optional directory for the compiled-module cache on disk (NULL for none): compiled actor
  // code is kept there and reused by later processes (FIPS/engine.md, "Compiled-module cache
  // on disk"). Created if missing; a directory that cannot be created is `INVALID_ARGUMENT`.
  const char *module_cache_dir;
} FernExecutorConfig;

// `blockstore_get`: on `OK` the host stores in `*data`/`*data_len` a buffer it allocated
// (NULL/0 for an empty block); Fern copies it and hands it back to `blockstore_free`.
typedef int32_t (*FernBlockstoreGet)(void *handle,
                                     const uint8_t *cid,
                                     size_t cid_len,
                                     uint8_t **data,
                                     size_t *data_len);

// `blockstore_free`: releases a buffer the host returned from `blockstore_get`.
typedef void (*FernBlockstoreFree)(void *handle, uint8_t *data, size_t len);

// `blockstore_put`: stores one block (both buffers are borrowed).
typedef int32_t (*FernBlockstorePut)(void *handle,
                                     const uint8_t *cid,
                                     size_t cid_len,
                                     const uint8_t *data,
                                     size_t data_len);

// One block of a `blockstore_put_many` batch: the CID's bytes and the block's data, both
// borrowed for the duration of the callback.
typedef struct FernBlock {
  // The binary CID.
  struct FernSlice cid;
  // The block's bytes.
  struct FernSlice data;
} FernBlock;

// `blockstore_put_many`: stores `count` blocks (the array and every buffer are borrowed).
typedef int32_t (*FernBlockstorePutMany)(void *handle, const struct FernBlock *blocks, size_t count);

// `blockstore_has`: writes whether the block exists to `*has`.
typedef int32_t (*FernBlockstoreHas)(void *handle, const uint8_t *cid, size_t cid_len, bool *has);

// `chain_randomness` / `beacon_randomness`: writes the 32-byte digest for `epoch` to `out`.
typedef int32_t (*FernRandomness)(void *handle, int64_t epoch, uint8_t *out);

// `tipset_cid`: writes the binary CID of the tipset at `epoch` to `out` (room for `capacity`
// bytes, [`FERN_MAX_CID_LEN`]) and its length to `*out_len`.
typedef int32_t (*FernTipsetCid)(void *handle,
                                 int64_t epoch,
                                 uint8_t *out,
                                 size_t capacity,
                                 size_t *out_len);

// A consensus fault as the host reports it.
typedef struct FernConsensusFault {
  // 0 for no fault, else the fault type: 1 double-fork mining, 2 parent grinding, 3
  // time-offset mining (fvm_shared's `ConsensusFaultType` numbers).
  int64_t fault_type;
  // The offending miner's actor id (read only when `fault_type` is not 0).
  uint64_t miner_id;
  // The epoch of the fault (read only when `fault_type` is not 0).
  int64_t epoch;
  // Gas the host spent checking. Informational: the kernel charges the price list's flat fee.
  int64_t gas_used;
} FernConsensusFault;

// `verify_consensus_fault`: checks two block headers and extra evidence; fills `*fault`.
typedef int32_t (*FernVerifyConsensusFault)(void *handle,
                                            const uint8_t *h1,
                                            size_t h1_len,
                                            const uint8_t *h2,
                                            size_t h2_len,
                                            const uint8_t *extra,
                                            size_t extra_len,
                                            struct FernConsensusFault *fault);

// `verify_seals`: a batch of `count` seals, each the CBOR of fvm_shared's `SealVerifyInfo`;
// writes one verdict per seal to `valid[0..count]`.
typedef int32_t (*FernVerifySeals)(void *handle,
                                   const struct FernSlice *infos,
                                   size_t count,
                                   bool *valid);

// `verify_post`, `verify_aggregate_seals`, `verify_replica_update`: the DAG-CBOR of the
// proof's info (fvm_shared's `WindowPoStVerifyInfo`, `AggregateSealVerifyProofAndInfos`,
// `ReplicaUpdateInfo` tuples) in, the verdict out in `*valid`.
typedef int32_t (*FernVerifyProof)(void *handle, const uint8_t *info, size_t info_len, bool *valid);

// The host's services, as one table of C function pointers and an opaque handle passed back to
// every callback.
//
// Fern copies the table when an executor is created; `handle` must stay valid until
// `fern_executor_free` returns. Fern calls the callbacks from its own execution thread (not the
// thread that called `fern_executor_apply`), never two at once for one executor, but callbacks
// of different executors may run at the same time. The four blockstore callbacks other than
// `blockstore_put_many` are required; every other may be NULL, and a call that needs a NULL
// callback fails as a host failure.
typedef struct FernHostCallbacks {
  // Passed as the first argument of every callback.
  void *handle;
  // Reads a block (required).
  FernBlockstoreGet blockstore_get;
  // Frees what `blockstore_get` returned (required).
  FernBlockstoreFree blockstore_free;
  // Writes a block (required).
  FernBlockstorePut blockstore_put;
  // Writes a batch of blocks; when NULL, Fern calls `blockstore_put` per block. Flushes send
  // batches of at most [`FERN_PUT_MANY_MAX_BLOCKS`] blocks and about [`FERN_PUT_MANY_MAX_BYTES`] bytes.
  FernBlockstorePutMany blockstore_put_many;
  // Tells whether a block exists (required).
  FernBlockstoreHas blockstore_has;
  // The ticket-chain randomness digest at an epoch.
  FernRandomness chain_randomness;
  // The drand beacon randomness digest at an epoch.
  FernRandomness beacon_randomness;
  // The CID of the tipset at an epoch.
  FernTipsetCid tipset_cid;
  // Consensus-fault verification.
  FernVerifyConsensusFault verify_consensus_fault;
  // Batch seal verification (`crypto::batch_verify_seals`).
  FernVerifySeals verify_seals;
  // Window PoSt verification.
  FernVerifyProof verify_post;
  // Aggregate seal verification.
  FernVerifyProof verify_aggregate_seals;
  // Replica-update verification.
  FernVerifyProof verify_replica_update;
} FernHostCallbacks;

// The outcome of one message: its receipt, its gas outputs, and what a node shows about it.
//
// Fern owns every buffer until the caller passes the result to [`fern_apply_result_free`],
// which frees them all. Token amounts are attoFIL in Filecoin's big-integer byte form (empty
// for zero, else `0x00` and the big-endian magnitude; never negative here).
typedef struct FernApplyResult {
  // The receipt's exit code.
  uint32_t exit_code;
  // The receipt's return bytes.
  struct FernBuffer return_data;
  // The codec of the return value; 0 when there is none.
  uint64_t return_codec;
  // The receipt's gas used.
  uint64_t gas_used;
  // The receipt's events root (binary CID); empty when the message emitted no event.
  struct FernBuffer events_root;
  // The events, DAG-CBOR of a list of `StampedEvent` (`[emitter, [[flags, key, codec,
  // value], ...]]`, fvm_shared's encoding); empty when there are none.
  struct FernBuffer events;
  // What the block miner is penalized.
  struct FernBuffer penalty;
  // The tip paid to the block miner (through the reward actor).
  struct FernBuffer miner_tip;
  // Base fee burned.
  struct FernBuffer base_fee_burn;
  // Over-estimation fee burned.
  struct FernBuffer over_estimation_burn;
  // Refunded to the sender.
  struct FernBuffer refund;
  // Unused gas refunded.
  uint64_t gas_refund;
  // Unused gas burned.
  uint64_t gas_burned;
  // Why the message failed, as text for people (pre-validation reason or backtrace); NULL
  // when it did not fail.
  char *failure_info;
  // With tracing on, the execution trace in Lotus's `ExecutionTrace` CBOR shape (FIPS/ffi.md);
  // empty otherwise, and for messages rejected before execution.
  struct FernBuffer exec_trace;
} FernApplyResult;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// Describes the library: its version, the network versions it runs, its concurrency.
// Safe to call from any thread at any time.
struct FernLibraryInfo fern_library_info(void);

// Frees a buffer Fern returned by value (a flushed state root). Freeing an empty buffer does
// nothing.
//
// # Safety
// `buffer` came from this library and was not freed before.
void fern_buffer_free(struct FernBuffer buffer);

// Creates an executor over the state `config.state_root` of the host's blockstore.
//
// Checks the configuration, opens the state and the built-in actors' manifest through the
// callbacks, and starts the executor's thread. The callback table is copied; its `handle`
// must stay valid until [`fern_executor_free`] returns. Executors of the same network
// configuration share one engine, so actors compiled for one are not compiled again for the
// next.
//
// Returns `FERN_STATUS_OK` and stores the executor in `*out`, or: `NULL_POINTER`,
// `UNSUPPORTED_NETWORK_VERSION`, `INVALID_ARGUMENT` (bad CID, amount, flags, a required
// callback missing, a state root the blockstore lacks, a manifest or state that does not
// decode), `MISSING_BLOCK` (a block of the state or manifest is not in the blockstore; the
// message names it), `HOST_FAILURE` (a callback failed while opening the state), `PANIC`.
//
// # Safety
// `config` and `callbacks` point to valid structures whose buffers are readable for the call;
// `out` is writable; `error` is NULL or writable.
FernStatus fern_executor_new(const struct FernExecutorConfig *config,
                             const struct FernHostCallbacks *callbacks,
                             struct FernExecutor **out,
                             char **error);

// Applies one message and returns its outcome in `*out` (free it with
// `fern_apply_result_free`).
//
// `message` is the CBOR of an unsigned Filecoin message (fvm_shared's 10-field `Message`).
// `apply_kind` is [`FERN_APPLY_EXPLICIT`] or [`FERN_APPLY_IMPLICIT`]. `chain_len` is the
// message's on-chain size in bytes (the signed message's length for explicit messages; it
// prices inclusion), ignored for implicit ones.
//
// A failed message is not an error: its receipt says why. Errors: `NULL_POINTER`,
// `INVALID_ARGUMENT` (unknown kind), `INVALID_MESSAGE` (nothing changed), `BUSY` (another call
// is running on this executor; nothing changed), `POISONED`, and the failures that leave no
// receipt and poison the executor: `MISSING_BLOCK` (the message names the CID), `HOST_FAILURE`,
// `FATAL`, `PANIC`. Blocks only while another executor's message holds every execution slot of
// the shared engine (see `fern_library_info`'s concurrency).
//
// # Safety
// `executor` came from `fern_executor_new` and is not freed; `message` is readable for
// `message_len` bytes; `out` is writable; `error` is NULL or writable.
FernStatus fern_executor_apply(const struct FernExecutor *executor,
                               const uint8_t *message,
                               size_t message_len,
                               uint32_t apply_kind,
                               size_t chain_len,
                               struct FernApplyResult **out,
                               char **error);

// Writes the state reached so far to the host's blockstore and returns the new state root
// (binary CID) in `*root`; free it with `fern_buffer_free`.
//
// Only blocks reachable from the new root are written (every created block with
// `FERN_FLAG_FLUSH_ALL_BLOCKS`), through `blockstore_put_many` in batches. On failure
// (`MISSING_BLOCK`, `HOST_FAILURE`, `FATAL`) the executor keeps every unwritten block and the
// flush may be retried; `BUSY`, `POISONED` and `NULL_POINTER` change nothing.
//
// # Safety
// `executor` came from `fern_executor_new` and is not freed; `root` is writable; `error` is
// NULL or writable.
FernStatus fern_executor_flush(const struct FernExecutor *executor,
                               struct FernBuffer *root,
                               char **error);

// How many modules the engine this executor uses has compiled so far, across every executor
// sharing it (successful or not). A second executor of the same configuration applying the
// same messages leaves it unchanged. Returns `NULL_POINTER` when an argument is NULL.
//
// # Safety
// `executor` is NULL or a live executor; `out` is NULL or writable.
FernStatus fern_executor_compilations(const struct FernExecutor *executor, uint64_t *out);

// Destroys an executor: stops its thread and drops every block not flushed. NULL is ignored.
// Must not be called while another call on the same executor is in progress.
//
// # Safety
// `executor` is NULL or came from `fern_executor_new` and was not freed.
void fern_executor_free(struct FernExecutor *executor);

// Frees a result from `fern_executor_apply` and every buffer in it. NULL is ignored.
//
// # Safety
// `result` is NULL or a result from this library, not yet freed.
void fern_apply_result_free(struct FernApplyResult *result);

// Frees a string Fern returned (an error message, a failure info). NULL is ignored.
//
// # Safety
// `s` is NULL or a string from this library, not yet freed.
void fern_string_free(char *s);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* FERN_H */
