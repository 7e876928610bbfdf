package fern

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	tokenCase      = "examples_token--nv26"
	randomnessCase = "syscalls_randomness--nv25"
	proofsCase     = "syscalls_proofs--nv21"
	transfersCase  = "transfers_create_accounts--nv28"
)

// checkNoLeakedGets fails when a blockstore_get buffer was not handed back to
// blockstore_free.
func checkNoLeakedGets(t *testing.T) {
	t.Helper()
	if n := atomic.LoadInt64(&outstandingGets); n != 0 {
		t.Errorf("%d blockstore_get buffers were never freed", n)
	}
}

func TestLibraryInfo(t *testing.T) {
	info := LibraryInfo()
	t.Logf("Fern %s, network versions %d to %d, concurrency %d",
		info.Version, info.MinNetworkVersion, info.MaxNetworkVersion, info.Concurrency)
	if info.Version == "" || info.MinNetworkVersion == 0 || info.MinNetworkVersion > info.MaxNetworkVersion || info.Concurrency == 0 {
		t.Errorf("implausible library info %+v", info)
	}
}

// TestFixtureCases replays every fixture case, which are corpus vectors (test-vectors/, picked
// in ffi/examples/fixture.rs), through the Go binding: every field of every message's result
// and the flushed root must equal what Fern's Rust API produced.
func TestFixtureCases(t *testing.T) {
	for _, name := range caseNames(t) {
		name := name
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			c.check(t, c.run(t))
		})
	}
	checkNoLeakedGets(t)
}

// TestTokenCaseEmitsEvents: the token corpus vector (examples/token--nv26.json) emits events,
// and the binding returns them (besides matching the expectations, checked in
// TestFixtureCases).
func TestTokenCaseEmitsEvents(t *testing.T) {
	c := loadCase(t, tokenCase)
	o := c.run(t)
	c.check(t, o)
	withEvents := 0
	for i, r := range o.results {
		if len(r.Events) > 0 != (len(r.EventsRoot) > 0) {
			t.Errorf("message %d: %d bytes of events but an events root of %d bytes", i, len(r.Events), len(r.EventsRoot))
		}
		if len(r.Events) > 0 {
			withEvents++
		}
	}
	if withEvents == 0 {
		t.Fatal("no message of the token case emitted events")
	}
	t.Logf("%d of %d messages emitted events", withEvents, len(o.results))
}

// TestConcurrentExecutors: executors on independent states, in parallel goroutines, give what
// they give one after the other.
func TestConcurrentExecutors(t *testing.T) {
	names := []string{tokenCase, tokenCase, randomnessCase, transfersCase}
	sequential := make([]outcome, len(names))
	for i, n := range names {
		sequential[i] = loadCase(t, n).run(t)
	}
	for round := 0; round < 3; round++ {
		parallel := make([]outcome, len(names))
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, n := range names {
			i, c := i, loadCase(t, n)
			bs := c.store(t) // each goroutine has its own state
			wg.Add(1)
			go func() {
				defer wg.Done()
				parallel[i], errs[i] = c.runErr(bs)
			}()
		}
		wg.Wait()
		for i := range names {
			if errs[i] != nil {
				t.Fatalf("round %d, %s: %v", round, names[i], errs[i])
			}
			if !reflect.DeepEqual(parallel[i], sequential[i]) {
				t.Errorf("round %d, %s: the parallel run differs from the sequential one", round, names[i])
			}
			loadCase(t, names[i]).check(t, parallel[i])
		}
	}
	checkNoLeakedGets(t)
}

// TestEngineSharing: a second executor of the same settings applying the same messages
// compiles nothing.
func TestEngineSharing(t *testing.T) {
	c := loadCase(t, tokenCase)
	first, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	o, err := c.applyAll(first)
	if err != nil {
		t.Fatal(err)
	}
	c.check(t, o)
	before, err := first.Compilations()
	if err != nil {
		t.Fatal(err)
	}
	if before == 0 {
		t.Fatal("Compilations() is 0 after running actors")
	}
	second, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	o, err = c.applyAll(second)
	if err != nil {
		t.Fatal(err)
	}
	c.check(t, o)
	after, err := second.Compilations()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("Compilations() went from %d to %d for a second executor of the same settings", before, after)
	}
	t.Logf("compilations: %d", after)
}

