//! A host written in Rust against the C interface: an in-memory blockstore and chain answers
//! behind `extern "C"` callbacks, with switches that make callbacks fail. Shared by the tests
//! and the fixture example (`#[path]`-included), so every caller goes through the exact C ABI.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Mutex;

use cid::Cid;
use fern_ffi::*;

/// The host: blocks by binary CID, randomness by epoch, and failure switches.
#[derive(Default)]
pub struct TestHost {
    pub blocks: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
    pub chain: BTreeMap<i64, [u8; 32]>,
    pub beacon: BTreeMap<i64, [u8; 32]>,
    /// When not 0, `blockstore_get` returns this status.
    pub get_status: AtomicI32,
    /// When not 0, `blockstore_put`/`put_many` return this status.
    pub put_status: AtomicI32,
    /// When not 0: the `gets`-th call of `blockstore_get` (counting from 1) returns
    /// `nth_status`, once.
    pub fail_get_at: AtomicU64,
    /// When not 0: the `gets`-th call of `blockstore_get` returns the block with its last byte
    /// flipped, once.
    pub wrong_get_at: AtomicU64,
    /// When not 0: the `puts`-th block written (through `put` or `put_many`) fails with
    /// `nth_status`, once.
    pub fail_put_at: AtomicU64,
    /// The status of the Nth-call failures above.
    pub nth_status: AtomicI32,
    /// When not 0, the randomness, tipset and consensus-fault callbacks return this status.
    pub chain_status: AtomicI32,
    /// Blocks written (counted by `put`, also for `put_many`'s blocks).
    pub puts: AtomicU64,
    /// Blocks `blockstore_get` pretends not to have.
    pub hidden: Mutex<Vec<Vec<u8>>>,
    /// Counters.
    pub gets: AtomicU64,
    pub put_many_calls: AtomicU64,
    /// Buffers handed out by get and not yet freed.
    pub outstanding: AtomicI32,
    /// Randomness and tipset queries answered: (kind, epoch, answer bytes).
    pub queries: Mutex<Vec<(&'static str, i64, Vec<u8>)>>,
    /// While true, `blockstore_get` waits (and `entered` tells that one is waiting).
    pub paused: Mutex<bool>,
    pub resume: std::sync::Condvar,
    pub entered: std::sync::atomic::AtomicBool,
}

/// The fallback randomness digest of the conformance runner.
pub const FALLBACK: [u8; 32] = *b"i_am_random_____i_am_random_____";

fn host<'a>(h: *mut c_void) -> &'a TestHost {
    // SAFETY: every callback is registered with a pointer to a live TestHost.
    unsafe { &*(h as *const TestHost) }
}

unsafe extern "C" fn get(
    h: *mut c_void,
    cid: *const u8,
    cid_len: usize,
    data: *mut *mut u8,
    len: *mut usize,
) -> i32 {
    let h = host(h);
    let nth = h.gets.fetch_add(1, Ordering::Relaxed) + 1;
    if h.fail_get_at.load(Ordering::Relaxed) == nth {
        h.fail_get_at.store(0, Ordering::Relaxed);
        return h.nth_status.load(Ordering::Relaxed);
    }
    let wrong = h.wrong_get_at.load(Ordering::Relaxed) == nth;
    if wrong {
        h.wrong_get_at.store(0, Ordering::Relaxed);
    }
    {
        let mut paused = h.paused.lock().unwrap();
        while *paused {
            h.entered.store(true, Ordering::SeqCst);
            paused = h.resume.wait(paused).unwrap();
        }
    }
    let status = h.get_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    let key = unsafe { std::slice::from_raw_parts(cid, cid_len) }.to_vec();
    if h.hidden.lock().unwrap().contains(&key) {
        return FernHostStatus::NotFound as i32;
    }
    match h.blocks.lock().unwrap().get(&key) {
        Some(block) => {
            let mut block = block.clone();
            if wrong {
                match block.last_mut() {
                    Some(b) => *b ^= 1,
                    None => block.push(0),
                }
            }
            let boxed = block.into_boxed_slice();
            unsafe {
                *len = boxed.len();
                *data = Box::into_raw(boxed).cast::<u8>();
            }
            h.outstanding.fetch_add(1, Ordering::Relaxed);
            0
        }
        None => FernHostStatus::NotFound as i32,
    }
}

unsafe extern "C" fn free(h: *mut c_void, data: *mut u8, len: usize) {
    host(h).outstanding.fetch_sub(1, Ordering::Relaxed);
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) });
}

