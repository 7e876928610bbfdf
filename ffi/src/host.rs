//! The host's side: one table of callbacks ([`FernHostCallbacks`]) and the adapters that make it
//! Fern's blockstore ([`HostBlockstore`]), externs ([`HostExterns`]) and proof verifier
//! ([`HostProofs`]).
//!
//! # What a callback's status means
//!
//! Every callback returns an `int32_t` status, one of [`FernHostStatus`] (the numbers are
//! filecoin-ffi's cgo callback codes, so a Lotus-style host can reuse its mapping). Fern turns
//! each into a defined outcome:
//!
//! - `OK`: the answer is used.
//! - `NOT_FOUND` from `blockstore_get`: the block is missing. During an apply this is a
//!   [`MissingBlock`](crate::FernStatus::MissingBlock) failure naming the CID: the message gets
//!   no receipt (a node with a complete store would produce a different one) and the executor is
//!   poisoned. From `blockstore_has` it means "absent".
//! - `INVALID_ARGUMENT` from a proof or consensus-fault callback: the evidence is invalid; the
//!   actor sees the syscall fail with `IllegalArgument`, as in ref-fvm when its verifier errs.
//! - Anything else (`IO`, `PANIC`, `INVALID_HANDLE`, an unknown number, a malformed answer, or a
//!   NULL callback that the call needs): a host failure. The operation fails, and an apply that
//!   met one returns [`HostFailure`](crate::FernStatus::HostFailure) with no receipt and poisons
//!   its executor. Never a wrong receipt.
//!
//! The first failure of an operation is recorded in a [`FailureLog`] that the executor checks
//! after every apply and flush.

use std::ffi::c_void;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{anyhow, bail};
use cid::Cid;
use fern::machine::{ConsensusFaultCheck, Externs, ProofVerifier};
use fern_shared::address::Address;
use fern_shared::consensus::{ConsensusFault, ConsensusFaultType};
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};
use fern_shared::ChainEpoch;
use fvm_ipld_blockstore::Blockstore;

use crate::buffer::FernSlice;

/// Status codes a host callback returns (filecoin-ffi's cgo callback codes: 0 and -1 to -5).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FernHostStatus {
    /// The call succeeded.
    Ok = 0,
    /// The host handle is not one the host knows.
    InvalidHandle = -1,
    /// The block (or datum) does not exist.
    NotFound = -2,
    /// The host's storage failed.
    IoError = -3,
    /// The host rejects the input (e.g. undecodable proof or block-header bytes).
    InvalidArgument = -4,
    /// The host's callback panicked (and caught it).
    Panic = -5,
}

impl FernHostStatus {
    /// The status a callback returned, or `None` for a number outside the table.
    pub fn from_raw(raw: i32) -> Option<Self> {
        Some(match raw {
            0 => Self::Ok,
            -1 => Self::InvalidHandle,
            -2 => Self::NotFound,
            -3 => Self::IoError,
            -4 => Self::InvalidArgument,
            -5 => Self::Panic,
            _ => return None,
        })
    }
}

/// Longest CID a host may return from `tipset_cid`, in bytes.
pub const FERN_MAX_CID_LEN: usize = 100;

/// One block of a `blockstore_put_many` batch: the CID's bytes and the block's data, both
/// borrowed for the duration of the callback.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernBlock {
    /// The binary CID.
    pub cid: FernSlice,
    /// The block's bytes.
    pub data: FernSlice,
}

/// A consensus fault as the host reports it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FernConsensusFault {
    /// 0 for no fault, else the fault type: 1 double-fork mining, 2 parent grinding, 3
    /// time-offset mining (fvm_shared's `ConsensusFaultType` numbers).
    pub fault_type: i64,
    /// The offending miner's actor id (read only when `fault_type` is not 0).
    pub miner_id: u64,
    /// The epoch of the fault (read only when `fault_type` is not 0).
    pub epoch: i64,
    /// Gas the host spent checking. Informational: the kernel charges the price list's flat fee.
    pub gas_used: i64,
}

