// C trampolines between Fern's callback table (fern.h) and the Go callbacks exported from
// callbacks.go. They exist so that (1) each function pointer has exactly the type fern.h
// declares (the exported Go functions drop `const`), and (2) the table's `void *handle` is
// converted to and from the integer value of a runtime/cgo.Handle on the C side, never as an
// unsafe.Pointer in Go.

#include <stdint.h>
#include "fern.h"
#include "_cgo_export.h"

static int32_t tramp_get(void *h, const uint8_t *cid, size_t cid_len, uint8_t **data,
                         size_t *data_len) {
	return fernGoBlockstoreGet((uintptr_t)h, (uint8_t *)cid, cid_len, data, data_len);
}

static void tramp_free(void *h, uint8_t *data, size_t len) {
	fernGoBlockstoreFree((uintptr_t)h, data, len);
}

static int32_t tramp_put(void *h, const uint8_t *cid, size_t cid_len, const uint8_t *data,
                         size_t data_len) {
	return fernGoBlockstorePut((uintptr_t)h, (uint8_t *)cid, cid_len, (uint8_t *)data, data_len);
}

static int32_t tramp_put_many(void *h, const FernBlock *blocks, size_t count) {
	return fernGoBlockstorePutMany((uintptr_t)h, (FernBlock *)blocks, count);
}

static int32_t tramp_has(void *h, const uint8_t *cid, size_t cid_len, bool *has) {
	return fernGoBlockstoreHas((uintptr_t)h, (uint8_t *)cid, cid_len, has);
}

static int32_t tramp_chain_randomness(void *h, int64_t epoch, uint8_t *out) {
	return fernGoRandomness((uintptr_t)h, 0, epoch, out);
}

static int32_t tramp_beacon_randomness(void *h, int64_t epoch, uint8_t *out) {
	return fernGoRandomness((uintptr_t)h, 1, epoch, out);
}

static int32_t tramp_tipset_cid(void *h, int64_t epoch, uint8_t *out, size_t capacity,
                                size_t *out_len) {
	return fernGoTipsetCid((uintptr_t)h, epoch, out, capacity, out_len);
}

static int32_t tramp_verify_consensus_fault(void *h, const uint8_t *h1, size_t h1_len,
                                            const uint8_t *h2, size_t h2_len,
                                            const uint8_t *extra, size_t extra_len,
                                            FernConsensusFault *fault) {
	return fernGoVerifyConsensusFault((uintptr_t)h, (uint8_t *)h1, h1_len, (uint8_t *)h2, h2_len,
	                                  (uint8_t *)extra, extra_len, fault);
}

static int32_t tramp_verify_seals(void *h, const FernSlice *infos, size_t count, bool *valid) {
	return fernGoVerifySeals((uintptr_t)h, (FernSlice *)infos, count, valid);
}

static int32_t tramp_verify_post(void *h, const uint8_t *info, size_t len, bool *valid) {
	return fernGoVerifyProof((uintptr_t)h, 0, (uint8_t *)info, len, valid);
}

static int32_t tramp_verify_aggregate_seals(void *h, const uint8_t *info, size_t len,
                                            bool *valid) {
	return fernGoVerifyProof((uintptr_t)h, 1, (uint8_t *)info, len, valid);
}

static int32_t tramp_verify_replica_update(void *h, const uint8_t *info, size_t len,
                                           bool *valid) {
	return fernGoVerifyProof((uintptr_t)h, 2, (uint8_t *)info, len, valid);
}

void fern_go_fill_callbacks(FernHostCallbacks *cb, uintptr_t handle, int externs, int proofs) {
	cb->handle = (void *)handle;
	cb->blockstore_get = tramp_get;
	cb->blockstore_free = tramp_free;
	cb->blockstore_put = tramp_put;
	cb->blockstore_put_many = tramp_put_many;
	cb->blockstore_has = tramp_has;
	cb->chain_randomness = externs ? tramp_chain_randomness : NULL;
	cb->beacon_randomness = externs ? tramp_beacon_randomness : NULL;
	cb->tipset_cid = externs ? tramp_tipset_cid : NULL;
	cb->verify_consensus_fault = externs ? tramp_verify_consensus_fault : NULL;
	cb->verify_seals = proofs ? tramp_verify_seals : NULL;
	cb->verify_post = proofs ? tramp_verify_post : NULL;
	cb->verify_aggregate_seals = proofs ? tramp_verify_aggregate_seals : NULL;
	cb->verify_replica_update = proofs ? tramp_verify_replica_update : NULL;
}
