package fern

// The Go side of Fern's host callbacks. Fern calls these (through the trampolines in
// callbacks.c) from its own execution thread. Each one finds the host's services through the
// runtime/cgo.Handle stored in the callback table, never lets a Go panic escape into C, and maps
// Go errors to FernHostStatus codes.
//
// This file has //export functions, so its preamble holds declarations only.

/*
#include <stdlib.h>
#include "fern.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"unsafe"
)

// host is what a callback table's handle refers to.
type host struct {
	bs Blockstore
	ex Externs
	pv ProofVerifier

	mu       sync.Mutex
	firstErr error // first callback error since the last takeErr
}

// record keeps the first callback error of an operation, to attach to the error it causes.
func (h *host) record(err error) {
	h.mu.Lock()
	if h.firstErr == nil {
		h.firstErr = err
	}
	h.mu.Unlock()
}

func (h *host) takeErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.firstErr
	h.firstErr = nil
	return err
}

// outstandingGets counts buffers handed to Fern by blockstore_get and not yet freed.
var outstandingGets int64

const (
	hostOK              = C.int32_t(C.FERN_HOST_STATUS_OK)
	hostInvalidHandle   = C.int32_t(C.FERN_HOST_STATUS_INVALID_HANDLE)
	hostNotFound        = C.int32_t(C.FERN_HOST_STATUS_NOT_FOUND)
	hostIOError         = C.int32_t(C.FERN_HOST_STATUS_IO_ERROR)
	hostInvalidArgument = C.int32_t(C.FERN_HOST_STATUS_INVALID_ARGUMENT)
	hostPanic           = C.int32_t(C.FERN_HOST_STATUS_PANIC)
)

// CallbackPanic is the error recorded when a host callback panics; the panic is recovered and
// Fern is told FERN_HOST_STATUS_PANIC. It is reachable with errors.As from the error of the
// call that met it.
type CallbackPanic struct {
	Callback string
	Value    interface{}
}

func (p *CallbackPanic) Error() string {
	return fmt.Sprintf("fern: host callback %s panicked: %v", p.Callback, p.Value)
}

// lookup finds the host behind a handle, or nil for a handle that is not live.
func lookup(h C.uintptr_t) (hst *host) {
	if h == 0 {
		return nil
	}
	defer func() {
		if recover() != nil { // cgo.Handle.Value panics on a deleted or bogus handle
			hst = nil
		}
	}()
	hst, _ = cgo.Handle(h).Value().(*host)
	return hst
}

// guard is deferred by every callback: it turns a panic into FERN_HOST_STATUS_PANIC.
func guard(h C.uintptr_t, name string, status *C.int32_t) {
	if r := recover(); r != nil {
		*status = hostPanic
		func() {
			defer func() { _ = recover() }()
			if hst := lookup(h); hst != nil {
				hst.record(&CallbackPanic{Callback: name, Value: r})
			}
		}()
	}
}

// fail records err and returns the status it maps to.
func fail(hst *host, name string, err error) C.int32_t {
	switch {
	case errors.Is(err, ErrNotFound):
		// Not a failure of the host by itself (blockstore_has uses it, and Fern reports
		// the missing block); still recorded for the error it may cause.
		hst.record(fmt.Errorf("%s: %w", name, err))
		return hostNotFound
	case errors.Is(err, ErrInvalidArgument):
		hst.record(fmt.Errorf("%s: %w", name, err))
		return hostInvalidArgument
	default:
		hst.record(fmt.Errorf("%s: %w", name, err))
		return hostIOError
	}
}

func goBytes(p *C.uint8_t, n C.size_t) []byte {
	if n == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

//export fernGoBlockstoreGet
func fernGoBlockstoreGet(h C.uintptr_t, cid *C.uint8_t, cidLen C.size_t, data **C.uint8_t, dataLen *C.size_t) (status C.int32_t) {
	defer guard(h, "blockstore_get", &status)
	hst := lookup(h)
	if hst == nil {
		return hostInvalidHandle
	}
	block, err := hst.bs.Get(goBytes(cid, cidLen))
	if err != nil {
		return fail(hst, "blockstore_get", err)
	}
	if len(block) == 0 {
		*data, *dataLen = nil, 0
		return hostOK
	}
	buf := C.malloc(C.size_t(len(block)))
	if buf == nil {
		return fail(hst, "blockstore_get", errors.New("out of C memory"))
	}
	copy(unsafe.Slice((*byte)(buf), len(block)), block)
	atomic.AddInt64(&outstandingGets, 1)
	*data, *dataLen = (*C.uint8_t)(buf), C.size_t(len(block))
	return hostOK
}

//export fernGoBlockstoreFree
func fernGoBlockstoreFree(h C.uintptr_t, data *C.uint8_t, n C.size_t) {
	if data != nil {
		C.free(unsafe.Pointer(data))
		atomic.AddInt64(&outstandingGets, -1)
	}
}

//export fernGoBlockstorePut
func fernGoBlockstorePut(h C.uintptr_t, cid *C.uint8_t, cidLen C.size_t, data *C.uint8_t, dataLen C.size_t) (status C.int32_t) {
	defer guard(h, "blockstore_put", &status)
	hst := lookup(h)
	if hst == nil {
		return hostInvalidHandle
	}
	if err := hst.bs.Put(goBytes(cid, cidLen), goBytes(data, dataLen)); err != nil {
		return fail(hst, "blockstore_put", err)
	}
	return hostOK
}

//export fernGoBlockstorePutMany
func fernGoBlockstorePutMany(h C.uintptr_t, blocks *C.FernBlock, count C.size_t) (status C.int32_t) {
	defer guard(h, "blockstore_put_many", &status)
	hst := lookup(h)
	if hst == nil {
		return hostInvalidHandle
	}
	if count == 0 {
		return hostOK
	}
	in := unsafe.Slice(blocks, int(count))
	batch := make([]Block, len(in))
	for i, b := range in {
		batch[i] = Block{
			Cid:  goBytes((*C.uint8_t)(unsafe.Pointer(b.cid.data)), b.cid.len),
			Data: goBytes((*C.uint8_t)(unsafe.Pointer(b.data.data)), b.data.len),
		}
	}
	if err := hst.bs.PutMany(batch); err != nil {
		return fail(hst, "blockstore_put_many", err)
	}
	return hostOK
}

//export fernGoBlockstoreHas
func fernGoBlockstoreHas(h C.uintptr_t, cid *C.uint8_t, cidLen C.size_t, has *C.bool) (status C.int32_t) {
	defer guard(h, "blockstore_has", &status)
	hst := lookup(h)
	if hst == nil {
		return hostInvalidHandle
	}
	ok, err := hst.bs.Has(goBytes(cid, cidLen))
	if err != nil {
		return fail(hst, "blockstore_has", err)
	}
	*has = C.bool(ok)
	return hostOK
}

//export fernGoRandomness
func fernGoRandomness(h C.uintptr_t, beacon C.int, epoch C.int64_t, out *C.uint8_t) (status C.int32_t) {
	name := "chain_randomness"
	if beacon != 0 {
		name = "beacon_randomness"
	}
	defer guard(h, name, &status)
	hst := lookup(h)
	if hst == nil || hst.ex == nil {
		return hostInvalidHandle
	}
	var digest [32]byte
	var err error
	if beacon != 0 {
		digest, err = hst.ex.BeaconRandomness(int64(epoch))
	} else {
		digest, err = hst.ex.ChainRandomness(int64(epoch))
	}
	if err != nil {
		return fail(hst, name, err)
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(out)), 32), digest[:])
	return hostOK
}

//export fernGoTipsetCid
func fernGoTipsetCid(h C.uintptr_t, epoch C.int64_t, out *C.uint8_t, capacity C.size_t, outLen *C.size_t) (status C.int32_t) {
	defer guard(h, "tipset_cid", &status)
	hst := lookup(h)
	if hst == nil || hst.ex == nil {
		return hostInvalidHandle
	}
	cid, err := hst.ex.TipsetCid(int64(epoch))
	if err != nil {
		return fail(hst, "tipset_cid", err)
	}
	if len(cid) > int(capacity) {
		return fail(hst, "tipset_cid", fmt.Errorf("the CID is %d bytes, more than the %d allowed", len(cid), capacity))
	}
	if len(cid) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(out)), len(cid)), cid)
	}
	*outLen = C.size_t(len(cid))
	return hostOK
}

//export fernGoVerifyConsensusFault
func fernGoVerifyConsensusFault(h C.uintptr_t, h1 *C.uint8_t, h1Len C.size_t, h2 *C.uint8_t, h2Len C.size_t, extra *C.uint8_t, extraLen C.size_t, fault *C.FernConsensusFault) (status C.int32_t) {
	defer guard(h, "verify_consensus_fault", &status)
	hst := lookup(h)
	if hst == nil || hst.ex == nil {
		return hostInvalidHandle
	}
	f, err := hst.ex.VerifyConsensusFault(goBytes(h1, h1Len), goBytes(h2, h2Len), goBytes(extra, extraLen))
	if err != nil {
		return fail(hst, "verify_consensus_fault", err)
	}
	fault.fault_type = C.int64_t(f.Type)
	fault.miner_id = C.uint64_t(f.MinerID)
	fault.epoch = C.int64_t(f.Epoch)
	fault.gas_used = C.int64_t(f.GasUsed)
	return hostOK
}

//export fernGoVerifySeals
func fernGoVerifySeals(h C.uintptr_t, infos *C.FernSlice, count C.size_t, valid *C.bool) (status C.int32_t) {
	defer guard(h, "verify_seals", &status)
	hst := lookup(h)
	if hst == nil || hst.pv == nil {
		return hostInvalidHandle
	}
	if count == 0 {
		return hostOK
	}
	in := unsafe.Slice(infos, int(count))
	seals := make([][]byte, len(in))
	for i, s := range in {
		seals[i] = goBytes((*C.uint8_t)(unsafe.Pointer(s.data)), s.len)
	}
	verdicts, err := hst.pv.VerifySeals(seals)
	if err != nil {
		return fail(hst, "verify_seals", err)
	}
	if len(verdicts) != len(seals) {
		return fail(hst, "verify_seals", fmt.Errorf("%d verdicts for %d seals", len(verdicts), len(seals)))
	}
	out := unsafe.Slice(valid, int(count))
	for i, v := range verdicts {
		out[i] = C.bool(v)
	}
	return hostOK
}

//export fernGoVerifyProof
func fernGoVerifyProof(h C.uintptr_t, which C.int, info *C.uint8_t, infoLen C.size_t, valid *C.bool) (status C.int32_t) {
	name := [...]string{"verify_post", "verify_aggregate_seals", "verify_replica_update"}[which]
	defer guard(h, name, &status)
	hst := lookup(h)
	if hst == nil || hst.pv == nil {
		return hostInvalidHandle
	}
	b := goBytes(info, infoLen)
	var ok bool
	var err error
	switch which {
	case 0:
		ok, err = hst.pv.VerifyPoSt(b)
	case 1:
		ok, err = hst.pv.VerifyAggregateSeals(b)
	default:
		ok, err = hst.pv.VerifyReplicaUpdate(b)
	}
	if err != nil {
		return fail(hst, name, err)
	}
	*valid = C.bool(ok)
	return hostOK
}
