//! What an executor is created from ([`FernExecutorConfig`]) and how it is checked.

use std::ffi::{c_char, CStr};

use cid::Cid;
use fern::machine::{MachineContext, NetworkConfig, FVM2_NETWORK_VERSION};
use fern_shared::bigint::bigint_ser;
use fern_shared::econ::TokenAmount;
use fern_shared::version::NetworkVersion;

use crate::buffer::FernSlice;
use crate::status::{Failure, FernStatus};

/// Flag: record each message's execution trace (returned as `exec_trace`).
pub const FERN_FLAG_TRACING: u32 = 1;
/// Flag: enable actor debugging (`debug::log` and artifacts). Consensus-relevant: only for
/// local networks or replays, never for validating a real chain.
pub const FERN_FLAG_ACTOR_DEBUGGING: u32 = 2;
/// Flag: a flush writes every block created since the executor began, not only those
/// reachable from the new state root (filecoin-ffi's `flush_all_blocks`; for debugging).
pub const FERN_FLAG_FLUSH_ALL_BLOCKS: u32 = 4;
/// Flag: also accept the network version in development (nv30, with nv29's prices and rules),
/// as ref-fvm 4.8.4 does only when built with its `nv30-dev` feature. Never for a real chain.
pub const FERN_FLAG_DEVELOPMENT_VERSIONS: u32 = 8;
/// Every flag this library knows; any other bit is rejected.
pub const FERN_KNOWN_FLAGS: u32 = FERN_FLAG_TRACING
    | FERN_FLAG_ACTOR_DEBUGGING
    | FERN_FLAG_FLUSH_ALL_BLOCKS
    | FERN_FLAG_DEVELOPMENT_VERSIONS;

/// Widest token amount accepted, in bytes of magnitude (128 bits: every attoFIL amount, and
/// the range filecoin-ffi's interface carries).
pub const FERN_MAX_TOKEN_AMOUNT_BYTES: usize = 16;

/// One actor-code redirect: actors whose code CID is `from` run the Wasm of `to`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernCodeRedirect {
    /// The code CID actors have in the state tree (binary CID).
    pub from: FernSlice,
    /// The code CID whose Wasm runs instead (binary CID; the block must be in the blockstore).
    pub to: FernSlice,
}

/// The settings of an executor: one tipset's machine.
///
/// Token amounts are in attoFIL, in Filecoin's big-integer byte form: empty for zero, else a
/// sign byte (`0x00`) and the big-endian magnitude, at most [`FERN_MAX_TOKEN_AMOUNT_BYTES`]
/// bytes of it once leading zero bytes are left out. Negative amounts are rejected. CIDs are
/// binary CIDs.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernExecutorConfig {
    /// The network version (17 to 29 in this release; see `fern_library_info`).
    pub network_version: u32,
    /// The epoch of the tipset being executed.
    pub epoch: i64,
    /// The tipset's UNIX timestamp, in seconds.
    pub timestamp: u64,
    /// The chain id (EIP-155; 314 on mainnet).
    pub chain_id: u64,
    /// The base fee, attoFIL.
    pub base_fee: FernSlice,
    /// The circulating supply, attoFIL.
    pub circulating_supply: FernSlice,
    /// The state root to start from (the blockstore must have it).
    pub state_root: FernSlice,
    /// `FERN_FLAG_*` bits.
    pub flags: u32,
    /// Optional: the root of a built-in actors manifest (`[version, data]`) to use instead of
    /// the one the system actor names. Empty for none (a real chain). Test states made by
    /// ref-fvm's integration tester need it.
    pub manifest: FernSlice,
    /// Optional actor-code redirects (debug bundles); NULL when `actor_redirect_len` is 0.
    pub actor_redirect: *const FernCodeRedirect,
    /// Number of redirects.
    pub actor_redirect_len: usize,
    /// Optional directory for the compiled-module cache on disk (NULL for none): compiled actor
    /// code is kept there and reused by later processes (FIPS/engine.md, "Compiled-module cache
    /// on disk"). Created if missing; a directory that cannot be created is `INVALID_ARGUMENT`.
    pub module_cache_dir: *const c_char,
}

/// The network settings of one of the two kernel generations.
#[derive(Debug, Clone)]
pub enum Network {
    /// Network versions 18 and later.
    Current(NetworkConfig),
    /// Network version 17 (ref-fvm 2.x rules): it has no chain id, and its machine takes the
    /// debugging switch and the manifest override directly.
    Fvm2 {
        /// Actor debugging (`FERN_FLAG_ACTOR_DEBUGGING`).
        actor_debugging: bool,
        /// The versioned manifest root to use instead of the system actor's.
        manifest: Option<Cid>,
    },
}

/// A checked configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The network version.
    pub network_version: NetworkVersion,
    /// Network settings.
    pub network: Network,
    /// Epoch settings.
    pub context: MachineContext,
    /// Actor-code redirects, in the order given.
    pub redirects: Vec<(Cid, Cid)>,
    /// The compiled-module cache directory, if any.
    pub module_cache: Option<std::path::PathBuf>,
}

