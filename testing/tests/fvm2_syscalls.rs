//! Network version 17: the 36 syscalls of the ref-fvm 2.x ABI on Fern and on ref-fvm 2.12.
//!
//! Each probe is a hand-written actor that imports every nv17 syscall, calls some of them with
//! valid and invalid arguments, stores each status and every output into a 2 KiB result area,
//! and returns that area as a block. The same messages run on both VMs (`fern_testing::ref_vm2`)
//! and must agree on exit code, return bytes (statuses and outputs), gas used, fees and the state
//! root after every message. A probe whose imports did not link would fail on both alike, so
//! each probe's exit code is also asserted.

use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_testing::probes2::{probes, RES, RES_LEN};
use fern_testing::ref_vm2::{
    apply_fern2, apply_ref2, fern2_executor, flush_fern2, flush_ref2, ref2_executor, Fern2Executor,
    Genesis2, Outcome2, Ref2Executor, BASE_FEE2, FIRST_ACTOR_ID,
};
use fvm_ipld_encoding::RawBytes;

struct Pair {
    fern: Fern2Executor,
    oracle: Ref2Executor,
    genesis: Genesis2,
    nonce: u64,
    applied: usize,
}

impl Pair {
    fn new() -> Pair {
        let probes = probes();
        let genesis = Genesis2::build(3, &probes).expect("genesis");
        for (i, (name, _)) in probes.iter().enumerate() {
            assert_eq!(genesis.actor(name).unwrap(), FIRST_ACTOR_ID + i as u64);
        }
        Pair {
            fern: fern2_executor(&genesis, BASE_FEE2).expect("Fern's nv17 executor"),
            oracle: ref2_executor(&genesis, BASE_FEE2).expect("ref-fvm 2.12 executor"),
            genesis,
            nonce: 0,
            applied: 0,
        }
    }

    fn call(&mut self, name: &str, params: &[u8], gas_limit: u64) -> Outcome2 {
        let msg = Message {
            version: 0,
            from: self.genesis.accounts[0].1,
            to: Address::new_id(self.genesis.actor(name).unwrap()),
            sequence: self.nonce,
            value: TokenAmount::zero(),
            method_num: 2,
            params: RawBytes::new(params.to_vec()),
            gas_limit,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        };
        self.nonce += 1;
        self.applied += 1;
        let ours = apply_fern2(&mut self.fern, &msg, false).expect("Fern applies");
        let theirs = apply_ref2(&mut self.oracle, &msg, false).expect("ref-fvm applies");
        if ours != theirs {
            let diff: Vec<String> = ours
                .return_data
                .iter()
                .zip(&theirs.return_data)
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .map(|(i, (a, b))| format!("@{:#x}: {a} vs {b}", RES as usize + i))
                .collect();
            panic!(
                "probe {name} (message {}): differs\n fern: exit {} gas {} fees {:?}\n  ref: exit {} gas {} fees {:?}\n bytes: {diff:?}",
                self.applied,
                ours.exit_code,
                ours.gas_used,
                ours.fees,
                theirs.exit_code,
                theirs.gas_used,
                theirs.fees
            );
        }
        assert_eq!(
            flush_fern2(&mut self.fern).unwrap(),
            flush_ref2(&mut self.oracle).unwrap(),
            "probe {name}: state roots differ"
        );
        ours
    }
}

fn status(out: &Outcome2, slot: usize) -> u32 {
    u32::from_le_bytes(out.return_data[slot * 4..slot * 4 + 4].try_into().unwrap())
}

#[test]
fn every_nv17_syscall_matches_ref_fvm_2() {
    // 1 025 nested sends need a deep native stack (ref-fvm 2.x asks for 64 MiB).
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(run_probes)
        .unwrap()
        .join()
        .unwrap();
}

