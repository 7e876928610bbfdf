// Package fern is a cgo binding of Fern's C interface (ffi/include/fern.h): the Filecoin
// virtual machine a Go node links instead of ref-fvm.
//
// A node creates an Executor per tipset with NewExecutor, from network and epoch settings, a
// state root, and its services: a Blockstore, chain Externs, and an optional ProofVerifier.
// It applies messages with ApplyMessage, writes the new state with Flush, and releases the
// executor with Close.
//
// The Rust library must be built first (`cargo build --release -p fern_ffi` at the repository
// root); this package links target/release/libfern_ffi.a statically.
package fern

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libfern_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#include <stdlib.h>
#include "fern.h"

// Defined in callbacks.c.
void fern_go_fill_callbacks(FernHostCallbacks *cb, uintptr_t handle, int externs, int proofs);
*/
import "C"

import (
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"unsafe"
)

// ---------------------------------------------------------------------------------------------
// Host services

// ErrNotFound is what a Blockstore returns (possibly wrapped) for a block it does not have.
// Fern is told FERN_HOST_STATUS_NOT_FOUND.
var ErrNotFound = errors.New("fern: not found")

// Block is one block of a Blockstore.PutMany batch.
type Block struct {
	Cid  []byte // binary CID
	Data []byte
}

// Blockstore is the node's block storage. CIDs are binary CIDs. Methods are called from
// Fern's execution threads: never two at once for one executor, but executors sharing a
// Blockstore call it concurrently. Byte slices passed in are the callee's to keep.
type Blockstore interface {
	// Get returns the block, or an error wrapping ErrNotFound when it is absent.
	Get(cid []byte) ([]byte, error)
	Put(cid, data []byte) error
	PutMany(blocks []Block) error
	Has(cid []byte) (bool, error)
}

// Consensus fault types (fvm_shared's ConsensusFaultType numbers).
const (
	NoFault          int64 = 0
	DoubleForkMining int64 = 1
	ParentGrinding   int64 = 2
	TimeOffsetMining int64 = 3
)

// ConsensusFault is the answer of Externs.VerifyConsensusFault.
type ConsensusFault struct {
	Type    int64  // NoFault, DoubleForkMining, ParentGrinding or TimeOffsetMining
	MinerID uint64 // the offending miner's actor id (when Type is not NoFault)
	Epoch   int64  // the fault's epoch (when Type is not NoFault)
	GasUsed int64  // informational
}

// Externs are the chain services an executor asks for. Returning an error wrapping
// ErrInvalidArgument from VerifyConsensusFault means the evidence is invalid (the actor sees
// the syscall fail); any other error is a host failure that aborts the message.
type Externs interface {
	ChainRandomness(epoch int64) ([32]byte, error)
	BeaconRandomness(epoch int64) ([32]byte, error)
	// TipsetCid returns the binary CID of the tipset at epoch (at most 100 bytes).
	TipsetCid(epoch int64) ([]byte, error)
	VerifyConsensusFault(h1, h2, extra []byte) (ConsensusFault, error)
}

// ProofVerifier verifies proofs. Each input is DAG-CBOR: fvm_shared's SealVerifyInfo (one per
// seal), WindowPoStVerifyInfo, AggregateSealVerifyProofAndInfos and ReplicaUpdateInfo. An
// error wrapping ErrInvalidArgument rejects the input (the proof is invalid); any other error
// is a host failure that aborts the message.
type ProofVerifier interface {
	VerifySeals(infos [][]byte) ([]bool, error)
	VerifyPoSt(info []byte) (bool, error)
	VerifyAggregateSeals(info []byte) (bool, error)
	VerifyReplicaUpdate(info []byte) (bool, error)
}

// ---------------------------------------------------------------------------------------------
// Errors

// Status is a FernStatus code.
type Status int32

