//! The scenario library: named scenarios over every syscall and failure path.
//!
//! Every scenario starts from [`GenesisSpec::standard`]. [`all`] lists them; each group module
//! adds its own.

use std::sync::Arc;

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::genesis::{Genesis, GenesisSpec};
use crate::scenario::{Scenario, ScenarioBuilder};

mod examples;
mod executor;
mod failures;
mod fvm_sdk;
mod syscalls;
mod transfers;

/// The standard genesis, built once per call.
pub fn standard_genesis() -> Arc<Genesis> {
    Arc::new(
        GenesisSpec::standard()
            .build()
            .expect("the standard genesis builds"),
    )
}

/// Every scenario of the library, on `genesis` (which must be the standard genesis).
pub fn all(genesis: &Arc<Genesis>) -> Vec<Scenario> {
    let ctx = Ctx::new(genesis);
    let mut out = Vec::new();
    out.extend(transfers::scenarios(&ctx));
    out.extend(executor::scenarios(&ctx));
    out.extend(syscalls::scenarios(&ctx));
    out.extend(failures::scenarios(&ctx));
    out.extend(fvm_sdk::scenarios(&ctx));
    out.extend(examples::scenarios(&ctx));
    // Scenarios added after the corpus was first generated go last: a vector's network versions
    // follow its scenario's position in this list.
    out.extend(syscalls::debug_scenarios(&ctx));
    out.extend(examples::eam_scenarios(&ctx));
    out
}

/// Handy addresses and helpers of the standard genesis.
pub(crate) struct Ctx {
    pub genesis: Arc<Genesis>,
    /// Secp256k1 account addresses (f1).
    pub secp: Vec<Address>,
    /// Their ids.
    pub secp_ids: Vec<u64>,
    /// BLS account addresses (f3).
    pub bls: Vec<Address>,
    /// The poor account.
    pub poor: Address,
    /// The placeholder (id, f4).
    pub placeholder: (u64, Address),
    /// `syscalls` test actor.
    pub sys: Address,
    /// The spare `syscalls` instance.
    pub sys2: Address,
    /// `failures` test actor.
    pub fail: Address,
    /// `fvm_sdk` test actor.
    pub fvm: Address,
}

impl Ctx {
    fn new(genesis: &Arc<Genesis>) -> Self {
        let secp: Vec<_> = genesis.accounts.iter().filter(|a| !a.bls).collect();
        let bls: Vec<_> = genesis.accounts.iter().filter(|a| a.bls).collect();
        let id_of = |name: &str, nth: usize| {
            let a = genesis
                .test_actors
                .iter()
                .filter(|a| a.name == name)
                .nth(nth)
                .expect("test actor");
            Address::new_id(a.id)
        };
        Ctx {
            genesis: genesis.clone(),
            secp: secp.iter().map(|a| a.address).collect(),
            secp_ids: secp.iter().map(|a| a.id).collect(),
            bls: bls.iter().map(|a| a.address).collect(),
            poor: genesis.poor.as_ref().expect("poor account").address,
            placeholder: genesis.placeholders[0],
            sys: id_of("syscalls", 0),
            sys2: id_of("syscalls", 1),
            fail: id_of("failures", 0),
            fvm: id_of("fvm_sdk", 0),
        }
    }

    /// A new builder on the genesis.
    pub fn builder(&self, name: &str) -> ScenarioBuilder {
        ScenarioBuilder::new(name, &self.genesis)
    }
}

/// CBOR of the test actors' `[numbers, bytes]` parameters.
pub(crate) fn args(n: &[u64], b: &[u8]) -> RawBytes {
    RawBytes::serialize((n.to_vec(), RawBytes::new(b.to_vec()))).expect("args encode")
}

/// CBOR of any value.
pub(crate) fn cbor<T: serde::Serialize>(v: &T) -> RawBytes {
    RawBytes::serialize(v).expect("encodes")
}

/// Zero FIL.
pub(crate) fn zero() -> TokenAmount {
    TokenAmount::from_atto(0)
}

/// Shorthand for `ExitCode::OK`.
pub(crate) const OK: ExitCode = ExitCode::OK;
