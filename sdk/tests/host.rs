//! Host-side behaviour of the SDK: the paths that must not touch the kernel, and the panicking
//! syscall stubs.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cid::multihash::Multihash;
use cid::Cid;
use fern_sdk::error::ActorError;
use fern_sdk::{ipld, message, send, ErrorNumber};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::sys::SendFlags;

fn panic_text(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn identity_blocks_never_reach_the_kernel() {
    for data in [&b""[..], b"hello", &[7u8; 64]] {
        let cid = ipld::put(0, data.len() as u32, 0x55, data).expect("identity put");
        let expected = Cid::new_v1(0x55, Multihash::wrap(0, data).unwrap());
        assert_eq!(cid, expected);
        assert_eq!(ipld::get(&cid).expect("identity get"), data);
    }
    assert_eq!(ipld::put(0, 3, 0x55, b"four"), Err(ErrorNumber::IllegalCid));
    // Too long for a 64-byte multihash.
    assert_eq!(ipld::put(0, 65, 0x55, &[1u8; 65]), Err(ErrorNumber::IllegalCid));
}

#[test]
fn empty_handles_need_no_syscall() {
    assert_eq!(ipld::get_block(ipld::UNIT, None), Ok(Vec::new()));
    assert_eq!(message::params_raw(fern_sdk::NO_DATA_BLOCK_ID), Ok(None));
}

#[test]
fn unrepresentable_send_value_fails_before_any_syscall() {
    let to = Address::new_id(1000);
    for atto in [num_bigint::BigInt::from(-1), num_bigint::BigInt::from(u128::MAX) + 1] {
        let res = send::send(&to, 2, None, TokenAmount::from_atto(atto), None, SendFlags::empty());
        assert_eq!(res, Err(ErrorNumber::InsufficientFunds));
    }
}

#[test]
fn bls_aggregate_argument_mismatch_fails_before_any_syscall() {
    let sig = [0u8; 96];
    let keys = [[0u8; 48]; 2];
    let res = fern_sdk::crypto::verify_bls_aggregate(&sig, &keys, &[b"only one"]);
    assert_eq!(res, Err(ErrorNumber::IllegalArgument));
}

#[test]
fn host_syscalls_panic_with_their_name() {
    let text = panic_text(|| {
        let _ = ipld::put_block(0x71, b"\x80");
    });
    assert!(text.contains("ipld::block_create"), "got: {text}");
    let text = panic_text(|| {
        let _ = fern_sdk::sself::root();
    });
    assert!(text.contains("self::root"), "got: {text}");
    let text = panic_text(|| fern_sdk::vm::abort(16, Some("x")));
    assert!(text.contains("vm::exit"), "got: {text}");
    let text = panic_text(|| {
        let _ = message::caller();
    });
    assert!(text.contains("vm::message_context"), "got: {text}");
}

#[test]
fn actor_error_constructors_use_the_standard_exit_codes() {
    use fvm_shared::error::ExitCode as O;
    let cases = [
        (ActorError::illegal_argument("m"), O::USR_ILLEGAL_ARGUMENT),
        (ActorError::not_found("m"), O::USR_NOT_FOUND),
        (ActorError::forbidden("m"), O::USR_FORBIDDEN),
        (ActorError::insufficient_funds("m"), O::USR_INSUFFICIENT_FUNDS),
        (ActorError::illegal_state("m"), O::USR_ILLEGAL_STATE),
        (ActorError::serialization("m"), O::USR_SERIALIZATION),
        (ActorError::unhandled_message("m"), O::USR_UNHANDLED_MESSAGE),
        (ActorError::assertion_failed("m"), O::USR_ASSERTION_FAILED),
        (ActorError::read_only("m"), O::USR_READ_ONLY),
    ];
    for (err, code) in cases {
        assert_eq!(err.exit_code.value(), code.value());
        assert_eq!(err.message, "m");
        assert!(err.data.is_none());
    }
}

#[test]
fn decode_failures_become_serialization_errors() {
    let bad: Result<u64, _> = fvm_ipld_encoding::from_slice(&[0x61, b'x']);
    let err = ActorError::from(bad.unwrap_err());
    assert_eq!(err.exit_code.value(), fvm_shared::error::ExitCode::USR_SERIALIZATION.value());
}