// The FernStatus codes.
const (
	StatusOK                        Status = C.FERN_STATUS_OK
	StatusNullPointer               Status = C.FERN_STATUS_NULL_POINTER
	StatusInvalidArgument           Status = C.FERN_STATUS_INVALID_ARGUMENT
	StatusUnsupportedNetworkVersion Status = C.FERN_STATUS_UNSUPPORTED_NETWORK_VERSION
	StatusInvalidMessage            Status = C.FERN_STATUS_INVALID_MESSAGE
	StatusMissingBlock              Status = C.FERN_STATUS_MISSING_BLOCK
	StatusHostFailure               Status = C.FERN_STATUS_HOST_FAILURE
	StatusFatal                     Status = C.FERN_STATUS_FATAL
	StatusBusy                      Status = C.FERN_STATUS_BUSY
	StatusPoisoned                  Status = C.FERN_STATUS_POISONED
	StatusPanic                     Status = C.FERN_STATUS_PANIC
)

var statusNames = map[Status]string{
	StatusOK:                        "OK",
	StatusNullPointer:               "NULL_POINTER",
	StatusInvalidArgument:           "INVALID_ARGUMENT",
	StatusUnsupportedNetworkVersion: "UNSUPPORTED_NETWORK_VERSION",
	StatusInvalidMessage:            "INVALID_MESSAGE",
	StatusMissingBlock:              "MISSING_BLOCK",
	StatusHostFailure:               "HOST_FAILURE",
	StatusFatal:                     "FATAL",
	StatusBusy:                      "BUSY",
	StatusPoisoned:                  "POISONED",
	StatusPanic:                     "PANIC",
}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("FernStatus(%d)", int32(s))
}

// Error is a failure Fern reported: its status and message. Cause, when set, is the first
// error a host callback returned (or a *CallbackPanic) during the failed call.
//
// errors.Is(err, ErrX) compares statuses, so the sentinels below match any Error of their
// status.
type Error struct {
	Status  Status
	Message string
	Cause   error
}

func (e *Error) Error() string {
	msg := "fern: " + e.Status.String()
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Cause != nil {
		msg += " (host: " + e.Cause.Error() + ")"
	}
	return msg
}

// Is reports whether target is an *Error of the same status.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status
}

// Unwrap returns the host callback error behind the failure, if any.
func (e *Error) Unwrap() error { return e.Cause }

// Sentinels, one per failure status, for errors.Is.
var (
	ErrNullPointer               = &Error{Status: StatusNullPointer}
	ErrUnsupportedNetworkVersion = &Error{Status: StatusUnsupportedNetworkVersion}
	ErrInvalidMessage            = &Error{Status: StatusInvalidMessage}
	ErrMissingBlock              = &Error{Status: StatusMissingBlock}
	ErrHostFailure               = &Error{Status: StatusHostFailure}
	ErrFatal                     = &Error{Status: StatusFatal}
	ErrBusy                      = &Error{Status: StatusBusy}
	ErrPoisoned                  = &Error{Status: StatusPoisoned}
	ErrPanic                     = &Error{Status: StatusPanic}

	// ErrInvalidArgument matches Fern's INVALID_ARGUMENT status; host callbacks return it
	// (possibly wrapped) to reject their input, which Fern receives as
	// FERN_HOST_STATUS_INVALID_ARGUMENT.
	ErrInvalidArgument = &Error{Status: StatusInvalidArgument}
)

// Errors detected in Go before calling Fern.
var (
	// ErrNegativeAmount: a token amount of the Config is negative.
	ErrNegativeAmount = errors.New("fern: negative token amount")
	// ErrClosed: the executor was closed.
	ErrClosed = errors.New("fern: executor is closed")
)

// fernError turns a failing status and its C message into an *Error, freeing the message.
func fernError(status C.FernStatus, msg *C.char, cause error) error {
	e := &Error{Status: Status(status), Cause: cause}
	if msg != nil {
		e.Message = C.GoString(msg)
		C.fern_string_free(msg)
	}
	return e
}

// ---------------------------------------------------------------------------------------------
// Library

// Info describes the library.
type Info struct {
	Version           string
	MinNetworkVersion uint32
	MaxNetworkVersion uint32
	Concurrency       uint32 // messages that may execute at once on one shared engine
}