unsafe extern "C" fn put(
    h: *mut c_void,
    cid: *const u8,
    cid_len: usize,
    data: *const u8,
    len: usize,
) -> i32 {
    let h = host(h);
    let status = h.put_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    let nth = h.puts.fetch_add(1, Ordering::Relaxed) + 1;
    if h.fail_put_at.load(Ordering::Relaxed) == nth {
        h.fail_put_at.store(0, Ordering::Relaxed);
        return h.nth_status.load(Ordering::Relaxed);
    }
    let key = unsafe { std::slice::from_raw_parts(cid, cid_len) }.to_vec();
    let value = unsafe { std::slice::from_raw_parts(data, len) }.to_vec();
    h.blocks.lock().unwrap().insert(key, value);
    0
}

unsafe extern "C" fn put_many(h: *mut c_void, blocks: *const FernBlock, count: usize) -> i32 {
    let host_ref = host(h);
    host_ref.put_many_calls.fetch_add(1, Ordering::Relaxed);
    let status = host_ref.put_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    let blocks = unsafe { std::slice::from_raw_parts(blocks, count) };
    for b in blocks {
        let status = unsafe { put(h, b.cid.data, b.cid.len, b.data.data, b.data.len) };
        if status != 0 {
            return status;
        }
    }
    0
}

unsafe extern "C" fn has(h: *mut c_void, cid: *const u8, cid_len: usize, out: *mut bool) -> i32 {
    let key = unsafe { std::slice::from_raw_parts(cid, cid_len) }.to_vec();
    unsafe { *out = host(h).blocks.lock().unwrap().contains_key(&key) };
    0
}

fn randomness(h: &TestHost, kind: &'static str, epoch: i64, out: *mut u8) -> i32 {
    let status = h.chain_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    let map = if kind == "chain" { &h.chain } else { &h.beacon };
    let digest = map.get(&epoch).copied().unwrap_or(FALLBACK);
    unsafe { std::ptr::copy_nonoverlapping(digest.as_ptr(), out, 32) };
    h.queries
        .lock()
        .unwrap()
        .push((kind, epoch, digest.to_vec()));
    0
}

unsafe extern "C" fn chain_randomness(h: *mut c_void, epoch: i64, out: *mut u8) -> i32 {
    randomness(host(h), "chain", epoch, out)
}

unsafe extern "C" fn beacon_randomness(h: *mut c_void, epoch: i64, out: *mut u8) -> i32 {
    randomness(host(h), "beacon", epoch, out)
}

unsafe extern "C" fn tipset_cid(
    h: *mut c_void,
    epoch: i64,
    out: *mut u8,
    capacity: usize,
    out_len: *mut usize,
) -> i32 {
    let status = host(h).chain_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    let bytes = fern_conformance::runner::tipset_cid(epoch).to_bytes();
    if bytes.len() > capacity {
        return FernHostStatus::InvalidArgument as i32;
    }
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len());
        *out_len = bytes.len();
    }
    host(h)
        .queries
        .lock()
        .unwrap()
        .push(("tipset", epoch, bytes));
    0
}

unsafe extern "C" fn no_fault(
    h: *mut c_void,
    _: *const u8,
    _: usize,
    _: *const u8,
    _: usize,
    _: *const u8,
    _: usize,
    fault: *mut FernConsensusFault,
) -> i32 {
    let status = host(h).chain_status.load(Ordering::Relaxed);
    if status != 0 {
        return status;
    }
    unsafe { *fault = FernConsensusFault::default() };
    0
}

unsafe extern "C" fn accept_seals(
    _: *mut c_void,
    _: *const FernSlice,
    count: usize,
    valid: *mut bool,
) -> i32 {
    for i in 0..count {
        unsafe { *valid.add(i) = true };
    }
    0
}

unsafe extern "C" fn accept_proof(_: *mut c_void, _: *const u8, _: usize, valid: *mut bool) -> i32 {
    unsafe { *valid = true };
    0
}

