//! Scenarios: a genesis, machine settings and a list of messages with their expected outcome.

use std::collections::BTreeMap;
use std::sync::Arc;

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use fvm_shared::MethodNum;

use crate::genesis::Genesis;
use crate::vm::{Outcome, Vm};

/// The pseudo exit code a [`Step`] expects when the VM must refuse the message with a fatal
/// error instead of a receipt (gas limit 0 or above `i64::MAX`).
pub const FATAL: u32 = u32::MAX;

/// The digest served for a randomness draw no rule covers (as in the test-vector runner).
pub const DEFAULT_RANDOMNESS: [u8; 32] = fern_conformance::runner::FALLBACK_RANDOMNESS;

/// The randomness digests a scenario's chain serves, per kind and epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Randomness {
    /// Chain (ticket) randomness digests by epoch.
    pub chain: BTreeMap<i64, [u8; 32]>,
    /// Beacon randomness digests by epoch.
    pub beacon: BTreeMap<i64, [u8; 32]>,
}

impl Randomness {
    /// The chain randomness digest of `epoch`.
    pub fn chain_digest(&self, epoch: i64) -> [u8; 32] {
        self.chain
            .get(&epoch)
            .copied()
            .unwrap_or(DEFAULT_RANDOMNESS)
    }

    /// The beacon randomness digest of `epoch`.
    pub fn beacon_digest(&self, epoch: i64) -> [u8; 32] {
        self.beacon
            .get(&epoch)
            .copied()
            .unwrap_or(DEFAULT_RANDOMNESS)
    }
}

/// The tipset CID the scenario chain reports for `epoch`: the conformance runner's convention,
/// so vectors written from scenarios replay with the same answers. Both VMs serve exactly this.
pub use fern_conformance::runner::tipset_cid;

/// One message of a scenario and what it must produce.
#[derive(Debug, Clone)]
pub struct Step {
    /// A short description, unique within the scenario.
    pub label: String,
    /// The message.
    pub msg: Message,
    /// Its on-chain length (CBOR bytes, plus the signature framing for secp256k1 senders).
    pub raw_len: usize,
    /// The exit code it must end with (or [`FATAL`]).
    pub expect: u32,
    /// For the test actors' `[status, bytes]` returns: the status (syscall error number, 0 for
    /// success) the return data must carry. `None` when the return is not such a pair.
    pub expect_status: Option<u32>,
}

impl Step {
    /// Sets the expected `[status, bytes]` status.
    pub fn status(&mut self, status: u32) -> &mut Self {
        self.expect_status = Some(status);
        self
    }

    /// Sets the gas limit.
    pub fn gas(&mut self, limit: u64) -> &mut Self {
        self.msg.gas_limit = limit;
        self
    }
}

/// Machine settings and messages, on a genesis.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Unique name (`group/what`).
    pub name: String,
    /// The starting state.
    pub genesis: Arc<Genesis>,
    /// Network version.
    pub network_version: NetworkVersion,
    /// Epoch of every message (timestamp = epoch × 30).
    pub epoch: i64,
    /// Base fee.
    pub base_fee: TokenAmount,
    /// Circulating supply.
    pub circ_supply: TokenAmount,
    /// Randomness digests.
    pub randomness: Randomness,
    /// Whether actor debugging (debug logs, artifacts) is on.
    pub actor_debugging: bool,
    /// The messages, applied in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// A copy of this scenario at another network version.
    pub fn at(&self, nv: NetworkVersion) -> Scenario {
        Scenario {
            network_version: nv,
            ..self.clone()
        }
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the scenario has no messages.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// The result of running a scenario on one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// One outcome per step.
    pub outcomes: Vec<Outcome>,
    /// The state root after the last message.
    pub state_root: Cid,
}

/// Applies every step of a scenario to `vm` and reads the final state root.
pub fn run(vm: &mut dyn Vm, scenario: &Scenario) -> Run {
    let outcomes = scenario
        .steps
        .iter()
        .map(|s| vm.apply(&s.msg, s.raw_len))
        .collect();
    Run {
        outcomes,
        state_root: vm.state_root(),
    }
}

/// The on-chain length of a message: its CBOR, plus 65 signature bytes and 4 bytes of framing
/// when the sender is a secp256k1 address.
pub fn raw_length(msg: &Message) -> usize {
    let base = fvm_ipld_encoding::to_vec(msg)
        .expect("messages encode")
        .len();
    if msg.from.protocol() == Protocol::Secp256k1 {
        base + 65 + 4
    } else {
        base
    }
}

