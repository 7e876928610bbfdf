//! Plain value transfers between accounts, to new key addresses and to f4 addresses.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::{zero, Ctx, OK};
use crate::genesis::secp_address;
use crate::scenario::Scenario;

fn atto(n: u64) -> TokenAmount {
    TokenAmount::from_atto(n)
}

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut out = Vec::new();
    let none = RawBytes::default;

    let mut b = ctx.builder("transfers/basic");
    b.call(
        "f1 to f1",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        atto(12_345),
        OK,
    );
    b.call(
        "f1 to id",
        ctx.secp[0],
        Address::new_id(ctx.secp_ids[2]),
        0,
        none(),
        atto(1),
        OK,
    );
    b.call(
        "zero value",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        zero(),
        OK,
    );
    b.call(
        "to self",
        ctx.secp[0],
        ctx.secp[0],
        0,
        none(),
        atto(500),
        OK,
    );
    b.call(
        "to self by id",
        ctx.secp[0],
        Address::new_id(ctx.secp_ids[0]),
        0,
        none(),
        atto(500),
        OK,
    );
    b.call(
        "from id address",
        Address::new_id(ctx.secp_ids[2]),
        ctx.secp[0],
        0,
        none(),
        atto(7),
        OK,
    );
    b.call(
        "whole FIL",
        ctx.secp[1],
        ctx.secp[2],
        0,
        none(),
        TokenAmount::from_whole(100),
        OK,
    );
    b.call(
        "bls to f1",
        ctx.bls[0],
        ctx.secp[3],
        0,
        none(),
        atto(99),
        OK,
    );
    b.call(
        "f1 to bls",
        ctx.secp[3],
        ctx.bls[1],
        0,
        none(),
        atto(98),
        OK,
    );
    b.call(
        "to reward actor",
        ctx.secp[0],
        Address::new_id(2),
        0,
        none(),
        atto(3),
        OK,
    );
    b.call(
        "to burnt funds",
        ctx.secp[0],
        Address::new_id(99),
        0,
        none(),
        atto(3),
        OK,
    );
    b.call(
        "to test actor",
        ctx.secp[0],
        ctx.sys,
        0,
        none(),
        atto(3),
        OK,
    );
    b.call(
        "to system actor",
        ctx.secp[0],
        Address::new_id(0),
        0,
        none(),
        atto(3),
        OK,
    );
    b.call(
        "method 1 to account (constructor)",
        ctx.secp[0],
        ctx.secp[1],
        1,
        none(),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "unknown method to account",
        ctx.secp[0],
        ctx.secp[1],
        77,
        none(),
        zero(),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    b.call(
        "exported method to account",
        ctx.secp[0],
        ctx.secp[1],
        1 << 24,
        none(),
        zero(),
        OK,
    );
    out.push(b.build());

    let mut b = ctx.builder("transfers/insufficient");
    b.call(
        "more than balance",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        TokenAmount::from_whole(20_000),
        ExitCode::SYS_INSUFFICIENT_FUNDS,
    );
    b.call(
        "balance then ok",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        atto(1),
        OK,
    );
    b.call(
        "all but gas",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        TokenAmount::from_whole(9_999),
        OK,
    );
    b.call(
        "now too much",
        ctx.secp[0],
        ctx.secp[1],
        0,
        none(),
        TokenAmount::from_whole(1),
        ExitCode::SYS_INSUFFICIENT_FUNDS,
    );
    b.call(
        "to self more than balance",
        ctx.secp[2],
        ctx.secp[2],
        0,
        none(),
        TokenAmount::from_whole(20_000),
        ExitCode::SYS_INSUFFICIENT_FUNDS,
    );
    b.call(
        "to missing id",
        ctx.secp[2],
        Address::new_id(123_456),
        0,
        none(),
        atto(1),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    b.call(
        "to missing actor address",
        ctx.secp[2],
        Address::new_actor(b"nobody"),
        0,
        none(),
        atto(1),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    out.push(b.build());

    let mut b = ctx.builder("transfers/create_accounts");
    let fresh1 = secp_address(&[0x21; 32]).unwrap();
    let fresh2 = secp_address(&[0x22; 32]).unwrap();
    b.call(
        "new f1",
        ctx.secp[0],
        fresh1,
        0,
        none(),
        atto(1_000_000),
        OK,
    );
    b.call("new f1 again", ctx.secp[0], fresh1, 0, none(), atto(1), OK);
    b.call(
        "new f1 zero value",
        ctx.secp[0],
        fresh2,
        0,
        none(),
        zero(),
        OK,
    );
    let bls_new =
        Address::new_bls(&crate::genesis::bls_public(&crate::genesis::bls_key(9))).unwrap();
    b.call("new f3", ctx.secp[1], bls_new, 0, none(), atto(5), OK);
    b.call(
        "new f1 with method",
        ctx.secp[1],
        secp_address(&[0x23; 32]).unwrap(),
        2,
        none(),
        atto(5),
        OK,
    );
    b.call(
        "new actor address fails",
        ctx.secp[1],
        Address::new_actor(b"x"),
        0,
        none(),
        atto(5),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    out.push(b.build());

    let mut b = ctx.builder("transfers/f4");
    let f4 = Address::new_delegated(10, &[0x10; 20]).unwrap();
    let f4_other_ns = Address::new_delegated(1234, &[0x10; 20]).unwrap();
    b.call(
        "to new f4 creates placeholder",
        ctx.secp[0],
        f4,
        0,
        none(),
        atto(10),
        OK,
    );
    b.call("to same f4", ctx.secp[0], f4, 0, none(), atto(10), OK);
    b.call(
        "to existing placeholder",
        ctx.secp[0],
        ctx.placeholder.1,
        0,
        none(),
        atto(10),
        OK,
    );
    b.call(
        "to placeholder by id",
        ctx.secp[0],
        Address::new_id(ctx.placeholder.0),
        0,
        none(),
        atto(10),
        OK,
    );
    b.call(
        "method to placeholder",
        ctx.secp[0],
        ctx.placeholder.1,
        5,
        none(),
        zero(),
        OK,
    );
    b.call(
        "to f4 in unknown namespace",
        ctx.secp[0],
        f4_other_ns,
        0,
        none(),
        atto(10),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    b.call(
        "placeholder sends (becomes ethaccount)",
        ctx.placeholder.1,
        ctx.secp[0],
        0,
        none(),
        atto(1),
        OK,
    );
    b.call(
        "placeholder sends again",
        ctx.placeholder.1,
        ctx.secp[0],
        0,
        none(),
        atto(1),
        OK,
    );
    out.push(b.build());

    out
}
