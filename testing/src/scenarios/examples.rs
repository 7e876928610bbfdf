//! Scenarios on the bundle's example actors (hello, counter, token), deployed with init `Exec`.

use cid::Cid;
use fern_actor_runtime::method_number;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::{cbor, zero, Ctx, OK};
use crate::scenario::Scenario;

const EXEC: u64 = 2;

fn exec(code: Cid, params: RawBytes) -> RawBytes {
    cbor(&(code, params))
}

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut out = Vec::new();
    let g = &ctx.genesis;
    let init = Address::new_id(1);
    let a = ctx.secp[0];
    let next = g.next_id;

    let mut b = ctx.builder("examples/hello");
    b.call(
        "exec hello",
        a,
        init,
        EXEC,
        exec(g.code("hello").unwrap(), RawBytes::default()),
        zero(),
        OK,
    );
    let hello = Address::new_id(next);
    b.call(
        "say hello",
        a,
        hello,
        method_number("SayHello"),
        RawBytes::default(),
        zero(),
        OK,
    );
    b.call(
        "say hello name",
        a,
        hello,
        method_number("SayHello"),
        cbor(&"Fern"),
        zero(),
        OK,
    );
    b.call(
        "say hello bad name",
        a,
        hello,
        method_number("SayHello"),
        cbor(&5u64),
        zero(),
        ExitCode::USR_SERIALIZATION,
    );
    b.call(
        "constructor again",
        a,
        hello,
        1,
        RawBytes::default(),
        zero(),
        ExitCode::USR_FORBIDDEN,
    );
    b.call(
        "exec unknown code",
        a,
        init,
        EXEC,
        exec(Cid::default(), RawBytes::default()),
        zero(),
        ExitCode::USR_FORBIDDEN,
    );
    b.call(
        "exec account code",
        a,
        init,
        EXEC,
        exec(g.code("account").unwrap(), RawBytes::default()),
        zero(),
        ExitCode::USR_FORBIDDEN,
    );
    b.call(
        "exec bad params",
        a,
        init,
        EXEC,
        cbor(&"nope"),
        zero(),
        ExitCode::USR_SERIALIZATION,
    );
    b.call(
        "exec hello with value",
        a,
        init,
        EXEC,
        exec(g.code("hello").unwrap(), RawBytes::default()),
        TokenAmount::from_atto(100),
        OK,
    );
    out.push(b.build());

    let mut b = ctx.builder("examples/counter");
    b.call(
        "exec counter",
        a,
        init,
        EXEC,
        exec(g.code("counter").unwrap(), cbor(&Some(10u64))),
        zero(),
        OK,
    );
    let counter = Address::new_id(next);
    for (i, by) in [1u64, 2, 3, 100, 0, 12_345].into_iter().enumerate() {
        let from = ctx.secp[i % 4];
        b.call(
            format!("increment by {by}"),
            from,
            counter,
            method_number("Increment"),
            cbor(&by),
            zero(),
            OK,
        );
    }
    b.call(
        "get",
        a,
        counter,
        method_number("Get"),
        RawBytes::default(),
        zero(),
        OK,
    );
    b.call(
        "increment overflow",
        a,
        counter,
        method_number("Increment"),
        cbor(&u64::MAX),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "increment bad params",
        a,
        counter,
        method_number("Increment"),
        cbor(&"one"),
        zero(),
        ExitCode::USR_SERIALIZATION,
    );
    b.call(
        "get with params",
        a,
        counter,
        method_number("Get"),
        cbor(&1u64),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "exec counter with null params",
        ctx.secp[1],
        init,
        EXEC,
        exec(g.code("counter").unwrap(), cbor(&None::<u64>)),
        zero(),
        ExitCode::USR_SERIALIZATION,
    );
    b.call(
        "exec second counter",
        ctx.secp[1],
        init,
        EXEC,
        exec(g.code("counter").unwrap(), RawBytes::default()),
        zero(),
        OK,
    );
    let counter2 = Address::new_id(next + 1);
    b.call(
        "increment second",
        ctx.secp[1],
        counter2,
        method_number("Increment"),
        cbor(&9u64),
        zero(),
        OK,
    );
    // Read-only increment through the syscalls actor.
    let ro = super::syscalls::send_target(&counter, Some(cbor(&1u64)));
    b.call(
        "read-only increment",
        a,
        ctx.sys,
        fern_test_syscalls::method::SEND,
        super::args(&[method_number("Increment"), 0, 0, 1], &ro),
        zero(),
        OK,
    )
    .status(0);
    let get = super::syscalls::send_target(&counter, None);
    b.call(
        "read-only get",
        a,
        ctx.sys,
        fern_test_syscalls::method::SEND,
        super::args(&[method_number("Get"), 0, 0, 1], &get),
        zero(),
        OK,
    )
    .status(0);
    out.push(b.build());

    let mut b = ctx.builder("examples/token");
    let supply = TokenAmount::from_whole(1_000);
    b.call(
        "exec token",
        a,
        init,
        EXEC,
        exec(
            g.code("token").unwrap(),
            cbor(&(supply.clone(), Some(ctx.secp[0]))),
        ),
        zero(),
        OK,
    );
    let token = Address::new_id(next);
    let transfer = method_number("Transfer");
    let balance_of = method_number("BalanceOf");
    b.call(
        "transfer to 1",
        a,
        token,
        transfer,
        cbor(&(ctx.secp[1], TokenAmount::from_whole(10))),
        zero(),
        OK,
    );
    b.call(
        "transfer to 2",
        a,
        token,
        transfer,
        cbor(&(ctx.secp[2], TokenAmount::from_whole(20))),
        zero(),
        OK,
    );
    b.call(
        "transfer 1 to 3",
        ctx.secp[1],
        token,
        transfer,
        cbor(&(ctx.secp[3], TokenAmount::from_whole(5))),
        zero(),
        OK,
    );
    b.call(
        "transfer all of 3",
        ctx.secp[3],
        token,
        transfer,
        cbor(&(ctx.secp[0], TokenAmount::from_whole(5))),
        zero(),
        OK,
    );
    b.call(
        "transfer too much",
        ctx.secp[3],
        token,
        transfer,
        cbor(&(ctx.secp[0], TokenAmount::from_whole(1))),
        zero(),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    b.call(
        "transfer negative",
        a,
        token,
        transfer,
        cbor(&(ctx.secp[1], TokenAmount::from_atto(-1))),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    b.call(
        "transfer to unknown",
        a,
        token,
        transfer,
        cbor(&(
            crate::genesis::secp_address(&[0x66; 32]).unwrap(),
            TokenAmount::from_atto(1),
        )),
        zero(),
        ExitCode::USR_NOT_FOUND,
    );
    b.call(
        "transfer to self",
        a,
        token,
        transfer,
        cbor(&(ctx.secp[0], TokenAmount::from_atto(1))),
        zero(),
        OK,
    );
    b.call(
        "transfer zero",
        a,
        token,
        transfer,
        cbor(&(ctx.secp[1], TokenAmount::from_atto(0))),
        zero(),
        OK,
    );
    b.call(
        "transfer to bls",
        a,
        token,
        transfer,
        cbor(&(ctx.bls[0], TokenAmount::from_atto(3))),
        zero(),
        OK,
    );
    b.call(
        "balance of 1",
        a,
        token,
        balance_of,
        cbor(&ctx.secp[1]),
        zero(),
        OK,
    );
    b.call(
        "balance of nobody",
        a,
        token,
        balance_of,
        cbor(&Address::new_id(4444)),
        zero(),
        OK,
    );
    b.call(
        "total supply",
        a,
        token,
        method_number("TotalSupply"),
        RawBytes::default(),
        zero(),
        OK,
    );
    out.push(b.build());

    out
}

/// The Ethereum address manager: `CreateDelegated` deploys an actor at an f410 address (through
/// init `Exec4`), which then answers at that address; taken, reserved and malformed
/// sub-addresses are refused, and so is creating over an existing placeholder.
///
/// Listed last in the library (see [`super::all`]) so that adding it did not move the network
/// versions of the vectors generated from earlier scenarios.
pub(crate) fn eam_scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let g = &ctx.genesis;
    let eam = Address::new_id(10);
    let a = ctx.secp[0];
    let hello = g.code("hello").expect("hello in the bundle");
    let create = |sub: &[u8]| cbor(&(hello, RawBytes::new(sub.to_vec()), RawBytes::default()));
    let cd = method_number("CreateDelegated");
    let mut b = ctx.builder("examples/eam");
    b.call(
        "create at f410 43..",
        a,
        eam,
        cd,
        create(&[0x43; 20]),
        zero(),
        OK,
    );
    let f4 = Address::new_delegated(10, &[0x43; 20]).expect("an f4 address");
    b.call(
        "say hello at its f4",
        a,
        f4,
        method_number("SayHello"),
        RawBytes::default(),
        zero(),
        OK,
    );
    b.call(
        "create with value",
        ctx.secp[1],
        eam,
        cd,
        create(&[0x44; 20]),
        TokenAmount::from_atto(5),
        OK,
    );
    for (label, sub, expect) in [
        (
            "create at a taken address",
            &[0x43u8; 20][..],
            ExitCode::USR_FORBIDDEN,
        ),
        (
            "create at a reserved address",
            &[0; 20],
            ExitCode::USR_FORBIDDEN,
        ),
        (
            "create with a short sub-address",
            &[1; 19],
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        // The placeholder at f410 42.. becomes the new actor (the init actor's Exec4 rule).
        ("create over the placeholder", &[0x42; 20], OK),
    ] {
        b.call(label, a, eam, cd, create(sub), zero(), expect);
    }
    b.call(
        "create with bad params",
        a,
        eam,
        cd,
        cbor(&1u8),
        zero(),
        ExitCode::USR_SERIALIZATION,
    );
    vec![b.build()]
}