/// Default gas limit of builder messages.
pub const DEFAULT_GAS_LIMIT: u64 = 300_000_000;

/// Builds a scenario, tracking sender nonces.
#[derive(Debug)]
pub struct ScenarioBuilder {
    scenario: Scenario,
    nonces: BTreeMap<Address, u64>,
}

impl ScenarioBuilder {
    /// A scenario named `name` on `genesis` at nv21, epoch 1000, base fee 100, circulating
    /// supply 1 000 000 FIL, no randomness rules, debugging off.
    pub fn new(name: impl Into<String>, genesis: &Arc<Genesis>) -> Self {
        ScenarioBuilder {
            scenario: Scenario {
                name: name.into(),
                genesis: genesis.clone(),
                network_version: NetworkVersion::V21,
                epoch: 1000,
                base_fee: TokenAmount::from_atto(100),
                circ_supply: TokenAmount::from_whole(1_000_000),
                randomness: Randomness::default(),
                actor_debugging: false,
                steps: Vec::new(),
            },
            nonces: BTreeMap::new(),
        }
    }

    /// The genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.scenario.genesis
    }

    /// Changes machine settings.
    pub fn settings(mut self, f: impl FnOnce(&mut Scenario)) -> Self {
        f(&mut self.scenario);
        self
    }

    /// Adds a message from `from` (nonce tracked per address as written) and expects `expect`.
    /// The nonce advances unless the expected outcome is a pre-validation failure (the sender
    /// then never reaches execution and its nonce stays).
    #[allow(clippy::too_many_arguments)]
    pub fn call(
        &mut self,
        label: impl Into<String>,
        from: Address,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
        expect: ExitCode,
    ) -> &mut Step {
        let sequence = *self.nonces.get(&from).unwrap_or(&0);
        let msg = Message {
            version: 0,
            from,
            to,
            sequence,
            value,
            method_num: method,
            params,
            gas_limit: DEFAULT_GAS_LIMIT,
            gas_fee_cap: TokenAmount::from_atto(1_000),
            gas_premium: TokenAmount::from_atto(10),
        };
        let code = expect.value();
        if !prevalidation(code) {
            self.nonces.insert(from, sequence + 1);
        }
        self.push(label, msg, code)
    }

    /// Adds a fully specified message (its nonce is not tracked) expecting exit code `expect`
    /// (or [`FATAL`]). Returns the step for further changes.
    pub fn raw(&mut self, label: impl Into<String>, msg: Message, expect: u32) -> &mut Step {
        self.push(label, msg, expect)
    }

    /// The next nonce of `from`.
    pub fn nonce(&self, from: &Address) -> u64 {
        *self.nonces.get(from).unwrap_or(&0)
    }

    /// Advances the tracked nonce of `from` (after a [`ScenarioBuilder::raw`] step that used it).
    pub fn bump(&mut self, from: &Address) {
        *self.nonces.entry(*from).or_insert(0) += 1;
    }

    fn push(&mut self, label: impl Into<String>, msg: Message, expect: u32) -> &mut Step {
        let raw_len = raw_length(&msg);
        self.scenario.steps.push(Step {
            label: label.into(),
            msg,
            raw_len,
            expect,
            expect_status: None,
        });
        self.scenario.steps.last_mut().unwrap()
    }

    /// Re-computes every step's length (after steps were edited) and returns the scenario.
    pub fn build(mut self) -> Scenario {
        for s in &mut self.scenario.steps {
            s.raw_len = raw_length(&s.msg);
        }
        self.scenario
    }
}

/// Exit codes with which the executor refuses a message before running it (the sender's nonce
/// does not advance).
pub fn prevalidation(code: u32) -> bool {
    code == ExitCode::SYS_SENDER_INVALID.value()
        || code == ExitCode::SYS_SENDER_STATE_INVALID.value()
        || code == FATAL
}