// LibraryInfo describes the linked Fern library.
func LibraryInfo() Info {
	i := C.fern_library_info()
	return Info{
		Version:           C.GoString(i.version),
		MinNetworkVersion: uint32(i.min_network_version),
		MaxNetworkVersion: uint32(i.max_network_version),
		Concurrency:       uint32(i.concurrency),
	}
}

// ---------------------------------------------------------------------------------------------
// Token amounts

// amountBytes encodes a non-negative amount in Filecoin's big-integer byte form: empty for
// zero, else 0x00 and the big-endian magnitude. nil is zero.
func amountBytes(what string, x *big.Int) ([]byte, error) {
	if x == nil || x.Sign() == 0 {
		return nil, nil
	}
	if x.Sign() < 0 {
		return nil, fmt.Errorf("fern: Config.%s is %s: %w", what, x, ErrNegativeAmount)
	}
	return append([]byte{0}, x.Bytes()...), nil
}

// parseAmount decodes Filecoin's big-integer byte form.
func parseAmount(b []byte) (*big.Int, error) {
	if len(b) == 0 {
		return new(big.Int), nil
	}
	x := new(big.Int).SetBytes(b[1:])
	switch b[0] {
	case 0:
		return x, nil
	case 1:
		return x.Neg(x), nil
	default:
		return nil, fmt.Errorf("fern: token amount with sign byte %#x", b[0])
	}
}

// ---------------------------------------------------------------------------------------------
// Executor

// Config is one tipset's settings.
type Config struct {
	NetworkVersion    uint32
	Epoch             int64
	Timestamp         uint64 // UNIX seconds
	ChainID           uint64 // EIP-155 chain id (314 on mainnet)
	BaseFee           *big.Int
	CirculatingSupply *big.Int
	StateRoot         []byte // binary CID; the Blockstore must have it
	Manifest          []byte // optional built-in actors manifest override (binary CID)
	Tracing           bool   // return each message's execution trace
	ActorDebugging    bool   // consensus-relevant: local networks and replays only
	FlushAllBlocks    bool   // flush every created block, not only the reachable ones
	// DevelopmentVersions also accepts the network version in development (nv30); never for a
	// real chain.
	DevelopmentVersions bool
	ActorRedirect       [][2][]byte
	ModuleCacheDir      string // optional: keep compiled actor code here across processes
}

// ApplyKind says how a message is applied.
type ApplyKind uint32

const (
	// ApplyExplicit: a message included in a block (validated, charged for inclusion).
	ApplyExplicit ApplyKind = C.FERN_APPLY_EXPLICIT
	// ApplyImplicit: a system message (cron, rewards).
	ApplyImplicit ApplyKind = C.FERN_APPLY_IMPLICIT
)

// ApplyResult is one message's outcome. Byte fields are nil when empty.
type ApplyResult struct {
	ExitCode           uint32
	Return             []byte
	ReturnCodec        uint64
	GasUsed            uint64
	EventsRoot         []byte // binary CID; nil when no event was emitted
	Events             []byte // DAG-CBOR list of StampedEvent; nil when none
	Penalty            *big.Int
	MinerTip           *big.Int
	BaseFeeBurn        *big.Int
	OverEstimationBurn *big.Int
	Refund             *big.Int
	GasRefund          uint64
	GasBurned          uint64
	FailureInfo        string // empty when the message did not fail
	ExecTrace          []byte // Lotus ExecutionTrace CBOR, with Config.Tracing
}

// liveExecutors counts executors created and not yet closed.
var liveExecutors int64

// Executor runs messages on one state. Its methods may be called from any goroutine; calls
// that overlap on one executor fail with ErrBusy (Fern runs one at a time), while different
// executors run in parallel.
type Executor struct {
	mu     sync.RWMutex // read: a call in progress; write: Close
	ptr    *C.FernExecutor
	handle cgo.Handle
	host   *host
}

// cAllocs tracks C copies of Go bytes lent to one Fern call.
type cAllocs []unsafe.Pointer

func (a *cAllocs) slice(b []byte) C.FernSlice {
	if len(b) == 0 {
		return C.FernSlice{}
	}
	p := C.CBytes(b)
	*a = append(*a, p)
	return C.FernSlice{data: (*C.uint8_t)(p), len: C.size_t(len(b))}
}