impl TestHost {
    /// A host holding `blocks`, answering randomness from the maps (the runner's fallback
    /// digest elsewhere) and tipset CIDs by the runner's convention, accepting every proof.
    pub fn new(
        blocks: impl IntoIterator<Item = (Cid, Vec<u8>)>,
        chain: BTreeMap<i64, [u8; 32]>,
        beacon: BTreeMap<i64, [u8; 32]>,
    ) -> Self {
        TestHost {
            blocks: Mutex::new(blocks.into_iter().map(|(c, d)| (c.to_bytes(), d)).collect()),
            chain,
            beacon,
            ..Default::default()
        }
    }

    /// The full callback table over this host.
    pub fn callbacks(&self) -> FernHostCallbacks {
        FernHostCallbacks {
            handle: self as *const TestHost as *mut c_void,
            blockstore_get: Some(get),
            blockstore_free: Some(free),
            blockstore_put: Some(put),
            blockstore_put_many: Some(put_many),
            blockstore_has: Some(has),
            chain_randomness: Some(chain_randomness),
            beacon_randomness: Some(beacon_randomness),
            tipset_cid: Some(tipset_cid),
            verify_consensus_fault: Some(no_fault),
            verify_seals: Some(accept_seals),
            verify_post: Some(accept_proof),
            verify_aggregate_seals: Some(accept_proof),
            verify_replica_update: Some(accept_proof),
        }
    }

    pub fn has_block(&self, cid: &Cid) -> bool {
        self.blocks.lock().unwrap().contains_key(&cid.to_bytes())
    }
}

/// Filecoin big-integer bytes of an attoFIL amount.
pub fn amount_bytes(a: &fern_shared::econ::TokenAmount) -> Vec<u8> {
    fern_shared::bigint::bigint_ser::to_bytes(a.atto())
}

/// Takes an error string from the library.
pub fn take_error(e: *mut c_char) -> String {
    if e.is_null() {
        return String::new();
    }
    let s = unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned();
    unsafe { fern_string_free(e) };
    s
}

/// Machine settings as the C interface takes them.
pub struct Settings {
    pub nv: u32,
    pub epoch: i64,
    pub timestamp: u64,
    pub base_fee: Vec<u8>,
    pub circ_supply: Vec<u8>,
    pub root: Vec<u8>,
    pub manifest: Vec<u8>,
    pub flags: u32,
}

impl Settings {
    pub fn config(&self) -> FernExecutorConfig {
        FernExecutorConfig {
            network_version: self.nv,
            epoch: self.epoch,
            timestamp: self.timestamp,
            chain_id: 0,
            base_fee: FernSlice::of(&self.base_fee),
            circulating_supply: FernSlice::of(&self.circ_supply),
            state_root: FernSlice::of(&self.root),
            flags: self.flags,
            manifest: FernSlice::of(&self.manifest),
            actor_redirect: std::ptr::null(),
            actor_redirect_len: 0,
            module_cache_dir: std::ptr::null(),
        }
    }
}

/// An executor through the C interface; freed on drop.
pub struct Exec(pub *mut FernExecutor);

impl Exec {
    pub fn new(settings: &Settings, host: &TestHost) -> Result<Exec, (FernStatus, String)> {
        let config = settings.config();
        let callbacks = host.callbacks();
        let mut out = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let status = unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) };
        if status == FernStatus::Ok {
            assert!(err.is_null());
            Ok(Exec(out))
        } else {
            assert!(out.is_null());
            Err((status, take_error(err)))
        }
    }

    pub fn apply(
        &self,
        msg: &[u8],
        kind: u32,
        chain_len: usize,
    ) -> Result<Applied, (FernStatus, String)> {
        let mut out = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let status = unsafe {
            fern_executor_apply(
                self.0,
                msg.as_ptr(),
                msg.len(),
                kind,
                chain_len,
                &mut out,
                &mut err,
            )
        };
        if status != FernStatus::Ok {
            assert!(out.is_null());
            return Err((status, take_error(err)));
        }
        let r = unsafe { &*out };
        let applied = Applied {
            exit_code: r.exit_code,
            return_data: r.return_data.as_slice().to_vec(),
            return_codec: r.return_codec,
            gas_used: r.gas_used,
            events_root: r.events_root.as_slice().to_vec(),
            events: r.events.as_slice().to_vec(),
            penalty: r.penalty.as_slice().to_vec(),
            miner_tip: r.miner_tip.as_slice().to_vec(),
            base_fee_burn: r.base_fee_burn.as_slice().to_vec(),
            over_estimation_burn: r.over_estimation_burn.as_slice().to_vec(),
            refund: r.refund.as_slice().to_vec(),
            gas_refund: r.gas_refund,
            gas_burned: r.gas_burned,
            failure_info: (!r.failure_info.is_null()).then(|| {
                unsafe { CStr::from_ptr(r.failure_info) }
                    .to_string_lossy()
                    .into_owned()
            }),
            exec_trace: r.exec_trace.as_slice().to_vec(),
        };
        unsafe { fern_apply_result_free(out) };
        Ok(applied)
    }

    pub fn flush(&self) -> Result<Cid, (FernStatus, String)> {
        let mut root = FernBuffer::EMPTY;
        let mut err = std::ptr::null_mut();
        let status = unsafe { fern_executor_flush(self.0, &mut root, &mut err) };
        if status != FernStatus::Ok {
            return Err((status, take_error(err)));
        }
        let cid = Cid::try_from(root.as_slice()).expect("a CID");
        unsafe { fern_buffer_free(root) };
        Ok(cid)
    }

    pub fn compilations(&self) -> u64 {
        let mut n = 0;
        assert_eq!(
            unsafe { fern_executor_compilations(self.0, &mut n) },
            FernStatus::Ok
        );
        n
    }
}

