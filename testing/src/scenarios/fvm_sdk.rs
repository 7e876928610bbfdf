//! Scenarios on the actor built with `fvm_sdk` 4.8.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::{cbor, zero, Ctx, OK};
use crate::scenario::Scenario;

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut b = ctx.builder("fvm_sdk/methods");
    let a = ctx.secp[0];
    b.call("describe", a, ctx.fvm, 2, RawBytes::default(), zero(), OK);
    b.call(
        "describe with value",
        a,
        ctx.fvm,
        2,
        RawBytes::default(),
        TokenAmount::from_atto(42),
        OK,
    );
    b.call("add 5", a, ctx.fvm, 3, cbor(&5u64), zero(), OK);
    b.call("add 7", ctx.secp[1], ctx.fvm, 3, cbor(&7u64), zero(), OK);
    b.call(
        "add overflow",
        a,
        ctx.fvm,
        3,
        cbor(&u64::MAX),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "add without params",
        a,
        ctx.fvm,
        3,
        RawBytes::default(),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "send to account",
        a,
        ctx.fvm,
        4,
        cbor(&(RawBytes::new(ctx.secp[2].to_bytes()), 0u64, 10u64)),
        zero(),
        OK,
    );
    b.call(
        "send to syscalls actor",
        a,
        ctx.fvm,
        4,
        cbor(&(
            RawBytes::new(ctx.sys.to_bytes()),
            fern_test_syscalls::method::BALANCE,
            0u64,
        )),
        zero(),
        OK,
    );
    b.call(
        "send to missing",
        a,
        ctx.fvm,
        4,
        cbor(&(
            RawBytes::new(Address::new_id(654_321).to_bytes()),
            0u64,
            0u64,
        )),
        zero(),
        OK,
    );
    b.call(
        "hash",
        a,
        ctx.fvm,
        5,
        cbor(&RawBytes::new(b"abc".to_vec())),
        zero(),
        OK,
    );
    b.call(
        "abort 21",
        a,
        ctx.fvm,
        6,
        cbor(&21u32),
        zero(),
        ExitCode::new(21),
    );
    b.call(
        "abort system code",
        a,
        ctx.fvm,
        6,
        cbor(&3u32),
        zero(),
        ExitCode::SYS_ILLEGAL_EXIT_CODE,
    );
    b.call(
        "unknown method",
        a,
        ctx.fvm,
        8,
        RawBytes::default(),
        zero(),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    b.call(
        "called through syscalls actor",
        a,
        ctx.sys,
        fern_test_syscalls::method::SEND,
        super::args(
            &[3, 0],
            &super::syscalls::send_target(&ctx.fvm, Some(cbor(&1u64))),
        ),
        zero(),
        OK,
    )
    .status(0);
    vec![b.build()]
}