func (a *cAllocs) free() {
	for _, p := range *a {
		C.free(p)
	}
	*a = nil
}

// NewExecutor opens cfg.StateRoot in bs. ex may be nil (then every randomness, tipset or
// consensus-fault query fails the message as a host failure); so may pv (the same for proofs).
// Close the executor when done.
func NewExecutor(cfg Config, bs Blockstore, ex Externs, pv ProofVerifier) (*Executor, error) {
	if bs == nil {
		return nil, errors.New("fern: NewExecutor needs a Blockstore")
	}
	baseFee, err := amountBytes("BaseFee", cfg.BaseFee)
	if err != nil {
		return nil, err
	}
	supply, err := amountBytes("CirculatingSupply", cfg.CirculatingSupply)
	if err != nil {
		return nil, err
	}

	var allocs cAllocs
	defer allocs.free()
	var c C.FernExecutorConfig
	c.network_version = C.uint32_t(cfg.NetworkVersion)
	c.epoch = C.int64_t(cfg.Epoch)
	c.timestamp = C.uint64_t(cfg.Timestamp)
	c.chain_id = C.uint64_t(cfg.ChainID)
	c.base_fee = allocs.slice(baseFee)
	c.circulating_supply = allocs.slice(supply)
	c.state_root = allocs.slice(cfg.StateRoot)
	c.manifest = allocs.slice(cfg.Manifest)
	var flags C.uint32_t
	if cfg.Tracing {
		flags |= C.FERN_FLAG_TRACING
	}
	if cfg.ActorDebugging {
		flags |= C.FERN_FLAG_ACTOR_DEBUGGING
	}
	if cfg.FlushAllBlocks {
		flags |= C.FERN_FLAG_FLUSH_ALL_BLOCKS
	}
	if cfg.DevelopmentVersions {
		flags |= C.FERN_FLAG_DEVELOPMENT_VERSIONS
	}
	c.flags = flags
	if cfg.ModuleCacheDir != "" {
		dir := C.CString(cfg.ModuleCacheDir)
		allocs = append(allocs, unsafe.Pointer(dir))
		c.module_cache_dir = dir
	}
	if n := len(cfg.ActorRedirect); n > 0 {
		arr := C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.FernCodeRedirect{})))
		allocs = append(allocs, arr)
		redirects := unsafe.Slice((*C.FernCodeRedirect)(arr), n)
		for i, r := range cfg.ActorRedirect {
			redirects[i] = C.FernCodeRedirect{from: allocs.slice(r[0]), to: allocs.slice(r[1])}
		}
		c.actor_redirect = (*C.FernCodeRedirect)(arr)
		c.actor_redirect_len = C.size_t(n)
	}

	hst := &host{bs: bs, ex: ex, pv: pv}
	handle := cgo.NewHandle(hst)
	var callbacks C.FernHostCallbacks
	C.fern_go_fill_callbacks(&callbacks, C.uintptr_t(handle), cbool(ex != nil), cbool(pv != nil))

	var out *C.FernExecutor
	var msg *C.char
	status := C.fern_executor_new(&c, &callbacks, &out, &msg)
	cause := hst.takeErr()
	if status != C.FERN_STATUS_OK {
		handle.Delete()
		return nil, fernError(status, msg, cause)
	}
	e := &Executor{ptr: out, handle: handle, host: hst}
	atomic.AddInt64(&liveExecutors, 1)
	runtime.SetFinalizer(e, (*Executor).Close)
	return e, nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// begin takes the executor for one call; the caller must call e.mu.RUnlock.