fn run_probes() {
    let mut p = Pair::new();
    const ILLEGAL_ARGUMENT: u32 = 1;
    const NOT_FOUND: u32 = 6;
    const INVALID_HANDLE: u32 = 7;
    const ILLEGAL_CID: u32 = 8;
    const ILLEGAL_CODEC: u32 = 9;
    const FORBIDDEN: u32 = 11;
    const BUFFER_TOO_SMALL: u32 = 12;

    let r = p.call("context", &[], 10_000_000);
    assert_eq!((r.exit_code, r.return_data.len()), (0, RES_LEN as usize));
    assert_eq!(
        (0..9).map(|i| status(&r, i)).collect::<Vec<_>>(),
        vec![0, 0, 0, 0, 0, BUFFER_TOO_SMALL, 0, 0, 0]
    );
    assert_eq!(
        (status(&r, 9), status(&r, 10)),
        (ILLEGAL_ARGUMENT, ILLEGAL_ARGUMENT)
    );

    let r = p.call("ipld", &[], 10_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(status(&r, 0), 0);
    assert_eq!(
        (status(&r, 6), status(&r, 7), status(&r, 8)),
        (ILLEGAL_CODEC, ILLEGAL_CID, BUFFER_TOO_SMALL)
    );
    assert_eq!(
        (status(&r, 9), status(&r, 10)),
        (INVALID_HANDLE, INVALID_HANDLE)
    );
    assert_eq!(status(&r, 11), ILLEGAL_ARGUMENT);

    let r = p.call("actors", &[], 10_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        (status(&r, 0), status(&r, 1), status(&r, 4)),
        (0, NOT_FOUND, NOT_FOUND)
    );
    assert_eq!(
        (status(&r, 5), status(&r, 6), status(&r, 7)),
        (0, 0, BUFFER_TOO_SMALL)
    );
    assert_eq!(
        (
            status(&r, 12),
            status(&r, 13),
            status(&r, 14),
            status(&r, 15)
        ),
        (0, FORBIDDEN, FORBIDDEN, FORBIDDEN)
    );
    assert_eq!(status(&r, 17), ILLEGAL_ARGUMENT);

    let r = p.call("crypto", &[], 50_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        (0..5).map(|i| status(&r, i)).collect::<Vec<_>>(),
        vec![0; 5]
    );
    assert_eq!(
        (status(&r, 5), status(&r, 6)),
        (ILLEGAL_ARGUMENT, ILLEGAL_ARGUMENT)
    );
    assert_eq!(
        (status(&r, 7), status(&r, 8), status(&r, 10)),
        (0, 0, ILLEGAL_ARGUMENT)
    );
    assert_eq!((status(&r, 12), status(&r, 13)), (0, ILLEGAL_ARGUMENT));
    assert_eq!((status(&r, 21), status(&r, 22)), (0, 0));

    let r = p.call("gas", &[], 10_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        (status(&r, 0), status(&r, 1), status(&r, 2)),
        (0, 0, ILLEGAL_ARGUMENT)
    );

    let r = p.call("sender", &[], 100_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        (status(&r, 0), status(&r, 1), status(&r, 2)),
        (0, 0, NOT_FOUND)
    );
    assert_eq!(status(&r, 6), 0);
    assert_eq!(status(&r, 8), INVALID_HANDLE);

    // Exit codes through vm::abort: user codes pass, system codes (0 included) become 9.
    for code in [16u32, 5, 0, 255, 1 << 31] {
        let r = p.call("aborter", &code.to_le_bytes(), 10_000_000);
        let want = if code < 16 { 9 } else { code };
        assert_eq!(r.exit_code, want, "abort({code})");
    }

    let r = p.call("destroyer", &[], 10_000_000);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        (status(&r, 0), status(&r, 1), status(&r, 2)),
        (NOT_FOUND, FORBIDDEN, 0)
    );

    // The call depth limit, reached through sends of an actor to itself.
    let r = p.call("deep", &[], 10_000_000_000);
    assert_eq!(r.exit_code, 0);
    // Out of gas part way down the same chain.
    let r = p.call("deep", &[], 30_000_000);
    assert_eq!(r.exit_code, 7);
    assert!(p.applied >= 14);
}
