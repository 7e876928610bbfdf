//! Shared pieces of Fern's fuzz targets: running on a deep stack, and turning fuzzer bytes into
//! messages that reach far into the executor (known senders and recipients, edge-case amounts
//! and gas limits) rather than bytes that mostly fail to decode.

use std::sync::{Arc, OnceLock};

use fern_testing::genesis::{Genesis, GenesisSpec, TEST_ACTOR_BASE_ID};
use fern_testing::harness::Pair;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use libfuzzer_sys::arbitrary::{Result, Unstructured};

/// Runs `f` on a thread with a 1 GiB stack (actors recurse on the native stack), passing a panic
/// on to libFuzzer.
pub fn deep<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("a worker thread starts");
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The scenario library's standard genesis (accounts, BLS accounts, a poor account, a
/// placeholder, the test actors at f01000..f01003), built once.
pub fn genesis() -> Arc<Genesis> {
    static GENESIS: OnceLock<Arc<Genesis>> = OnceLock::new();
    GENESIS
        .get_or_init(|| Arc::new(GenesisSpec::standard().build().expect("genesis builds")))
        .clone()
}

/// The network versions a fuzz input may pick. One: every version costs both VMs a compile of
/// every actor (about a minute under the sanitizers) the first time an input picks it, and the
/// execution paths do not depend on the version beyond prices (which the differential suite
/// covers at 21, 25, 28, 29 and 30).
pub const VERSIONS: [NetworkVersion; 1] = [NetworkVersion::V29];

/// The network versions the `message` target picks from: nv29, and nv18, where the oracle is
/// ref-fvm 3.14 and the kernel follows its rules (Fern's core actors link under both syscall
/// sets; the test actors of the `syscalls` target do not, so that target stays at nv29).
pub const MESSAGE_VERSIONS: [NetworkVersion; 2] = [NetworkVersion::V29, NetworkVersion::V18];

/// Builds the genesis and one pair per version of `versions`, so both VMs have compiled every
/// actor before the first input: the fuzz targets' `init`, outside libFuzzer's per-input
/// timeout.
pub fn warm_up_for(versions: &[NetworkVersion]) {
    let versions = versions.to_vec();
    deep(move || {
        for nv in versions {
            drop(Pair::on(nv, genesis()));
        }
    })
}

/// [`warm_up_for`] the [`VERSIONS`].
pub fn warm_up() {
    warm_up_for(&VERSIONS)
}

/// A Fern/ref-fvm pair on the standard genesis at a version of [`VERSIONS`] chosen by `u`.
pub fn pair(u: &mut Unstructured) -> Result<Pair> {
    pair_among(u, &VERSIONS)
}

/// A Fern/ref-fvm pair on the standard genesis at a version of `versions` chosen by `u`.
pub fn pair_among(u: &mut Unstructured, versions: &[NetworkVersion]) -> Result<Pair> {
    let nv = *u.choose(versions)?;
    Ok(Pair::on(nv, genesis()))
}

/// An address: mostly one the genesis knows (accounts by key or id, test actors, singletons, the
/// placeholder), sometimes a fresh one of each protocol.
pub fn address(u: &mut Unstructured) -> Result<Address> {
    let g = genesis();
    Ok(match u.int_in_range(0..=9u8)? {
        0..=2 => {
            let a = u.choose(&g.accounts)?;
            if u.arbitrary()? { a.address } else { Address::new_id(a.id) }
        }
        3 | 4 => Address::new_id(TEST_ACTOR_BASE_ID + u.int_in_range(0..=4)?),
        5 => Address::new_id(*u.choose(&[0u64, 1, 2, 10, 99])?),
        6 => match &g.poor {
            Some(p) if u.arbitrary()? => p.address,
            _ => g.placeholders.first().map(|p| p.1).unwrap_or(Address::new_id(0)),
        },
        7 => Address::new_id(u.arbitrary()?),
        8 => {
            let bytes: [u8; 20] = u.arbitrary()?;
            match u.int_in_range(0..=2u8)? {
                0 => Address::new_secp256k1(&[&[4u8][..], &[bytes.as_slice(); 3].concat(), &[0u8; 4]].concat())
                    .unwrap_or(Address::new_id(5)),
                1 => Address::new_actor(&bytes),
                _ => Address::new_delegated(10, &bytes).unwrap_or(Address::new_id(6)),
            }
        }
        _ => {
            let raw: Vec<u8> = u.arbitrary()?;
            Address::from_bytes(&raw).unwrap_or(Address::new_id(7))
        }
    })
}

/// An amount of attoFIL around the interesting edges.
pub fn amount(u: &mut Unstructured) -> Result<TokenAmount> {
    Ok(match u.int_in_range(0..=5u8)? {
        0 => TokenAmount::from_atto(0),
        1 => TokenAmount::from_atto(u.int_in_range(1..=1000u64)?),
        2 => TokenAmount::from_whole(u.int_in_range(1..=20_000u64)?),
        3 => TokenAmount::from_atto(u.arbitrary::<u64>()?),
        4 => TokenAmount::from_atto(u.arbitrary::<u128>()?),
        _ => TokenAmount::from_atto(-(u.int_in_range(1..=1000i64)?)),
    })
}

/// A gas limit: zero, tiny, typical, the block limit, beyond it, or anything.
pub fn gas_limit(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => 0,
        1 => u.int_in_range(1..=2_000_000u64)?,
        2 | 3 => 1_000_000_000,
        4 => BLOCK_GAS_LIMIT,
        5 => BLOCK_GAS_LIMIT + 1,
        _ => u.int_in_range(0..=BLOCK_GAS_LIMIT + 1)?,
    })
}

/// Filecoin's block gas limit: no block can carry a message with a larger gas limit, so larger
/// ones are not fuzzed (one above it still is). Neither VM enforces it: a test actor spinning in
/// a loop with 2.7 × 10^14 gas runs for hours on both (the `syscalls` target's first timeout,
/// `testing/tests/fuzz_regressions.rs`).
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;

/// A message with fuzzer-chosen fields (the sender's nonce right most of the time).
pub fn message(u: &mut Unstructured, pair: &Pair, method: u64, params: Vec<u8>) -> Result<Message> {
    let from = address(u)?;
    let to = address(u)?;
    let sequence = match u.int_in_range(0..=7u8)? {
        0 => u.arbitrary()?,
        _ => pair
            .lookup(&from)
            .and_then(|id| pair.actor(id))
            .map_or(0, |a| a.sequence),
    };
    let fee_cap = match u.int_in_range(0..=3u8)? {
        0 => amount(u)?,
        _ => TokenAmount::from_atto(u.int_in_range(100..=10_000u64)?),
    };
    let premium = match u.int_in_range(0..=3u8)? {
        0 => amount(u)?,
        _ => TokenAmount::from_atto(u.int_in_range(0..=1_000u64)?),
    };
    Ok(Message {
        version: if u.ratio(1, 50)? { u.arbitrary()? } else { 0 },
        from,
        to,
        sequence,
        value: if u.ratio(1, 2)? { TokenAmount::from_atto(0) } else { amount(u)? },
        method_num: method,
        params: params.into(),
        gas_limit: gas_limit(u)?,
        gas_fee_cap: fee_cap,
        gas_premium: premium,
    })
}
