package fern

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The fixture: corpus vectors (test-vectors/*.json, chosen in ffi/examples/fixture.rs) turned
// into flat files with the results Fern's Rust API produces for them. FERN_FFI_FIXTURE names
// its directory; when unset, the tests generate it with
// `cargo run --release -p fern_ffi --example fixture -- DIR` at the repository root.

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
	fixtureTemp string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureTemp != "" {
		os.RemoveAll(fixtureTemp)
	}
	os.Exit(code)
}

// fixtureDir returns the fixture's directory, generating it on first use when needed.
func fixtureDir(t testing.TB) string {
	t.Helper()
	fixtureOnce.Do(func() {
		if dir := os.Getenv("FERN_FFI_FIXTURE"); dir != "" {
			fixturePath = dir
			return
		}
		tmp, err := os.MkdirTemp("", "fern-go-fixture-")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureTemp = tmp
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			fixtureErr = err
			return
		}
		cmd := exec.Command("cargo", "run", "--release", "-p", "fern_ffi", "--example", "fixture", "--", tmp)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			fixtureErr = fmt.Errorf("FERN_FFI_FIXTURE is unset and generating the fixture failed\n"+
				"  (ran `cargo run --release -p fern_ffi --example fixture -- %s` in %s): %v\n%s",
				tmp, root, err, out)
			return
		}
		fixturePath = tmp
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixturePath
}

// fixtureCase is one case of the fixture.
type fixtureCase struct {
	name     string
	cfg      Config
	answers  map[string][]byte // "chain 12", "beacon 12", "tipset 12" -> answer
	msgs     [][]byte
	chainLen []int
	expect   []map[string]string
	root     []byte
	blocks   []Block
}

func unhex(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	return hex.DecodeString(s)
}

func hexOf(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func caseNames(t testing.TB) []string {
	b, err := os.ReadFile(filepath.Join(fixtureDir(t), "cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

var (
	casesMu sync.Mutex
	cases   = map[string]*fixtureCase{}
)

func loadCase(t testing.TB, name string) *fixtureCase {
	t.Helper()
	casesMu.Lock()
	defer casesMu.Unlock()
	if c, ok := cases[name]; ok {
		return c
	}
	c, err := parseCase(filepath.Join(fixtureDir(t), name))
	if err != nil {
		t.Fatalf("fixture case %s: %v", name, err)
	}
	c.name = name
	cases[name] = c
	return c
}

func parseCase(dir string) (*fixtureCase, error) {
	c := &fixtureCase{answers: map[string][]byte{}}
	f, err := os.Open(filepath.Join(dir, "case.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		bad := func(err error) error { return fmt.Errorf("case.txt line %d: %v", n, err) }
		need := func(k int) error {
			if len(fields) != k {
				return bad(fmt.Errorf("%d fields, want %d", len(fields), k))
			}
			return nil
		}
		switch key := fields[0]; key {
		case "nv", "epoch", "timestamp", "flags":
			if err := need(2); err != nil {
				return nil, err
			}
			v, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return nil, bad(err)
			}
			switch key {
			case "nv":
				c.cfg.NetworkVersion = uint32(v)
			case "epoch":
				c.cfg.Epoch = v
			case "timestamp":
				c.cfg.Timestamp = uint64(v)
			case "flags":
				c.cfg.Tracing = v&1 != 0
				c.cfg.ActorDebugging = v&2 != 0
				c.cfg.FlushAllBlocks = v&4 != 0
			}
		case "base_fee", "circ_supply", "state_root", "manifest", "root":
			if err := need(2); err != nil {
				return nil, err
			}
			b, err := unhex(fields[1])
			if err != nil {
				return nil, bad(err)
			}
			switch key {
			case "base_fee", "circ_supply":
				x, err := parseAmount(b)
				if err != nil {
					return nil, bad(err)
				}
				if key == "base_fee" {
					c.cfg.BaseFee = x
				} else {
					c.cfg.CirculatingSupply = x
				}
			case "state_root":
				c.cfg.StateRoot = b
			case "manifest":
				c.cfg.Manifest = b
			case "root":
				c.root = b
			}
		case "rand", "tipset":
			kind, rest := key, fields[1:]
			if key == "rand" {
				if err := need(4); err != nil {
					return nil, err
				}
				kind, rest = fields[1], fields[2:]
			} else if err := need(3); err != nil {
				return nil, err
			}
			b, err := unhex(rest[1])
			if err != nil {
				return nil, bad(err)
			}
			c.answers[kind+" "+rest[0]] = b
		case "msg":
			if err := need(3); err != nil {
				return nil, err
			}
			b, err := unhex(fields[1])
			if err != nil {
				return nil, bad(err)
			}
			l, err := strconv.Atoi(fields[2])
			if err != nil {
				return nil, bad(err)
			}
			c.msgs = append(c.msgs, b)
			c.chainLen = append(c.chainLen, l)
		case "expect":
			m := map[string]string{}
			for _, kv := range fields[1:] {
				i := strings.IndexByte(kv, '=')
				if i < 0 {
					return nil, bad(fmt.Errorf("field %q is not key=value", kv))
				}
				m[kv[:i]] = kv[i+1:]
			}
			c.expect = append(c.expect, m)
		default:
			return nil, bad(fmt.Errorf("unknown item %q", key))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(c.expect) != len(c.msgs) {
		return nil, fmt.Errorf("%d messages but %d expect lines", len(c.msgs), len(c.expect))
	}
	if c.root == nil || c.cfg.StateRoot == nil {
		return nil, fmt.Errorf("no root or state_root")
	}
	blocks, err := os.ReadFile(filepath.Join(dir, "blocks.bin"))
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(blocks)
	readRecord := func() ([]byte, error) {
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, err
		}
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	for r.Len() > 0 {
		cid, err := readRecord()
		if err != nil {
			return nil, fmt.Errorf("blocks.bin: %v", err)
		}
		data, err := readRecord()
		if err != nil {
			return nil, fmt.Errorf("blocks.bin: %v", err)
		}
		c.blocks = append(c.blocks, Block{Cid: cid, Data: data})
	}
	return c, nil
}

// store returns a new MemBlockstore holding the case's pre-state.
func (c *fixtureCase) store(t testing.TB) *MemBlockstore {
	bs := NewMemBlockstore()
	if err := bs.PutMany(c.blocks); err != nil {
		t.Fatal(err)
	}
	return bs
}

// fixtureExterns answers with the case's recorded answers; other queries are errors.
type fixtureExterns struct{ answers map[string][]byte }

func (x fixtureExterns) answer(kind string, epoch int64) ([]byte, error) {
	b, ok := x.answers[fmt.Sprintf("%s %d", kind, epoch)]
	if !ok {
		return nil, fmt.Errorf("the fixture has no %s answer for epoch %d", kind, epoch)
	}
	return b, nil
}

func (x fixtureExterns) digest(kind string, epoch int64) (d [32]byte, err error) {
	b, err := x.answer(kind, epoch)
	if err == nil && len(b) != 32 {
		err = fmt.Errorf("%s answer for epoch %d has %d bytes", kind, epoch, len(b))
	}
	copy(d[:], b)
	return d, err
}

func (x fixtureExterns) ChainRandomness(epoch int64) ([32]byte, error) {
	return x.digest("chain", epoch)
}

func (x fixtureExterns) BeaconRandomness(epoch int64) ([32]byte, error) {
	return x.digest("beacon", epoch)
}

func (x fixtureExterns) TipsetCid(epoch int64) ([]byte, error) { return x.answer("tipset", epoch) }

func (x fixtureExterns) VerifyConsensusFault(h1, h2, extra []byte) (ConsensusFault, error) {
	return ConsensusFault{Type: NoFault}, nil
}

// acceptAll reports every proof valid, as the conformance runner does.
type acceptAll struct{}

func (acceptAll) VerifySeals(infos [][]byte) ([]bool, error) {
	v := make([]bool, len(infos))
	for i := range v {
		v[i] = true
	}
	return v, nil
}
func (acceptAll) VerifyPoSt([]byte) (bool, error)           { return true, nil }
func (acceptAll) VerifyAggregateSeals([]byte) (bool, error) { return true, nil }
func (acceptAll) VerifyReplicaUpdate([]byte) (bool, error)  { return true, nil }

// expectKeys are the fields of an expect line, every one of which is compared.
var expectKeys = []string{"exit", "gas_used", "return", "codec", "events_root", "events",
	"penalty", "miner_tip", "base_fee_burn", "over_estimation_burn", "refund", "gas_refund",
	"gas_burned", "trace"}

func amountHex(x *big.Int) string {
	if x == nil {
		return "<nil>"
	}
	b, err := amountBytes("", x)
	if err != nil {
		return "negative:" + x.String()
	}
	return hexOf(b)
}

// fields renders a result as an expect line's fields.
func fields(r *ApplyResult) map[string]string {
	return map[string]string{
		"exit":                 strconv.FormatUint(uint64(r.ExitCode), 10),
		"gas_used":             strconv.FormatUint(r.GasUsed, 10),
		"return":               hexOf(r.Return),
		"codec":                strconv.FormatUint(r.ReturnCodec, 10),
		"events_root":          hexOf(r.EventsRoot),
		"events":               hexOf(r.Events),
		"penalty":              amountHex(r.Penalty),
		"miner_tip":            amountHex(r.MinerTip),
		"base_fee_burn":        amountHex(r.BaseFeeBurn),
		"over_estimation_burn": amountHex(r.OverEstimationBurn),
		"refund":               amountHex(r.Refund),
		"gas_refund":           strconv.FormatUint(r.GasRefund, 10),
		"gas_burned":           strconv.FormatUint(r.GasBurned, 10),
		"trace":                hexOf(r.ExecTrace),
	}
}

func short(s string) string {
	if len(s) > 120 {
		return fmt.Sprintf("%s...(%d chars)", s[:120], len(s))
	}
	return s
}

// checkResult compares every field of r with message i's expect line.
func (c *fixtureCase) checkResult(t testing.TB, i int, r *ApplyResult) {
	t.Helper()
	want := c.expect[i]
	if len(want) != len(expectKeys) {
		t.Errorf("%s message %d: the expect line has %d fields, the test knows %d", c.name, i, len(want), len(expectKeys))
	}
	got := fields(r)
	for _, k := range expectKeys {
		w, ok := want[k]
		if !ok {
			t.Errorf("%s message %d: the expect line lacks %s", c.name, i, k)
			continue
		}
		if got[k] != w {
			t.Errorf("%s message %d: %s = %s, want %s", c.name, i, k, short(got[k]), short(w))
		}
	}
}

// outcome is what running a case produced.
type outcome struct {
	results []*ApplyResult
	root    []byte
}

// run applies every message of the case on a fresh store and flushes.
func (c *fixtureCase) run(t testing.TB) outcome {
	t.Helper()
	o, err := c.runErr(c.store(t))
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return o
}

func (c *fixtureCase) runErr(bs Blockstore) (outcome, error) {
	e, err := NewExecutor(c.cfg, bs, fixtureExterns{c.answers}, acceptAll{})
	if err != nil {
		return outcome{}, fmt.Errorf("NewExecutor: %w", err)
	}
	defer e.Close()
	return c.applyAll(e)
}

func (c *fixtureCase) applyAll(e *Executor) (outcome, error) {
	var o outcome
	for i, m := range c.msgs {
		r, err := e.ApplyMessage(m, ApplyExplicit, c.chainLen[i])
		if err != nil {
			return o, fmt.Errorf("message %d: %w", i, err)
		}
		o.results = append(o.results, r)
	}
	root, err := e.Flush()
	if err != nil {
		return o, fmt.Errorf("Flush: %w", err)
	}
	o.root = root
	return o, nil
}

// check compares an outcome with the case's expectations.
func (c *fixtureCase) check(t testing.TB, o outcome) {
	t.Helper()
	for i, r := range o.results {
		c.checkResult(t, i, r)
	}
	if !bytes.Equal(o.root, c.root) {
		t.Errorf("%s: flushed root %s, want %s", c.name, hexOf(o.root), hexOf(c.root))
	}
}