func TestUnsupportedNetworkVersion(t *testing.T) {
	c := loadCase(t, tokenCase)
	info := LibraryInfo()
	for _, nv := range []uint32{info.MinNetworkVersion - 1, info.MaxNetworkVersion + 1} {
		cfg := c.cfg
		cfg.NetworkVersion = nv
		e, err := NewExecutor(cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
		if !errors.Is(err, ErrUnsupportedNetworkVersion) {
			if e != nil {
				e.Close()
			}
			t.Fatalf("nv %d: got %v, want ErrUnsupportedNetworkVersion", nv, err)
		}
		var fe *Error
		if !errors.As(err, &fe) || fe.Message == "" {
			t.Errorf("nv %d: %v carries no message from Fern", nv, err)
		}
	}
}

// TestInvalidMessage: undecodable messages are refused without harm; the executor then runs
// the whole case as expected.
func TestInvalidMessage(t *testing.T) {
	c := loadCase(t, transfersCase)
	e, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, garbage := range [][]byte{nil, []byte("not a message"), {0x8a, 0x00}, c.msgs[0][:len(c.msgs[0])-1]} {
		_, err := e.ApplyMessage(garbage, ApplyExplicit, 100)
		if !errors.Is(err, ErrInvalidMessage) {
			t.Fatalf("message %x: got %v, want ErrInvalidMessage", garbage, err)
		}
	}
	if _, err := e.ApplyMessage(c.msgs[0], ApplyKind(7), c.chainLen[0]); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("apply kind 7: got %v, want ErrInvalidArgument", err)
	}
	o, err := c.applyAll(e)
	if err != nil {
		t.Fatalf("the executor does not work after invalid messages: %v", err)
	}
	c.check(t, o)
}

// faultyStore is a MemBlockstore whose Get can be switched to fail.
type faultyStore struct {
	*MemBlockstore
	mode  int32 // one of the modes below
	gets  int64
	onGet func()
}

const (
	storeOK int32 = iota
	storeMissing
	storePanic
	storeIOError
)

var errDisk = errors.New("disk on fire")

func (s *faultyStore) Get(cid []byte) ([]byte, error) {
	atomic.AddInt64(&s.gets, 1)
	if s.onGet != nil {
		s.onGet()
	}
	switch atomic.LoadInt32(&s.mode) {
	case storeMissing:
		return nil, fmt.Errorf("block %x: %w", cid, ErrNotFound)
	case storePanic:
		panic("blockstore exploded")
	case storeIOError:
		return nil, errDisk
	}
	return s.MemBlockstore.Get(cid)
}

// failingApply opens the case's state, switches the store to mode, and applies the first
// message, expecting want; then every call must fail with ErrPoisoned.
func failingApply(t *testing.T, mode int32, want error) error {
	t.Helper()
	c := loadCase(t, transfersCase)
	bs := &faultyStore{MemBlockstore: c.store(t)}
	e, err := NewExecutor(c.cfg, bs, fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	atomic.StoreInt32(&bs.mode, mode)
	r, err := e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0])
	if !errors.Is(err, want) {
		t.Fatalf("got result %+v, error %v; want %v", r, err, want)
	}
	t.Logf("apply: %v", err)
	first := err
	atomic.StoreInt32(&bs.mode, storeOK)
	if _, err := e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0]); !errors.Is(err, ErrPoisoned) {
		t.Fatalf("apply after the failure: got %v, want ErrPoisoned", err)
	}
	if _, err := e.Flush(); !errors.Is(err, ErrPoisoned) {
		t.Fatalf("flush after the failure: got %v, want ErrPoisoned", err)
	}
	e.Close()
	checkNoLeakedGets(t)
	return first
}