/// `blockstore_get`: on `OK` the host stores in `*data`/`*data_len` a buffer it allocated
/// (NULL/0 for an empty block); Fern copies it and hands it back to `blockstore_free`.
pub type FernBlockstoreGet = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        cid: *const u8,
        cid_len: usize,
        data: *mut *mut u8,
        data_len: *mut usize,
    ) -> i32,
>;
/// `blockstore_free`: releases a buffer the host returned from `blockstore_get`.
pub type FernBlockstoreFree =
    Option<unsafe extern "C" fn(handle: *mut c_void, data: *mut u8, len: usize)>;
/// `blockstore_put`: stores one block (both buffers are borrowed).
pub type FernBlockstorePut = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        cid: *const u8,
        cid_len: usize,
        data: *const u8,
        data_len: usize,
    ) -> i32,
>;
/// `blockstore_put_many`: stores `count` blocks (the array and every buffer are borrowed).
pub type FernBlockstorePutMany = Option<
    unsafe extern "C" fn(handle: *mut c_void, blocks: *const FernBlock, count: usize) -> i32,
>;
/// `blockstore_has`: writes whether the block exists to `*has`.
pub type FernBlockstoreHas = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        cid: *const u8,
        cid_len: usize,
        has: *mut bool,
    ) -> i32,
>;
/// `chain_randomness` / `beacon_randomness`: writes the 32-byte digest for `epoch` to `out`.
pub type FernRandomness =
    Option<unsafe extern "C" fn(handle: *mut c_void, epoch: i64, out: *mut u8) -> i32>;
/// `tipset_cid`: writes the binary CID of the tipset at `epoch` to `out` (room for `capacity`
/// bytes, [`FERN_MAX_CID_LEN`]) and its length to `*out_len`.
pub type FernTipsetCid = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        epoch: i64,
        out: *mut u8,
        capacity: usize,
        out_len: *mut usize,
    ) -> i32,
>;
/// `verify_consensus_fault`: checks two block headers and extra evidence; fills `*fault`.
pub type FernVerifyConsensusFault = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        h1: *const u8,
        h1_len: usize,
        h2: *const u8,
        h2_len: usize,
        extra: *const u8,
        extra_len: usize,
        fault: *mut FernConsensusFault,
    ) -> i32,
>;
/// `verify_post`, `verify_aggregate_seals`, `verify_replica_update`: the DAG-CBOR of the
/// proof's info (fvm_shared's `WindowPoStVerifyInfo`, `AggregateSealVerifyProofAndInfos`,
/// `ReplicaUpdateInfo` tuples) in, the verdict out in `*valid`.
pub type FernVerifyProof = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        info: *const u8,
        info_len: usize,
        valid: *mut bool,
    ) -> i32,
>;
/// `verify_seals`: a batch of `count` seals, each the CBOR of fvm_shared's `SealVerifyInfo`;
/// writes one verdict per seal to `valid[0..count]`.
pub type FernVerifySeals = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        infos: *const FernSlice,
        count: usize,
        valid: *mut bool,
    ) -> i32,
>;

