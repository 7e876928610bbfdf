//! Executor exit paths: pre-validation failures and gas accounting edge cases.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;

use super::{args, zero, Ctx, OK};
use crate::scenario::{Scenario, FATAL};

fn plain(from: Address, to: Address, sequence: u64) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence,
        value: TokenAmount::from_atto(1),
        method_num: 0,
        params: RawBytes::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(10),
    }
}

/// Smallest gas limit (of those tried) that covers sending to a new f1 address.
const CREATE_ACCOUNT_ENOUGH: u64 = 6_000_000;
/// Smallest gas limit (of those tried) that covers an init Exec of the counter.
const EXEC_ENOUGH: u64 = 10_000_000;
/// Smallest gas limit (of those tried) that covers a 255-entry event.
const EVENTS_ENOUGH: u64 = 10_000_000;

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut out = Vec::new();
    let a = ctx.secp[0];
    let to = ctx.secp[1];

    let mut b = ctx.builder("executor/nonces");
    b.raw(
        "nonce too high",
        plain(a, to, 5),
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    b.raw("right nonce", plain(a, to, 0), 0);
    b.raw(
        "nonce replayed",
        plain(a, to, 0),
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    b.raw("next nonce", plain(a, to, 1), 0);
    b.raw(
        "nonce max",
        plain(a, to, u64::MAX),
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    out.push(b.build());

    let mut b = ctx.builder("executor/senders");
    b.raw(
        "unknown f1 sender",
        plain(crate::genesis::secp_address(&[0x55; 32]).unwrap(), to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    b.raw(
        "unknown id sender",
        plain(Address::new_id(888_888), to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    b.raw(
        "test actor sender",
        plain(ctx.sys, to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    b.raw(
        "system actor sender",
        plain(Address::new_id(0), to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    b.raw(
        "init actor sender",
        plain(Address::new_id(1), to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    b.raw(
        "burnt funds sender (an account, empty)",
        plain(Address::new_id(99), to, 0),
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    b.raw(
        "unknown f4 sender",
        plain(Address::new_delegated(10, &[0x99; 20]).unwrap(), to, 0),
        ExitCode::SYS_SENDER_INVALID.value(),
    );
    out.push(b.build());

    let mut b = ctx.builder("executor/gas_limits");
    let mut m = plain(a, to, 0);
    m.gas_limit = 100;
    b.raw(
        "gas limit below inclusion cost",
        m,
        ExitCode::SYS_OUT_OF_GAS.value(),
    );
    let mut m = plain(a, to, 0);
    m.gas_limit = 0;
    b.raw("gas limit zero", m, FATAL);
    let mut m = plain(a, to, 0);
    m.gas_limit = u64::MAX;
    b.raw("gas limit above i64", m, FATAL);
    let mut m = plain(a, to, 0);
    m.gas_limit = 20_000_000_000;
    b.raw("gas limit above block limit", m, 0);
    let mut m = plain(a, to, 1);
    m.gas_limit = 150_000;
    b.raw(
        "gas limit just below inclusion cost",
        m,
        ExitCode::SYS_OUT_OF_GAS.value(),
    );
    let mut m = plain(a, to, 1);
    m.gas_limit = 1_000_000;
    b.raw(
        "gas limit above inclusion, out of gas in execution",
        m,
        ExitCode::SYS_OUT_OF_GAS.value(),
    );
    let mut m = plain(a, to, 2);
    m.gas_fee_cap = TokenAmount::from_atto(50);
    b.raw("fee cap below base fee", m, 0);
    let mut m = plain(a, to, 3);
    m.gas_premium = TokenAmount::from_atto(5_000);
    b.raw("premium above fee cap", m, 0);
    let mut m = plain(a, to, 4);
    m.gas_fee_cap = TokenAmount::from_atto(0);
    m.gas_premium = TokenAmount::from_atto(0);
    b.raw("zero fee cap", m, 0);
    out.push(b.build());

    let mut b = ctx.builder("executor/gas_funds");
    let mut m = plain(ctx.poor, to, 0);
    m.value = TokenAmount::from_atto(0);
    b.raw(
        "poor cannot pay for gas",
        m,
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    let mut m = plain(ctx.poor, to, 0);
    m.gas_fee_cap = TokenAmount::from_atto(0);
    m.gas_premium = TokenAmount::from_atto(0);
    m.value = TokenAmount::from_atto(10);
    b.raw("poor free gas small value", m, 0);
    let mut m = plain(ctx.poor, to, 1);
    m.gas_fee_cap = TokenAmount::from_atto(0);
    m.gas_premium = TokenAmount::from_atto(0);
    m.value = TokenAmount::from_atto(5_000);
    b.raw(
        "poor free gas value too high",
        m,
        ExitCode::SYS_INSUFFICIENT_FUNDS.value(),
    );
    let mut m = plain(a, to, 0);
    m.gas_limit = 5_000_000_000;
    m.gas_fee_cap = TokenAmount::from_whole(1);
    b.raw(
        "gas cost above balance",
        m,
        ExitCode::SYS_SENDER_STATE_INVALID.value(),
    );
    out.push(b.build());

    // Running out of gas at different points of a call into the syscalls actor: each limit is
    // its own scenario so that nonces never depend on where the inclusion cost lies.
    for limit in [
        700_000u64, 800_000, 900_000, 1_000_000, 1_100_000, 1_200_000, 1_300_000, 1_350_000,
        1_400_000, 1_500_000, 2_000_000, 5_000_000,
    ] {
        let mut b = ctx.builder(&format!("executor/out_of_gas_at_{limit}"));
        let expect = if limit >= 1_500_000 {
            OK
        } else {
            ExitCode::SYS_OUT_OF_GAS
        };
        b.call(
            format!("limit {limit}"),
            a,
            ctx.sys,
            fern_test_syscalls::method::HASH,
            args(&[0xb220, 32], b"x"),
            zero(),
            expect,
        )
        .gas(limit);
        out.push(b.build());
    }

    // Running out of gas inside larger operations: account creation, init Exec, event emission.
    // Each limit is above the inclusion cost, so every message runs and advances the nonce.
    let mut b = ctx.builder("executor/out_of_gas_creating_accounts");
    for (i, limit) in [
        1_500_000u64,
        2_500_000,
        3_500_000,
        4_500_000,
        6_000_000,
        8_000_000,
        20_000_000,
    ]
    .into_iter()
    .enumerate()
    {
        let fresh = crate::genesis::secp_address(&[0x70 + i as u8; 32]).unwrap();
        let expect = if limit >= CREATE_ACCOUNT_ENOUGH {
            OK
        } else {
            ExitCode::SYS_OUT_OF_GAS
        };
        b.call(
            format!("send to new f1, limit {limit}"),
            a,
            fresh,
            0,
            RawBytes::default(),
            TokenAmount::from_atto(1),
            expect,
        )
        .gas(limit);
    }
    out.push(b.build());

    let mut b = ctx.builder("executor/out_of_gas_in_exec");
    let counter = ctx.genesis.code("counter").unwrap();
    let exec = super::cbor(&(counter, RawBytes::default()));
    for limit in [
        2_000_000u64,
        5_000_000,
        10_000_000,
        15_000_000,
        20_000_000,
        30_000_000,
        60_000_000,
    ] {
        let expect = if limit >= EXEC_ENOUGH {
            OK
        } else {
            ExitCode::SYS_OUT_OF_GAS
        };
        b.call(
            format!("exec counter, limit {limit}"),
            a,
            Address::new_id(1),
            2,
            exec.clone(),
            zero(),
            expect,
        )
        .gas(limit);
    }
    out.push(b.build());

    // The event's parameters are large, so the inclusion cost is too: one scenario per limit.
    let entries: Vec<(u64, RawBytes, u64, RawBytes)> = (0..255u64)
        .map(|i| {
            (
                3,
                RawBytes::new(vec![b'k']),
                0x55,
                RawBytes::new(vec![i as u8]),
            )
        })
        .collect();
    let list = fvm_ipld_encoding::to_vec(&entries).unwrap();
    for limit in [
        3_000_000u64,
        4_000_000,
        6_000_000,
        8_000_000,
        10_000_000,
        30_000_000,
    ] {
        let mut b = ctx.builder(&format!("executor/out_of_gas_in_events_at_{limit}"));
        let expect = if limit >= EVENTS_ENOUGH {
            OK
        } else {
            ExitCode::SYS_OUT_OF_GAS
        };
        let step = b
            .call(
                format!("255 entries, limit {limit}"),
                a,
                ctx.sys,
                fern_test_syscalls::method::EMIT_EVENT,
                args(&[0], &list),
                zero(),
                expect,
            )
            .gas(limit);
        if expect == OK {
            step.status(0);
        }
        out.push(b.build());
    }

    // Base fee and premium variations (fees differ, outcomes do not).
    for (name, base_fee) in [
        ("executor/base_fee_low", 1u64),
        ("executor/base_fee_high", 900),
    ] {
        let mut b = ctx
            .builder(name)
            .settings(|s| s.base_fee = TokenAmount::from_atto(base_fee));
        b.call(
            "transfer",
            a,
            to,
            0,
            RawBytes::default(),
            TokenAmount::from_atto(1),
            OK,
        );
        b.call(
            "call actor",
            a,
            ctx.sys,
            fern_test_syscalls::method::BALANCE,
            args(&[], b""),
            zero(),
            OK,
        );
        b.call(
            "failing call",
            a,
            ctx.sys,
            fern_test_syscalls::method::EXIT,
            args(&[20], b""),
            zero(),
            ExitCode::new(20),
        );
        out.push(b.build());
    }
    out
}