fn slice<'a>(s: FernSlice, what: &str) -> Result<&'a [u8], Failure> {
    // SAFETY: the caller lends the bytes for the duration of the call (documented contract).
    unsafe { s.bytes() }
        .ok_or_else(|| Failure::null(&format!("{what}.data (with a non-zero length)")))
}

/// Reads a binary CID.
pub fn parse_cid(bytes: &[u8], what: &str) -> Result<Cid, Failure> {
    Cid::try_from(bytes).map_err(|e| Failure::invalid(format!("{what} is not a binary CID: {e}")))
}

/// Reads a non-negative token amount of at most [`FERN_MAX_TOKEN_AMOUNT_BYTES`] bytes of
/// magnitude in Filecoin's big-integer byte form.
pub fn parse_amount(bytes: &[u8], what: &str) -> Result<TokenAmount, Failure> {
    let Some((&sign, magnitude)) = bytes.split_first() else {
        return Ok(TokenAmount::zero());
    };
    match sign {
        0 => {}
        1 => return Err(Failure::invalid(format!("{what} is negative"))),
        other => {
            return Err(Failure::invalid(format!(
                "{what} has the sign byte {other:#04x} (0x00 for a positive amount)"
            )))
        }
    }
    let significant = magnitude.iter().skip_while(|&&b| b == 0).count();
    if significant > FERN_MAX_TOKEN_AMOUNT_BYTES {
        return Err(Failure::invalid(format!(
            "{what} is wider than {} bits",
            FERN_MAX_TOKEN_AMOUNT_BYTES * 8
        )));
    }
    bigint_ser::from_bytes(bytes)
        .map(TokenAmount::from_atto)
        .map_err(|e| Failure::invalid(format!("{what}: {e}")))
}

/// Checks `config` and turns it into machine settings.
pub fn settings(config: &FernExecutorConfig) -> Result<Settings, Failure> {
    let nv = NetworkVersion::new(config.network_version);
    let current = if nv == FVM2_NETWORK_VERSION {
        None
    } else if config.flags & FERN_FLAG_DEVELOPMENT_VERSIONS != 0 {
        Some(NetworkConfig::development(nv))
    } else {
        Some(NetworkConfig::new(nv))
    };
    let current = current
        .transpose()
        .map_err(|e| Failure::new(FernStatus::UnsupportedNetworkVersion, e.to_string()))?;
    if config.flags & !FERN_KNOWN_FLAGS != 0 {
        return Err(Failure::invalid(format!(
            "unknown flags {:#x}",
            config.flags & !FERN_KNOWN_FLAGS
        )));
    }
    let actor_debugging = config.flags & FERN_FLAG_ACTOR_DEBUGGING != 0;
    let manifest = slice(config.manifest, "manifest")?;
    let manifest = if manifest.is_empty() {
        None
    } else {
        Some(parse_cid(manifest, "manifest")?)
    };
    let network = match current {
        None => Network::Fvm2 {
            actor_debugging,
            manifest,
        },
        Some(network) => {
            let mut network = network.with_chain_id(config.chain_id);
            if actor_debugging {
                network = network.with_actor_debugging();
            }
            if let Some(manifest) = manifest {
                network = network.with_builtin_actors(manifest);
            }
            Network::Current(network)
        }
    };
    let root = parse_cid(slice(config.state_root, "state_root")?, "state_root")?;
    let mut context = MachineContext::new(config.epoch, config.timestamp, root)
        .with_base_fee(parse_amount(
            slice(config.base_fee, "base_fee")?,
            "base_fee",
        )?)
        .with_circulating_supply(parse_amount(
            slice(config.circulating_supply, "circulating_supply")?,
            "circulating_supply",
        )?);
    if config.flags & FERN_FLAG_TRACING != 0 {
        context = context.with_tracing();
    }
    context.flush_all_blocks = config.flags & FERN_FLAG_FLUSH_ALL_BLOCKS != 0;

    let redirects = if config.actor_redirect_len == 0 {
        Vec::new()
    } else if config.actor_redirect.is_null() {
        return Err(Failure::null("actor_redirect (with a non-zero length)"));
    } else {
        // SAFETY: the caller lends `actor_redirect_len` entries for the call.
        let pairs =
            unsafe { std::slice::from_raw_parts(config.actor_redirect, config.actor_redirect_len) };
        pairs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let from = parse_cid(
                    slice(p.from, "actor_redirect.from")?,
                    &format!("actor_redirect[{i}].from"),
                )?;
                let to = parse_cid(
                    slice(p.to, "actor_redirect.to")?,
                    &format!("actor_redirect[{i}].to"),
                )?;
                Ok((from, to))
            })
            .collect::<Result<Vec<_>, Failure>>()?
    };
    let module_cache = if config.module_cache_dir.is_null() {
        None
    } else {
        // SAFETY: a non-NULL directory is a NUL-terminated string lent for the call.
        let dir = unsafe { CStr::from_ptr(config.module_cache_dir) }
            .to_str()
            .map_err(|_| Failure::invalid("module_cache_dir is not UTF-8"))?;
        Some(std::path::PathBuf::from(dir))
    };
    Ok(Settings {
        network_version: nv,
        network,
        context,
        redirects,
        module_cache,
    })
}