func (e *Executor) begin() error {
	e.mu.RLock()
	if e.ptr == nil {
		e.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

// hostCause is the host error to attach to a failure of this status.
func (e *Executor) hostCause(status C.FernStatus) error {
	err := e.host.takeErr()
	if status == C.FERN_STATUS_MISSING_BLOCK || status == C.FERN_STATUS_HOST_FAILURE {
		return err
	}
	return nil
}

// ApplyMessage applies msg (the CBOR of an unsigned Filecoin message). chainLen is the
// message's on-chain size in bytes (the signed message's length), ignored for ApplyImplicit.
// A failed message is not an error: its result says why. Errors are *Error values
// (ErrInvalidMessage leaves the executor usable; ErrMissingBlock, ErrHostFailure, ErrFatal
// and ErrPanic poison it), or ErrClosed.
func (e *Executor) ApplyMessage(msg []byte, kind ApplyKind, chainLen int) (*ApplyResult, error) {
	if chainLen < 0 {
		return nil, fmt.Errorf("fern: negative chain length %d", chainLen)
	}
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.mu.RUnlock()

	var msgPtr *C.uint8_t
	if len(msg) > 0 {
		msgPtr = (*C.uint8_t)(unsafe.Pointer(&msg[0]))
	}
	e.host.takeErr()
	var res *C.FernApplyResult
	var cmsg *C.char
	status := C.fern_executor_apply(e.ptr, msgPtr, C.size_t(len(msg)), C.uint32_t(kind), C.size_t(chainLen), &res, &cmsg)
	runtime.KeepAlive(msg)
	if status != C.FERN_STATUS_OK {
		return nil, fernError(status, cmsg, e.hostCause(status))
	}
	defer C.fern_apply_result_free(res)
	r := &ApplyResult{
		ExitCode:    uint32(res.exit_code),
		Return:      bufferBytes(res.return_data),
		ReturnCodec: uint64(res.return_codec),
		GasUsed:     uint64(res.gas_used),
		EventsRoot:  bufferBytes(res.events_root),
		Events:      bufferBytes(res.events),
		GasRefund:   uint64(res.gas_refund),
		GasBurned:   uint64(res.gas_burned),
		ExecTrace:   bufferBytes(res.exec_trace),
	}
	if res.failure_info != nil {
		r.FailureInfo = C.GoString(res.failure_info)
	}
	for _, a := range []struct {
		dst **big.Int
		src C.FernBuffer
	}{
		{&r.Penalty, res.penalty},
		{&r.MinerTip, res.miner_tip},
		{&r.BaseFeeBurn, res.base_fee_burn},
		{&r.OverEstimationBurn, res.over_estimation_burn},
		{&r.Refund, res.refund},
	} {
		x, err := parseAmount(bufferBytes(a.src))
		if err != nil {
			return nil, err
		}
		*a.dst = x
	}
	return r, nil
}

func bufferBytes(b C.FernBuffer) []byte {
	if b.data == nil || b.len == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(b.data), C.int(b.len))
}

// Flush writes the state reached so far to the Blockstore and returns the new state root
// (binary CID). A failed flush (ErrMissingBlock, ErrHostFailure, ErrFatal) may be retried.
func (e *Executor) Flush() ([]byte, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.mu.RUnlock()
	e.host.takeErr()
	var root C.FernBuffer
	var cmsg *C.char
	status := C.fern_executor_flush(e.ptr, &root, &cmsg)
	if status != C.FERN_STATUS_OK {
		return nil, fernError(status, cmsg, e.hostCause(status))
	}
	defer C.fern_buffer_free(root)
	return bufferBytes(root), nil
}

// Compilations is how many modules the engine this executor shares with others of the same
// network configuration has compiled so far.
func (e *Executor) Compilations() (uint64, error) {
	if err := e.begin(); err != nil {
		return 0, err
	}
	defer e.mu.RUnlock()
	var n C.uint64_t
	if status := C.fern_executor_compilations(e.ptr, &n); status != C.FERN_STATUS_OK {
		return 0, fernError(status, nil, nil)
	}
	return uint64(n), nil
}

// Close frees the executor, dropping every block not flushed. It waits for calls in progress,
// and is idempotent. A finalizer calls it for executors that are dropped unclosed. Host
// callbacks must not call Close (nor other methods) on the executor that called them.
func (e *Executor) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ptr == nil {
		return
	}
	C.fern_executor_free(e.ptr)
	e.ptr = nil
	e.handle.Delete()
	atomic.AddInt64(&liveExecutors, -1)
	runtime.SetFinalizer(e, nil)
}
