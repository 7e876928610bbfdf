//! `--bundles DIR`: the same kind of workloads on the real built-in actors of lotus-style bundle
//! archives (`v16.tar.zst`, ...), one genesis per bundle, on Fern and ref-fvm.
//!
//! For each archive of actors v12 and later (the versions ref-fvm 4.8 runs), the mainnet CAR of
//! the archive is loaded and a genesis laid out on it (`fern_testing::real_bundles::genesis`:
//! system, init, burnt funds, EAM, the reward actor and four secp256k1 accounts). Two set-up
//! messages (not timed) create a 2-of-2 multisig through the init actor and deploy the token
//! contract below through the EAM; the state after them is the starting point of every workload:
//!
//! - `account_pubkey`: the account actor's `PubkeyAddress`;
//! - `multisig`: propose a 1 attoFIL send, then the second signer approves it (which sends);
//! - `evm_deploy`: `CreateExternal` of the token contract from an f1 account;
//! - `erc20_transfer`: the token's `transfer(to, 1)`, two storage writes and a LOG3 event.
//!
//! Before the workloads, `vN.startup_cold` and `vN.startup_warm` time compiling every actor of
//! the bundle (cold on both VMs; Fern also from its filled module cache).
//!
//! Each workload first runs once on both VMs, which must agree on every receipt (exit code,
//! return, gas used, events) and the final state root, or the bench panics.

