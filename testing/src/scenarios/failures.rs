//! Scenarios driving `fern_test_failures`: running out of gas, stack overflow, memory limits,
//! call depth, bad pointers, panics and traps.

use fern_test_failures::method as m;
use fvm_shared::error::ExitCode;

use super::syscalls::errno;
use super::{args, zero, Ctx, OK};
use crate::scenario::Scenario;

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut out = Vec::new();
    let a = ctx.secp[0];

    let mut b = ctx.builder("failures/out_of_gas");
    for limit in [1_000_000u64, 5_000_000, 20_000_000] {
        b.call(
            format!("infinite loop, limit {limit}"),
            a,
            ctx.fail,
            m::INFINITE_LOOP,
            args(&[], b""),
            zero(),
            ExitCode::SYS_OUT_OF_GAS,
        )
        .gas(limit);
    }
    for iterations in [10u64, 1_000, 100_000] {
        b.call(
            format!("burn {iterations}"),
            a,
            ctx.fail,
            m::BURN,
            args(&[iterations], b""),
            zero(),
            OK,
        )
        .gas(50_000_000);
    }
    b.call(
        "burn past limit",
        a,
        ctx.fail,
        m::BURN,
        args(&[100_000_000], b""),
        zero(),
        ExitCode::SYS_OUT_OF_GAS,
    )
    .gas(30_000_000);
    for limit in [1_000u64, 100_000, 1_000_000] {
        b.call(
            format!("subcall out of gas, limit {limit}"),
            a,
            ctx.fail,
            m::SUBCALL_OUT_OF_GAS,
            args(&[limit], b""),
            zero(),
            OK,
        )
        .status(errno::OK)
        .gas(50_000_000);
    }
    out.push(b.build());

    let mut b = ctx.builder("failures/stack_and_memory");
    b.call(
        "stack overflow",
        a,
        ctx.fail,
        m::STACK_OVERFLOW,
        args(&[0], b""),
        zero(),
        ExitCode::SYS_ILLEGAL_INSTRUCTION,
    );
    b.call(
        "stack overflow padded",
        a,
        ctx.fail,
        m::STACK_OVERFLOW,
        args(&[63], b""),
        zero(),
        ExitCode::SYS_ILLEGAL_INSTRUCTION,
    );
    for pages in [0u64, 1, 16, 256, 4096] {
        b.call(
            format!("grow {pages} pages"),
            a,
            ctx.fail,
            m::MEMORY_GROW,
            args(&[pages], b""),
            zero(),
            OK,
        )
        .status(errno::OK);
    }
    b.call(
        "grow past 512 MiB",
        a,
        ctx.fail,
        m::MEMORY_GROW,
        args(&[8193], b""),
        zero(),
        OK,
    )
    .status(errno::OK);
    b.call(
        "grow 64k pages",
        a,
        ctx.fail,
        m::MEMORY_GROW,
        args(&[65535], b""),
        zero(),
        ExitCode::SYS_OUT_OF_GAS,
    );
    b.call(
        "allocate 1 MiB",
        a,
        ctx.fail,
        m::ALLOCATE,
        args(&[1 << 20], b""),
        zero(),
        OK,
    )
    .status(errno::OK);
    b.call(
        "allocate 600 MiB",
        a,
        ctx.fail,
        m::ALLOCATE,
        args(&[600 << 20], b""),
        zero(),
        ExitCode::SYS_ILLEGAL_INSTRUCTION,
    );
    out.push(b.build());

    let mut b = ctx.builder("failures/call_depth");
    b.call(
        "recurse through sends",
        a,
        ctx.fail,
        m::SEND_RECURSE,
        args(&[0], b""),
        zero(),
        OK,
    )
    .status(errno::OK)
    .gas(10_000_000_000);
    b.call(
        "recurse from depth 1000",
        a,
        ctx.fail,
        m::SEND_RECURSE,
        args(&[1000], b""),
        zero(),
        OK,
    )
    .status(errno::OK)
    .gas(1_000_000_000);
    out.push(b.build());

    let mut b = ctx.builder("failures/bad_pointers");
    let far = 0xFFFF_FF00u64;
    for (which, name) in [
        (0u64, "block_create data"),
        (1, "debug log message (debugging off)"),
        (2, "hash input"),
        (3, "hash digest"),
        (4, "resolve_address"),
        (5, "root buffer"),
        (6, "set_root cid"),
        (7, "block_open cid"),
        (8, "block_read buffer"),
        (9, "send recipient"),
        (10, "gas charge name"),
        (11, "emit_event entries"),
        (13, "builtin type cid"),
    ] {
        let status = if which == 1 {
            errno::OK
        } else {
            errno::ILLEGAL_ARGUMENT
        };
        b.call(
            format!("{name} out of bounds"),
            a,
            ctx.fail,
            m::BAD_POINTER,
            args(&[which, far, 64], b""),
            zero(),
            OK,
        )
        .status(status);
        b.call(
            format!("{name} length overflow"),
            a,
            ctx.fail,
            m::BAD_POINTER,
            args(&[which, 1024, u32::MAX as u64], b""),
            zero(),
            OK,
        )
        .status(status);
    }
    // Debugging is off: the message of a successful exit and debug logs are never read.
    b.call(
        "exit 0 message out of bounds",
        a,
        ctx.fail,
        m::BAD_POINTER,
        args(&[12, far, 64], b""),
        zero(),
        OK,
    );
    b.call(
        "exit 20 message out of bounds",
        a,
        ctx.fail,
        m::BAD_POINTER,
        args(&[14, far, 64], b""),
        zero(),
        ExitCode::new(20),
    );
    out.push(b.build());

    let mut b = ctx
        .builder("failures/bad_pointers_debugging")
        .settings(|s| s.actor_debugging = true);
    for (which, name) in [
        (1u64, "debug log message"),
        (12, "exit 0 message"),
        (14, "exit 20 message"),
    ] {
        let expect = match which {
            1 => OK,
            12 => OK,
            _ => ExitCode::new(20),
        };
        let step = b.call(
            format!("{name} out of bounds"),
            a,
            ctx.fail,
            m::BAD_POINTER,
            args(&[which, far, 64], b""),
            zero(),
            expect,
        );
        if which == 1 {
            step.status(errno::ILLEGAL_ARGUMENT);
        }
    }
    out.push(b.build());

    let mut b = ctx.builder("failures/traps");
    b.call(
        "panic",
        a,
        ctx.fail,
        m::PANIC,
        args(&[7], b""),
        zero(),
        ExitCode::USR_ASSERTION_FAILED,
    );
    b.call(
        "unreachable",
        a,
        ctx.fail,
        m::UNREACHABLE,
        args(&[], b""),
        zero(),
        ExitCode::SYS_ILLEGAL_INSTRUCTION,
    );
    b.call(
        "unknown method",
        a,
        ctx.fail,
        99,
        args(&[], b""),
        zero(),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    b.call("constructor", a, ctx.fail, 1, args(&[], b""), zero(), OK);
    out.push(b.build());

    out
}