/// The host's services, as one table of C function pointers and an opaque handle passed back to
/// every callback.
///
/// Fern copies the table when an executor is created; `handle` must stay valid until
/// `fern_executor_free` returns. Fern calls the callbacks from its own execution thread (not the
/// thread that called `fern_executor_apply`), never two at once for one executor, but callbacks
/// of different executors may run at the same time. The four blockstore callbacks other than
/// `blockstore_put_many` are required; every other may be NULL, and a call that needs a NULL
/// callback fails as a host failure.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernHostCallbacks {
    /// Passed as the first argument of every callback.
    pub handle: *mut c_void,
    /// Reads a block (required).
    pub blockstore_get: FernBlockstoreGet,
    /// Frees what `blockstore_get` returned (required).
    pub blockstore_free: FernBlockstoreFree,
    /// Writes a block (required).
    pub blockstore_put: FernBlockstorePut,
    /// Writes a batch of blocks; when NULL, Fern calls `blockstore_put` per block. Flushes send
    /// batches of at most [`FERN_PUT_MANY_MAX_BLOCKS`] blocks and about [`FERN_PUT_MANY_MAX_BYTES`] bytes.
    pub blockstore_put_many: FernBlockstorePutMany,
    /// Tells whether a block exists (required).
    pub blockstore_has: FernBlockstoreHas,
    /// The ticket-chain randomness digest at an epoch.
    pub chain_randomness: FernRandomness,
    /// The drand beacon randomness digest at an epoch.
    pub beacon_randomness: FernRandomness,
    /// The CID of the tipset at an epoch.
    pub tipset_cid: FernTipsetCid,
    /// Consensus-fault verification.
    pub verify_consensus_fault: FernVerifyConsensusFault,
    /// Batch seal verification (`crypto::batch_verify_seals`).
    pub verify_seals: FernVerifySeals,
    /// Window PoSt verification.
    pub verify_post: FernVerifyProof,
    /// Aggregate seal verification.
    pub verify_aggregate_seals: FernVerifyProof,
    /// Replica-update verification.
    pub verify_replica_update: FernVerifyProof,
}

/// Most blocks in one `blockstore_put_many` call.
pub const FERN_PUT_MANY_MAX_BLOCKS: usize = 65_536;
/// A `blockstore_put_many` batch is sent once its data would pass this many bytes (64 MiB).
pub const FERN_PUT_MANY_MAX_BYTES: usize = 64 << 20;

/// The callback table made shareable with Fern's execution thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Host(pub FernHostCallbacks);

// SAFETY: the table holds C function pointers and an opaque handle; the documented contract of
// `FernHostCallbacks` makes the host responsible for the handle being usable from Fern's threads,
// and Fern never calls one executor's callbacks concurrently.
unsafe impl Send for Host {}
// SAFETY: as above.
unsafe impl Sync for Host {}

impl Host {
    /// Checks that the required callbacks are present.
    pub fn check(&self) -> Result<(), String> {
        let c = &self.0;
        let missing: Vec<&str> = [
            ("blockstore_get", c.blockstore_get.is_none()),
            ("blockstore_free", c.blockstore_free.is_none()),
            ("blockstore_put", c.blockstore_put.is_none()),
            ("blockstore_has", c.blockstore_has.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the callback table lacks required callbacks: {}",
                missing.join(", ")
            ))
        }
    }
}

/// The first host failure met since the log was last taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostFailure {
    /// `blockstore_get` answered `NOT_FOUND` for this CID.
    MissingBlock(Cid),
    /// A callback failed or gave an unusable answer.
    Callback(String),
}

impl std::fmt::Display for HostFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostFailure::MissingBlock(cid) => {
                write!(f, "block {cid} is not in the host's blockstore")
            }
            HostFailure::Callback(what) => f.write_str(what),
        }
    }
}

/// Where the adapters record host failures for the executor to find.
#[derive(Debug, Default)]
pub struct FailureLog(Mutex<Option<HostFailure>>);

impl FailureLog {
    fn record(&self, failure: HostFailure) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(failure);
    }

    /// The first failure recorded since the last call, leaving the log empty.
    pub fn take(&self) -> Option<HostFailure> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Describes a callback's failing status and records it; returns the error for the kernel.
fn failed(log: &FailureLog, what: &str, raw: i32) -> anyhow::Error {
    let why = match FernHostStatus::from_raw(raw) {
        Some(FernHostStatus::InvalidHandle) => "an invalid host handle".to_string(),
        Some(FernHostStatus::NotFound) => "not found".to_string(),
        Some(FernHostStatus::IoError) => "an I/O error".to_string(),
        Some(FernHostStatus::InvalidArgument) => "an invalid argument".to_string(),
        Some(FernHostStatus::Panic) => "a panic in the host".to_string(),
        Some(FernHostStatus::Ok) => "success with an unusable answer".to_string(),
        None => format!("the unknown status {raw}"),
    };
    let message = format!("host callback {what} reported {why} (status {raw})");
    log.record(HostFailure::Callback(message.clone()));
    anyhow!(message)
}