/// Compares two runs of the same scenario field by field (exit code, return bytes, gas used,
/// events root, events; then the final state root) and describes every difference, one line
/// each, naming the step. An empty list means the runs agree bit for bit.
pub fn differences(scenario: &Scenario, expected: &Run, actual: &Run) -> Vec<String> {
    let mut out = Vec::new();
    if expected.outcomes.len() != actual.outcomes.len() {
        out.push(format!(
            "{}: {} outcomes vs {}",
            scenario.name,
            expected.outcomes.len(),
            actual.outcomes.len()
        ));
    }
    for ((step, e), a) in scenario
        .steps
        .iter()
        .zip(&expected.outcomes)
        .zip(&actual.outcomes)
    {
        let at = format!("{} / {}", scenario.name, step.label);
        if e.exit_code != a.exit_code {
            out.push(format!(
                "{at}: exit code {} vs {}",
                e.exit_code, a.exit_code
            ));
        }
        if e.return_data != a.return_data {
            out.push(format!(
                "{at}: return {:02x?} vs {:02x?}",
                e.return_data, a.return_data
            ));
        }
        if e.gas_used != a.gas_used {
            out.push(format!("{at}: gas used {} vs {}", e.gas_used, a.gas_used));
        }
        if e.events_root != a.events_root {
            out.push(format!(
                "{at}: events root {:?} vs {:?}",
                e.events_root, a.events_root
            ));
        }
        if e.events != a.events {
            out.push(format!("{at}: events {:?} vs {:?}", e.events, a.events));
        }
    }
    if expected.state_root != actual.state_root {
        out.push(format!(
            "{}: state root {} vs {}",
            scenario.name, expected.state_root, actual.state_root
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesis::GenesisSpec;

    fn spec() -> GenesisSpec {
        GenesisSpec {
            secp_accounts: vec![(1, 10), (2, 10)],
            bls_accounts: vec![],
            poor_account_atto: None,
            placeholders: vec![],
            test_actors: vec![],
        }
    }

    #[test]
    fn builder_tracks_nonces_except_for_refused_messages() {
        let genesis = Arc::new(spec().build().unwrap());
        let (a, b) = (genesis.accounts[0].address, genesis.accounts[1].address);
        let mut sb = ScenarioBuilder::new("t", &genesis);
        let none = RawBytes::default;
        sb.call(
            "1",
            a,
            b,
            0,
            none(),
            TokenAmount::from_atto(1),
            ExitCode::OK,
        );
        sb.call(
            "2",
            a,
            b,
            0,
            none(),
            TokenAmount::from_atto(1),
            ExitCode::SYS_INSUFFICIENT_FUNDS,
        );
        sb.call(
            "3",
            a,
            b,
            0,
            none(),
            TokenAmount::from_atto(1),
            ExitCode::SYS_SENDER_STATE_INVALID,
        );
        sb.call(
            "4",
            a,
            b,
            0,
            none(),
            TokenAmount::from_atto(1),
            ExitCode::OK,
        );
        sb.call(
            "5",
            b,
            a,
            0,
            none(),
            TokenAmount::from_atto(1),
            ExitCode::OK,
        );
        let s = sb.build();
        let seqs: Vec<u64> = s.steps.iter().map(|s| s.msg.sequence).collect();
        assert_eq!(seqs, [0, 1, 2, 2, 0]);
        for step in &s.steps {
            assert_eq!(step.raw_len, raw_length(&step.msg));
        }
    }

    #[test]
    fn secp_senders_pay_for_their_signature_bytes() {
        let genesis = spec().build().unwrap();
        let mut msg = Message {
            version: 0,
            from: genesis.accounts[0].address,
            to: Address::new_id(genesis.accounts[1].id),
            sequence: 0,
            value: TokenAmount::from_atto(1),
            method_num: 0,
            params: RawBytes::default(),
            gas_limit: 1,
            gas_fee_cap: TokenAmount::from_atto(1),
            gas_premium: TokenAmount::from_atto(1),
        };
        let cbor = fvm_ipld_encoding::to_vec(&msg).unwrap().len();
        assert_eq!(raw_length(&msg), cbor + 69);
        msg.from = Address::new_id(genesis.accounts[0].id);
        assert_eq!(
            raw_length(&msg),
            fvm_ipld_encoding::to_vec(&msg).unwrap().len()
        );
    }

    #[test]
    fn randomness_falls_back_to_the_runner_digest() {
        let mut r = Randomness::default();
        r.chain.insert(5, [1; 32]);
        assert_eq!(r.chain_digest(5), [1; 32]);
        assert_eq!(r.chain_digest(6), DEFAULT_RANDOMNESS);
        assert_eq!(r.beacon_digest(5), DEFAULT_RANDOMNESS);
        assert_eq!(&DEFAULT_RANDOMNESS, b"i_am_random_____i_am_random_____");
    }
}