func TestMissingBlockPoisons(t *testing.T) {
	err := failingApply(t, storeMissing, ErrMissingBlock)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("the error does not carry the blockstore's ErrNotFound: %v", err)
	}
	if !strings.Contains(err.Error(), "is not in the host's blockstore") {
		t.Errorf("the error does not name the missing block: %v", err)
	}
}

func TestGetPanicIsHostFailure(t *testing.T) {
	err := failingApply(t, storePanic, ErrHostFailure)
	var p *CallbackPanic
	if !errors.As(err, &p) || p.Callback != "blockstore_get" || p.Value != "blockstore exploded" {
		t.Errorf("the error does not carry the recovered panic: %v", err)
	}
}

func TestGetIOErrorIsHostFailure(t *testing.T) {
	err := failingApply(t, storeIOError, ErrHostFailure)
	if !errors.Is(err, errDisk) {
		t.Errorf("the error does not carry the blockstore's error: %v", err)
	}
}

// TestBusy: a call on an executor while another is in progress on it (here from inside a
// callback of the first) fails with ErrBusy and changes nothing.
func TestBusy(t *testing.T) {
	c := loadCase(t, transfersCase)
	bs := &faultyStore{MemBlockstore: c.store(t)}
	e, err := NewExecutor(c.cfg, bs, fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var once sync.Once
	var nested error
	bs.onGet = func() {
		once.Do(func() { _, nested = e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0]) })
	}
	o, err := c.applyAll(e)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(nested, ErrBusy) {
		t.Fatalf("nested apply: got %v, want ErrBusy", nested)
	}
	c.check(t, o)
}

func TestNegativeAmountsRejectedInGo(t *testing.T) {
	c := loadCase(t, transfersCase)
	for _, field := range []string{"BaseFee", "CirculatingSupply"} {
		cfg := c.cfg
		if field == "BaseFee" {
			cfg.BaseFee = big.NewInt(-1)
		} else {
			cfg.CirculatingSupply = big.NewInt(-5)
		}
		bs := &faultyStore{MemBlockstore: c.store(t)}
		e, err := NewExecutor(cfg, bs, fixtureExterns{c.answers}, acceptAll{})
		if e != nil {
			e.Close()
		}
		if !errors.Is(err, ErrNegativeAmount) || !strings.Contains(err.Error(), field) {
			t.Fatalf("negative %s: got %v, want ErrNegativeAmount", field, err)
		}
		var fe *Error
		if errors.As(err, &fe) {
			t.Errorf("negative %s: the error came from Fern, not Go: %v", field, err)
		}
	}
}

// TestNilProofVerifier: without a ProofVerifier the proof callbacks are NULL, and a message
// that verifies a proof fails as a host failure.
func TestNilProofVerifier(t *testing.T) {
	c := loadCase(t, proofsCase)
	e, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var failed error
	for i, m := range c.msgs {
		if _, failed = e.ApplyMessage(m, ApplyExplicit, c.chainLen[i]); failed != nil {
			break
		}
	}
	if !errors.Is(failed, ErrHostFailure) || !strings.Contains(failed.Error(), "NULL") {
		t.Fatalf("got %v, want ErrHostFailure naming a NULL callback", failed)
	}
	t.Logf("%v", failed)
}

func TestMissingStateRoot(t *testing.T) {
	c := loadCase(t, transfersCase)
	cfg := c.cfg
	// The state root with its digest altered: a well-formed CID the store lacks.
	cfg.StateRoot = append([]byte(nil), c.cfg.StateRoot...)
	cfg.StateRoot[len(cfg.StateRoot)-1] ^= 0xff
	e, err := NewExecutor(cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if e != nil {
		e.Close()
	}
	if err == nil {
		t.Fatal("NewExecutor opened a state root the blockstore lacks")
	}
	t.Logf("%v", err)
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("got %v, want ErrInvalidArgument (fern.h: \"INVALID_ARGUMENT (... a state root the blockstore lacks ...)\")", err)
	}
	checkNoLeakedGets(t)
}