/// Records that a needed callback is NULL.
fn absent(log: &FailureLog, what: &str) -> anyhow::Error {
    let message = format!("host callback {what} is NULL but this operation needs it");
    log.record(HostFailure::Callback(message.clone()));
    anyhow!(message)
}

/// The host's blockstore, as Fern's base store.
#[derive(Debug, Clone)]
pub struct HostBlockstore {
    host: Host,
    log: Arc<FailureLog>,
}

impl HostBlockstore {
    pub(crate) fn new(host: Host, log: Arc<FailureLog>) -> Self {
        HostBlockstore { host, log }
    }

    fn put_batch(&self, batch: &[FernBlock]) -> anyhow::Result<()> {
        let c = &self.host.0;
        match c.blockstore_put_many {
            Some(put_many) => {
                // SAFETY: the batch and the buffers it points to live until the call returns.
                let raw = unsafe { put_many(c.handle, batch.as_ptr(), batch.len()) };
                if raw != 0 {
                    return Err(failed(&self.log, "blockstore_put_many", raw));
                }
            }
            None => {
                for block in batch {
                    // SAFETY: as above.
                    let (cid, data) = unsafe { (block.cid.bytes(), block.data.bytes()) };
                    let (Some(cid), Some(data)) = (cid, data) else {
                        bail!("a block of the batch has a NULL buffer");
                    };
                    self.put_raw(cid, data)?;
                }
            }
        }
        Ok(())
    }

    fn put_raw(&self, cid: &[u8], data: &[u8]) -> anyhow::Result<()> {
        let c = &self.host.0;
        let put = c
            .blockstore_put
            .ok_or_else(|| absent(&self.log, "blockstore_put"))?;
        // SAFETY: both buffers are valid for the call.
        let raw = unsafe { put(c.handle, cid.as_ptr(), cid.len(), data.as_ptr(), data.len()) };
        if raw != 0 {
            return Err(failed(&self.log, "blockstore_put", raw));
        }
        Ok(())
    }
}

impl Blockstore for HostBlockstore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        let c = &self.host.0;
        let (Some(get), Some(free)) = (c.blockstore_get, c.blockstore_free) else {
            return Err(absent(&self.log, "blockstore_get"));
        };
        let key = k.to_bytes();
        let mut data: *mut u8 = std::ptr::null_mut();
        let mut len: usize = 0;
        // SAFETY: the key buffer and both out-pointers are valid for the call.
        let raw = unsafe { get(c.handle, key.as_ptr(), key.len(), &mut data, &mut len) };
        match FernHostStatus::from_raw(raw) {
            Some(FernHostStatus::Ok) => {
                let block = if data.is_null() {
                    if len != 0 {
                        return Err(failed(&self.log, "blockstore_get", raw));
                    }
                    Vec::new()
                } else {
                    // SAFETY: on success the host returned `len` readable bytes at `data`.
                    let copy = unsafe { std::slice::from_raw_parts(data, len) }.to_vec();
                    // SAFETY: handing the host's buffer back to the host's own free function.
                    unsafe { free(c.handle, data, len) };
                    copy
                };
                Ok(Some(block))
            }
            Some(FernHostStatus::NotFound) => {
                self.log.record(HostFailure::MissingBlock(*k));
                Ok(None)
            }
            _ => Err(failed(&self.log, "blockstore_get", raw)),
        }
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.put_raw(&k.to_bytes(), block)
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        let c = &self.host.0;
        let has = c
            .blockstore_has
            .ok_or_else(|| absent(&self.log, "blockstore_has"))?;
        let key = k.to_bytes();
        let mut found = false;
        // SAFETY: the key buffer and the out-pointer are valid for the call.
        let raw = unsafe { has(c.handle, key.as_ptr(), key.len(), &mut found) };
        match FernHostStatus::from_raw(raw) {
            Some(FernHostStatus::Ok) => Ok(found),
            Some(FernHostStatus::NotFound) => Ok(false),
            _ => Err(failed(&self.log, "blockstore_has", raw)),
        }
    }

    fn put_many_keyed<D, I>(&self, blocks: I) -> anyhow::Result<()>
    where
        Self: Sized,
        D: AsRef<[u8]>,
        I: IntoIterator<Item = (Cid, D)>,
    {
        // Keys are encoded up front; the batch borrows them and the caller's data.
        let blocks: Vec<(Vec<u8>, D)> =
            blocks.into_iter().map(|(k, d)| (k.to_bytes(), d)).collect();
        let mut batch: Vec<FernBlock> = Vec::new();
        let mut bytes = 0usize;
        for (key, data) in &blocks {
            let data = data.as_ref();
            if !batch.is_empty()
                && (batch.len() >= FERN_PUT_MANY_MAX_BLOCKS
                    || bytes + data.len() + key.len() > FERN_PUT_MANY_MAX_BYTES)
            {
                self.put_batch(&batch)?;
                batch.clear();
                bytes = 0;
            }
            bytes += data.len() + key.len();
            batch.push(FernBlock {
                cid: FernSlice::of(key),
                data: FernSlice::of(data),
            });
        }
        if !batch.is_empty() {
            self.put_batch(&batch)?;
        }
        Ok(())
    }
}

