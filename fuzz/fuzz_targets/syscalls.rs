//! Syscall sequences: messages to the `syscalls` test actor (f01000..f01003), each performing
//! one fuzzer-chosen syscall with fuzzer-chosen arguments (numbers: block ids, lengths, codecs,
//! offsets, gas amounts, method numbers; bytes: CIDs, addresses, data), on Fern and ref-fvm 4.8,
//! outcomes compared as in the `message` target.

#![no_main]

use fern_test_syscalls::method;
use fvm::executor::ApplyKind;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

const METHODS: &[u64] = &[
    method::BLOCK_CREATE,
    method::BLOCK_READ,
    method::BLOCK_READ_BAD_ID,
    method::BLOCK_STAT,
    method::BLOCK_LINK,
    method::BLOCK_OPEN,
    method::BLOCK_BIG,
    method::ROOT,
    method::SET_ROOT,
    method::BALANCE,
    method::SELF_DESTRUCT,
    method::MESSAGE_CONTEXT,
    method::NETWORK_CONTEXT,
    method::TIPSET_CID,
    method::CIRC_SUPPLY,
    method::RESOLVE_ADDRESS,
    method::LOOKUP_DELEGATED,
    method::ACTOR_CODE_CID,
    method::BUILTIN_TYPE,
    method::CODE_FOR_TYPE,
    method::NEXT_ADDRESS,
    method::CREATE_ACTOR,
    method::BALANCE_OF,
    method::HASH,
    method::VERIFY_SIGNATURE,
    method::RECOVER_SECP,
    method::CONSENSUS_FAULT,
    method::UNSEALED_CID,
    method::VERIFY_PROOF,
    method::EMIT_EVENT,
    method::CHAIN_RANDOMNESS,
    method::BEACON_RANDOMNESS,
    method::GAS_AVAILABLE,
    method::GAS_CHARGE,
    method::DEBUG_LOG,
    method::STORE_ARTIFACT,
    method::SEND,
    method::EXIT,
    method::EXIT_BAD_BLOCK,
    method::RETURN_HANDLE,
    method::RETURN_RAW,
];

/// A number argument: small values (ids, codecs, lengths) most of the time, edges otherwise.
fn number(u: &mut Unstructured) -> libfuzzer_sys::arbitrary::Result<u64> {
    Ok(match u.int_in_range(0..=5u8)? {
        0 | 1 => u.int_in_range(0..=8)?,
        2 => *u.choose(&[0x55u64, 0x71, 0x51, 0x00, 0xb220, 0x12, 0x1e, 32, 64, 1 << 20])?,
        3 => u.int_in_range(0..=1 << 16)?,
        4 => *u.choose(&[u64::MAX, u32::MAX as u64, i64::MAX as u64, 1 << 31, 1 << 32])?,
        _ => u.arbitrary()?,
    })
}

fuzz_target!(init: fern_fuzz::warm_up(), |data: &[u8]| {
    let data = data.to_vec();
    fern_fuzz::deep(move || {
        let mut u = Unstructured::new(&data);
        let Ok(mut pair) = fern_fuzz::pair(&mut u) else { return };
        let sender = fern_fuzz::genesis().accounts[0].address;
        for _ in 0..6 {
            let Ok(&m) = u.choose(METHODS) else { return };
            let Ok(n) = u.int_in_range(0..=4usize) else { return };
            let nums: Vec<u64> = (0..n).filter_map(|_| number(&mut u).ok()).collect();
            let bytes: Vec<u8> = match u.int_in_range(0..=3u8) {
                Ok(0) => fern_fuzz::address(&mut u).map(|a| a.to_bytes()).unwrap_or_default(),
                Ok(_) => u.arbitrary().unwrap_or_default(),
                Err(_) => return,
            };
            let params = fvm_ipld_encoding::to_vec(&(nums, fvm_ipld_encoding::RawBytes::new(bytes)))
                .expect("args encode");
            let target = fern_testing::genesis::TEST_ACTOR_BASE_ID + u.int_in_range(0..=3).unwrap_or(0);
            let sequence = pair
                .lookup(&sender)
                .and_then(|id| pair.actor(id))
                .map_or(0, |a| a.sequence);
            let msg = fvm_shared::message::Message {
                version: 0,
                from: sender,
                to: Address::new_id(target),
                sequence,
                value: TokenAmount::from_atto(u.int_in_range(0..=3u64).unwrap_or(0)),
                method_num: m,
                params: params.into(),
                gas_limit: fern_fuzz::gas_limit(&mut u).unwrap_or(1_000_000_000),
                gas_fee_cap: TokenAmount::from_atto(1000),
                gas_premium: TokenAmount::from_atto(100),
            };
            if std::env::var_os("FERN_FUZZ_DEBUG").is_some() {
                eprintln!("message {msg:?}");
            }
            if pair.try_apply_kind(msg, ApplyKind::Explicit).is_err() {
                return;
            }
        }
    })
});