// SAFETY: the C interface allows calls on one executor from any thread (one at a time, or BUSY).
unsafe impl Send for Exec {}
// SAFETY: as above.
unsafe impl Sync for Exec {}

impl Drop for Exec {
    fn drop(&mut self) {
        unsafe { fern_executor_free(self.0) };
    }
}

/// A result, copied out of the C structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub exit_code: u32,
    pub return_data: Vec<u8>,
    pub return_codec: u64,
    pub gas_used: u64,
    pub events_root: Vec<u8>,
    pub events: Vec<u8>,
    pub penalty: Vec<u8>,
    pub miner_tip: Vec<u8>,
    pub base_fee_burn: Vec<u8>,
    pub over_estimation_burn: Vec<u8>,
    pub refund: Vec<u8>,
    pub gas_refund: u64,
    pub gas_burned: u64,
    pub failure_info: Option<String>,
    pub exec_trace: Vec<u8>,
}

/// Reads a vector file of the corpus.
pub fn load_vector(path: &std::path::Path) -> fern_conformance::TestVector {
    let text = std::fs::read(path).expect("vector file");
    serde_json::from_slice(&text).expect("vector JSON")
}

/// The corpus directory of this source tree.
pub fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// The host and settings for `vector`'s first variant, with `flags`.
pub fn vector_setup(vector: &fern_conformance::TestVector, flags: u32) -> (TestHost, Settings) {
    let variant = &vector.preconditions.variants[0];
    let blocks = vector.car_blocks().expect("the vector's CAR");
    let store = fvm_ipld_blockstore::MemoryBlockstore::new();
    for (cid, data) in &blocks {
        fvm_ipld_blockstore::Blockstore::put_keyed(&store, cid, data).unwrap();
    }
    let settings_rs = fern_conformance::runner::variant_settings(vector, variant);
    let (chain, beacon) = vector.randomness_maps();
    let root = vector.preconditions.state_tree.root_cid.0;
    let manifest = manifest_override(&store, &root);
    let host = TestHost::new(blocks, chain, beacon);
    let settings = Settings {
        nv: variant.nv,
        epoch: variant.epoch,
        timestamp: (variant.epoch as u64).wrapping_mul(fern_conformance::runner::EPOCH_SECONDS),
        base_fee: amount_bytes(&settings_rs.base_fee),
        circ_supply: amount_bytes(&settings_rs.circ_supply),
        root: root.to_bytes(),
        manifest: manifest.map(|c| c.to_bytes()).unwrap_or_default(),
        flags,
    };
    (host, settings)
}

/// The on-chain length the runner uses for a message's CBOR bytes.
pub fn chain_len(bytes: &[u8]) -> usize {
    let msg: fern_shared::message::Message = fvm_ipld_encoding::from_slice(bytes).expect("message");
    fern_conformance::runner::on_chain_length(&msg, bytes.len())
}

/// The manifest override a Tester-built state needs (the conformance runner's rule).
pub fn manifest_override(store: &fvm_ipld_blockstore::MemoryBlockstore, root: &Cid) -> Option<Cid> {
    fern_conformance::runner::manifest_root_override(store, root)
}