/// The host's chain services, as Fern's [`Externs`].
#[derive(Debug, Clone)]
pub struct HostExterns {
    host: Host,
    log: Arc<FailureLog>,
}

impl HostExterns {
    pub(crate) fn new(host: Host, log: Arc<FailureLog>) -> Self {
        HostExterns { host, log }
    }

    fn randomness(
        &self,
        what: &str,
        callback: FernRandomness,
        epoch: ChainEpoch,
    ) -> anyhow::Result<[u8; 32]> {
        let f = callback.ok_or_else(|| absent(&self.log, what))?;
        let mut out = [0u8; 32];
        // SAFETY: `out` has room for the 32 bytes the contract asks for.
        let raw = unsafe { f(self.host.0.handle, epoch, out.as_mut_ptr()) };
        if raw != 0 {
            return Err(failed(&self.log, what, raw));
        }
        Ok(out)
    }
}

impl Externs for HostExterns {
    fn chain_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.randomness("chain_randomness", self.host.0.chain_randomness, epoch)
    }

    fn beacon_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.randomness("beacon_randomness", self.host.0.beacon_randomness, epoch)
    }

    fn tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        let f = self
            .host
            .0
            .tipset_cid
            .ok_or_else(|| absent(&self.log, "tipset_cid"))?;
        let mut out = [0u8; FERN_MAX_CID_LEN];
        let mut len = 0usize;
        // SAFETY: `out` has room for `FERN_MAX_CID_LEN` bytes; `len` is writable.
        let raw = unsafe {
            f(
                self.host.0.handle,
                epoch,
                out.as_mut_ptr(),
                out.len(),
                &mut len,
            )
        };
        if raw != 0 {
            return Err(failed(&self.log, "tipset_cid", raw));
        }
        out.get(..len)
            .and_then(|bytes| Cid::try_from(bytes).ok())
            .ok_or_else(|| failed(&self.log, "tipset_cid", raw))
    }

    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        let what = "verify_consensus_fault";
        let f = self
            .host
            .0
            .verify_consensus_fault
            .ok_or_else(|| absent(&self.log, what))?;
        let mut fault = FernConsensusFault::default();
        // SAFETY: every buffer is valid for the call; `fault` is writable.
        let raw = unsafe {
            f(
                self.host.0.handle,
                h1.as_ptr(),
                h1.len(),
                h2.as_ptr(),
                h2.len(),
                extra.as_ptr(),
                extra.len(),
                &mut fault,
            )
        };
        match FernHostStatus::from_raw(raw) {
            Some(FernHostStatus::Ok) => {}
            Some(FernHostStatus::InvalidArgument) => bail!("the host rejects the fault evidence"),
            _ => return Err(failed(&self.log, what, raw)),
        }
        let fault_type = match fault.fault_type {
            0 => None,
            n => Some(
                u32::try_from(n)
                    .ok()
                    .and_then(ConsensusFaultType::from_u32)
                    .ok_or_else(|| failed(&self.log, what, raw))?,
            ),
        };
        Ok(ConsensusFaultCheck {
            fault: fault_type.map(|fault_type| ConsensusFault {
                target: Address::new_id(fault.miner_id),
                epoch: fault.epoch,
                fault_type,
            }),
            gas_used: fault.gas_used,
        })
    }
}