use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use fern_testing::genesis::Genesis;
use fern_testing::real_bundles::{
    archives, genesis, mainnet_car, network_version, token_initcode, transfer_calldata,
    ACCOUNT_PUBKEY_ADDRESS, EAM_ACTOR, EAM_CREATE_EXTERNAL, EVM_INVOKE_CONTRACT, INIT_ACTOR,
    INIT_EXEC, MULTISIG_APPROVE, MULTISIG_PROPOSE,
};
use fern_testing::scenario::{Scenario, ScenarioBuilder};
use fvm_ipld_encoding::{BytesDe, BytesSer, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::version::NetworkVersion;

use crate::{agree, throughput, Plan};

/// The starting state of the workloads: `genesis` after the set-up messages, with the multisig's
/// and the token contract's ids.
struct Deployed {
    genesis: Arc<Genesis>,
    multisig: u64,
    token: u64,
}

fn deploy(genesis: Arc<Genesis>, nv: NetworkVersion, name: &str) -> Result<Deployed> {
    let a = &genesis.accounts;
    let multisig_code = genesis
        .code("multisig")
        .ok_or_else(|| anyhow!("no multisig actor"))?;
    let mut b = ScenarioBuilder::new(format!("{name}/setup"), &genesis)
        .settings(|s| s.network_version = nv);
    // Multisig constructor: signers, approvals threshold, unlock duration, start epoch.
    let constructor = RawBytes::serialize((vec![a[0].address, a[1].address], 2u64, 0i64, 0i64))?;
    b.call(
        "create multisig",
        a[3].address,
        Address::new_id(INIT_ACTOR),
        INIT_EXEC,
        RawBytes::serialize((multisig_code, constructor))?,
        TokenAmount::from_whole(1_000),
        ExitCode::OK,
    );
    b.call(
        "deploy token",
        a[3].address,
        Address::new_id(EAM_ACTOR),
        EAM_CREATE_EXTERNAL,
        RawBytes::serialize(BytesSer(&token_initcode()))?,
        TokenAmount::default(),
        ExitCode::OK,
    );
    let setup = b.build();
    let (ran, ref_vm) = agree(&setup)?;
    // init's Exec returns (id address, robust address); the EAM returns (actor id, robust
    // address, eth address).
    let (msig, _): (Address, Address) =
        fvm_ipld_encoding::from_slice(&ran.outcomes[0].return_data)?;
    let (token, _, _): (u64, Option<Address>, BytesDe) =
        fvm_ipld_encoding::from_slice(&ran.outcomes[1].return_data)?;
    // The state after set-up: everything ref-fvm flushed, on top of the genesis blocks.
    let mut next = (*genesis).clone();
    next.blocks.extend(ref_vm.recording().written);
    next.state_root = ran.state_root;
    Ok(Deployed {
        genesis: Arc::new(next),
        multisig: msig.id()?,
        token,
    })
}

fn workloads(d: &Deployed, nv: NetworkVersion, name: &str, plan: &Plan) -> Vec<Scenario> {
    let g = &d.genesis;
    let a = &g.accounts;
    let n = plan.bundle_messages;
    let builder = |w: &str| {
        ScenarioBuilder::new(format!("{name}.{w}"), g).settings(|s| s.network_version = nv)
    };
    let none = RawBytes::default;
    let zero = TokenAmount::default;
    let mut out = Vec::new();

    let mut b = builder("account_pubkey");
    for _ in 0..n {
        b.call(
            "pubkey",
            a[0].address,
            Address::new_id(a[1].id),
            ACCOUNT_PUBKEY_ADDRESS,
            none(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("multisig");
    let msig = Address::new_id(d.multisig);
    for txn in 0..(n / 2) as i64 {
        // Propose: to, value, method, params.
        let propose = (
            Address::new_id(a[2].id),
            TokenAmount::from_atto(1),
            0u64,
            none(),
        );
        b.call(
            "propose",
            a[0].address,
            msig,
            MULTISIG_PROPOSE,
            RawBytes::serialize(propose).unwrap(),
            zero(),
            ExitCode::OK,
        );
        // Approve: transaction id, proposal hash (empty: not checked).
        b.call(
            "approve",
            a[1].address,
            msig,
            MULTISIG_APPROVE,
            RawBytes::serialize((txn, BytesSer(&[]))).unwrap(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("evm_deploy");
    let initcode = RawBytes::serialize(BytesSer(&token_initcode())).unwrap();
    for _ in 0..plan.bundle_deploys {
        b.call(
            "deploy",
            a[2].address,
            Address::new_id(EAM_ACTOR),
            EAM_CREATE_EXTERNAL,
            initcode.clone(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("erc20_transfer");
    // The deployer (a[3]) holds the tokens; its two set-up messages used nonces 0 and 1.
    b.bump(&a[3].address);
    b.bump(&a[3].address);
    for i in 0..n {
        let mut to = [0x22; 20];
        to[16..].copy_from_slice(&(i as u32).to_be_bytes());
        let params = RawBytes::serialize(BytesSer(&transfer_calldata(to, 1))).unwrap();
        b.call(
            "transfer",
            a[3].address,
            Address::new_id(d.token),
            EVM_INVOKE_CONTRACT,
            params,
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());
    out
}

/// Runs the real-bundle workloads for every archive in `dir`.
pub fn bench(dir: &Path, plan: &Plan) {
    let archives = archives(dir).unwrap_or_else(|e| panic!("--bundles: {e:#}"));
    if archives.is_empty() {
        println!("bundles: no v<N>.tar.zst archive in {}", dir.display());
    }
    for (version, path) in archives {
        let nv = match network_version(version) {
            Some(nv) if nv >= NetworkVersion::V21 => nv,
            _ => {
                println!(
                    "bundles: skipping v{version} (the bench compares with ref-fvm 4.8: actors \
                     v12 and later, nv21-29; v10 and v11 are checked against ref-fvm 3.14 by \
                     testing/tests/real_bundles_fvm3.rs)"
                );
                continue;
            }
        };
        let name = format!("v{version}");
        if !crate::wanted_bundle(&name) {
            continue;
        }
        let Some(car) = mainnet_car(&path).unwrap_or_else(|e| panic!("{e:#}")) else {
            println!("bundles: skipping {name}: no builtin-actors-mainnet.car");
            continue;
        };
        let genesis =
            Arc::new(genesis(&car, nv).unwrap_or_else(|e| panic!("{name}: genesis: {e:#}")));
        let codes: Vec<_> = genesis.builtin.iter().map(|(_, c)| *c).collect();
        crate::startup_of(
            &format!("{name}."),
            &format!("the {name} mainnet bundle"),
            &genesis.store(),
            &codes,
            nv,
            plan.startup_rounds,
        );
        let deployed =
            deploy(genesis, nv, &name).unwrap_or_else(|e| panic!("{name}: set-up: {e:#}"));
        for scenario in workloads(&deployed, nv, &name, plan) {
            throughput(&scenario.name.clone(), &scenario, plan.bundle_rounds);
        }
    }
}