func TestBadStateRoot(t *testing.T) {
	c := loadCase(t, transfersCase)
	cfg := c.cfg
	cfg.StateRoot = []byte("not a cid")
	if _, err := NewExecutor(cfg, c.store(t), nil, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("got %v, want ErrInvalidArgument", err)
	}
	if _, err := NewExecutor(c.cfg, nil, nil, nil); err == nil {
		t.Fatal("NewExecutor accepted a nil Blockstore")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	c := loadCase(t, transfersCase)
	e, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	e.Close()
	if _, err := e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("apply after Close: got %v, want ErrClosed", err)
	}
	if _, err := e.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("flush after Close: got %v, want ErrClosed", err)
	}
	if _, err := e.Compilations(); !errors.Is(err, ErrClosed) {
		t.Errorf("Compilations after Close: got %v, want ErrClosed", err)
	}
}

func TestAmountBytes(t *testing.T) {
	for _, tc := range []struct {
		x    *big.Int
		want []byte
	}{
		{nil, nil},
		{big.NewInt(0), nil},
		{big.NewInt(100), []byte{0, 100}},
		{new(big.Int).Lsh(big.NewInt(1), 64), []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		got, err := amountBytes("x", tc.x)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("amountBytes(%v) = %x, %v; want %x", tc.x, got, err, tc.want)
		}
		back, err := parseAmount(got)
		if err != nil || (tc.x != nil && back.Cmp(tc.x) != 0) || (tc.x == nil && back.Sign() != 0) {
			t.Errorf("parseAmount(%x) = %v, %v", got, back, err)
		}
	}
	if x, err := parseAmount([]byte{1, 5}); err != nil || x.Int64() != -5 {
		t.Errorf("parseAmount(0105) = %v, %v", x, err)
	}
}

// TestFinalizerFreesDroppedExecutor: an executor dropped without Close is freed by its
// finalizer.
func TestFinalizerFreesDroppedExecutor(t *testing.T) {
	c := loadCase(t, transfersCase)
	before := atomic.LoadInt64(&liveExecutors)
	func() {
		e, err := NewExecutor(c.cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0]); err != nil {
			t.Fatal(err)
		}
	}()
	for i := 0; i < 50 && atomic.LoadInt64(&liveExecutors) > before; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := atomic.LoadInt64(&liveExecutors); n > before {
		t.Fatalf("%d executors still live after GC, want %d", n, before)
	}
	checkNoLeakedGets(t)
}

// TestTracingOff: without Config.Tracing the results are those of the fixture but with no
// trace; failed messages say why in FailureInfo.
func TestTracingOff(t *testing.T) {
	c := loadCase(t, tokenCase)
	cfg := c.cfg
	cfg.Tracing = false
	e, err := NewExecutor(cfg, c.store(t), fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	o, err := c.applyAll(e)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range o.results {
		if r.ExecTrace != nil {
			t.Errorf("message %d: a trace of %d bytes without tracing", i, len(r.ExecTrace))
		}
		if (r.ExitCode != 0) != (r.FailureInfo != "") {
			t.Errorf("message %d: exit %d with failure info %q", i, r.ExitCode, r.FailureInfo)
		}
		got, want := fields(r), c.expect[i]
		for _, k := range expectKeys {
			if k != "trace" && got[k] != want[k] {
				t.Errorf("message %d: %s = %s, want %s", i, k, short(got[k]), short(want[k]))
			}
		}
	}
	if !bytes.Equal(o.root, c.root) {
		t.Errorf("root %x, want %x", o.root, c.root)
	}
}

// TestNilExterns: without Externs the chain callbacks are NULL, and a message that asks for
// randomness fails as a host failure.
func TestNilExterns(t *testing.T) {
	c := loadCase(t, randomnessCase)
	e, err := NewExecutor(c.cfg, c.store(t), nil, acceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = e.ApplyMessage(c.msgs[0], ApplyExplicit, c.chainLen[0])
	if !errors.Is(err, ErrHostFailure) || !strings.Contains(err.Error(), "randomness is NULL") {
		t.Fatalf("got %v, want ErrHostFailure naming a NULL randomness callback", err)
	}
}