/// The host's proof verification, as Fern's [`ProofVerifier`].
#[derive(Debug, Clone)]
pub struct HostProofs {
    host: Host,
    log: Arc<FailureLog>,
}

impl HostProofs {
    pub(crate) fn new(host: Host, log: Arc<FailureLog>) -> Self {
        HostProofs { host, log }
    }

    fn verify<T: serde::Serialize>(
        &self,
        what: &str,
        callback: FernVerifyProof,
        info: &T,
    ) -> anyhow::Result<bool> {
        let f = callback.ok_or_else(|| absent(&self.log, what))?;
        let bytes = fvm_ipld_encoding::to_vec(info)?;
        let mut valid = false;
        // SAFETY: the info buffer and the out-pointer are valid for the call.
        let raw = unsafe { f(self.host.0.handle, bytes.as_ptr(), bytes.len(), &mut valid) };
        match FernHostStatus::from_raw(raw) {
            Some(FernHostStatus::Ok) => Ok(valid),
            Some(FernHostStatus::InvalidArgument) => bail!("{what}: the host rejects the proof"),
            _ => Err(failed(&self.log, what, raw)),
        }
    }
}

impl ProofVerifier for HostProofs {
    fn verify_post(&self, info: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        self.verify("verify_post", self.host.0.verify_post, info)
    }

    fn verify_seal(&self, info: &SealVerifyInfo) -> anyhow::Result<bool> {
        Ok(self.verify_seals(std::slice::from_ref(info))?[0])
    }

    fn verify_seals(&self, infos: &[SealVerifyInfo]) -> anyhow::Result<Vec<bool>> {
        let what = "verify_seals";
        let f = self
            .host
            .0
            .verify_seals
            .ok_or_else(|| absent(&self.log, what))?;
        let encoded = infos
            .iter()
            .map(fvm_ipld_encoding::to_vec)
            .collect::<Result<Vec<_>, _>>()?;
        let slices: Vec<FernSlice> = encoded.iter().map(|b| FernSlice::of(b)).collect();
        let mut valid = vec![false; infos.len()];
        // SAFETY: the slice array, the buffers and the verdict array are valid for the call.
        let raw = unsafe {
            f(
                self.host.0.handle,
                slices.as_ptr(),
                slices.len(),
                valid.as_mut_ptr(),
            )
        };
        match FernHostStatus::from_raw(raw) {
            Some(FernHostStatus::Ok) => Ok(valid),
            // The whole batch is rejected: every seal is invalid (as a failing check is).
            Some(FernHostStatus::InvalidArgument) => Ok(vec![false; infos.len()]),
            _ => Err(failed(&self.log, what, raw)),
        }
    }

    fn verify_aggregate_seals(
        &self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> anyhow::Result<bool> {
        self.verify(
            "verify_aggregate_seals",
            self.host.0.verify_aggregate_seals,
            agg,
        )
    }

    fn verify_replica_update(&self, info: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        self.verify(
            "verify_replica_update",
            self.host.0.verify_replica_update,
            info,
        )
    }
}
