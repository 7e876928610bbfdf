//! Misuse and failures at the C interface: every one ends in its documented status and a
//! message, never a crash, a hang or a wrong receipt.

mod support;

use std::sync::atomic::Ordering;

use fern_ffi::*;
use support::*;

fn vector(name: &str) -> fern_conformance::TestVector {
    load_vector(&corpus_dir().join(name))
}

const TOKEN: &str = "examples/token--nv26.json";

#[test]
fn library_info_names_the_versions_it_runs() {
    let info = fern_library_info();
    let version = unsafe { std::ffi::CStr::from_ptr(info.version) }
        .to_str()
        .unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        (info.min_network_version, info.max_network_version),
        (17, 29)
    );
    assert!(info.concurrency >= 1);
}

#[test]
fn null_pointers_are_refused() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let config = settings.config();
    let callbacks = host.callbacks();
    let mut out = std::ptr::null_mut();
    let mut err = std::ptr::null_mut();
    let refused = |status: FernStatus, err: *mut std::ffi::c_char, what: &str| {
        assert_eq!(status, FernStatus::NullPointer);
        let message = take_error(err);
        assert!(message.contains(what), "{message:?} should name {what}");
    };
    let status = unsafe { fern_executor_new(std::ptr::null(), &callbacks, &mut out, &mut err) };
    refused(status, err, "config");
    let status = unsafe { fern_executor_new(&config, std::ptr::null(), &mut out, &mut err) };
    refused(status, err, "callbacks");
    let status = unsafe { fern_executor_new(&config, &callbacks, std::ptr::null_mut(), &mut err) };
    refused(status, err, "out");
    // Without an error pointer the status alone is returned.
    assert_eq!(
        unsafe { fern_executor_new(std::ptr::null(), &callbacks, &mut out, std::ptr::null_mut()) },
        FernStatus::NullPointer
    );
    let mut res = std::ptr::null_mut();
    assert_eq!(
        unsafe {
            fern_executor_apply(
                std::ptr::null(),
                [0u8].as_ptr(),
                1,
                0,
                1,
                &mut res,
                std::ptr::null_mut(),
            )
        },
        FernStatus::NullPointer
    );
    let mut root = FernBuffer::EMPTY;
    assert_eq!(
        unsafe { fern_executor_flush(std::ptr::null(), &mut root, std::ptr::null_mut()) },
        FernStatus::NullPointer
    );
    assert_eq!(
        unsafe { fern_executor_compilations(std::ptr::null(), std::ptr::null_mut()) },
        FernStatus::NullPointer
    );
    // Freeing NULL is harmless.
    unsafe {
        fern_executor_free(std::ptr::null_mut());
        fern_apply_result_free(std::ptr::null_mut());
        fern_string_free(std::ptr::null_mut());
        fern_buffer_free(FernBuffer::EMPTY);
    }
}

#[test]
fn bad_settings_are_refused_with_their_reason() {
    let v = vector(TOKEN);
    let (host, good) = vector_setup(&v, 0);
    let check = |settings: Settings, status: FernStatus, text: &str| {
        let (s, message) = Exec::new(&settings, &host).err().expect("refused");
        assert_eq!(s, status, "{message}");
        assert!(
            message.contains(text),
            "{message:?} should mention {text:?}"
        );
    };
    let with = |f: &dyn Fn(&mut Settings)| {
        let mut s = Settings {
            base_fee: good.base_fee.clone(),
            circ_supply: good.circ_supply.clone(),
            root: good.root.clone(),
            manifest: good.manifest.clone(),
            ..good
        };
        f(&mut s);
        s
    };
    check(
        with(&|s| s.nv = 12),
        FernStatus::UnsupportedNetworkVersion,
        "network version 12",
    );
    check(
        with(&|s| s.nv = 99),
        FernStatus::UnsupportedNetworkVersion,
        "not supported",
    );
    check(
        with(&|s| s.base_fee = vec![1, 5]),
        FernStatus::InvalidArgument,
        "base_fee is negative",
    );
    check(
        with(&|s| s.base_fee = vec![2, 5]),
        FernStatus::InvalidArgument,
        "sign byte",
    );
    check(
        with(&|s| s.circ_supply = [vec![0u8], vec![0xff; 17]].concat()),
        FernStatus::InvalidArgument,
        "wider than 128 bits",
    );
    // Leading zero bytes do not count towards the width.
    assert!(Exec::new(
        &with(&|s| s.base_fee = [vec![0u8; 10], vec![100]].concat()),
        &host
    )
    .is_ok());
    check(
        with(&|s| s.flags = 16),
        FernStatus::InvalidArgument,
        "unknown flags",
    );
    check(
        with(&|s| s.root = vec![1, 2, 3]),
        FernStatus::InvalidArgument,
        "state_root is not a binary CID",
    );
    let absent = cid::Cid::new_v1(
        0x71,
        multihash_codetable::MultihashDigest::digest(
            &multihash_codetable::Code::Blake2b256,
            b"nothing",
        ),
    );
    check(
        with(&|s| s.root = absent.to_bytes()),
        FernStatus::InvalidArgument,
        "does not have the initial state root",
    );
    check(
        with(&|s| s.manifest = absent.to_bytes()),
        FernStatus::MissingBlock,
        &absent.to_string(),
    );

    let mut callbacks = host.callbacks();
    callbacks.blockstore_free = None;
    let config = good.config();
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::InvalidArgument
    );
    assert!(take_error(err).contains("blockstore_free"));
    assert!(out.is_null());
}

#[test]
fn a_bad_message_changes_nothing_and_the_executor_goes_on() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    let (status, message) = exec
        .apply(b"\x8a\x00garbage", FERN_APPLY_EXPLICIT, 10)
        .unwrap_err();
    assert_eq!(status, FernStatus::InvalidMessage, "{message}");
    let (status, _) = exec.apply(&[], FERN_APPLY_EXPLICIT, 0).unwrap_err();
    assert_eq!(status, FernStatus::InvalidMessage);
    let first = &v.apply_messages[0].bytes.0;
    let (status, message) = exec.apply(first, 7, chain_len(first)).unwrap_err();
    assert_eq!(status, FernStatus::InvalidArgument);
    assert!(message.contains("apply_kind 7"));
    // Every message of the vector still gives the expected receipt, and the expected root.
    for (m, want) in v.apply_messages.iter().zip(&v.postconditions.receipts) {
        let r = exec
            .apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
            .unwrap();
        assert_eq!((r.exit_code, r.gas_used), (want.exit_code, want.gas_used));
    }
    assert_eq!(
        exec.flush().unwrap(),
        v.postconditions.state_tree.root_cid.0
    );
}

/// The first message of the token vector deploys the token; its code block is read then.
fn token_code(v: &fern_conformance::TestVector) -> cid::Cid {
    let blocks = v.car_blocks().unwrap();
    // The largest raw block of the CAR is the token actor's Wasm.
    blocks
        .iter()
        .filter(|(c, _)| c.codec() == 0x55)
        .max_by_key(|(_, d)| d.len())
        .map(|(c, _)| *c)
        .unwrap()
}

#[test]
fn a_missing_block_is_reported_with_its_cid_and_poisons_the_executor() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    // From now on the host has lost every block: the first one the message needs is missing.
    let all: Vec<Vec<u8>> = host.blocks.lock().unwrap().keys().cloned().collect();
    *host.hidden.lock().unwrap() = all;
    let m = &v.apply_messages[0].bytes.0;
    let (status, message) = exec
        .apply(m, FERN_APPLY_EXPLICIT, chain_len(m))
        .unwrap_err();
    assert_eq!(status, FernStatus::MissingBlock, "{message}");
    assert!(
        message.contains("block bafy") && message.contains("not in the host's blockstore"),
        "{message}"
    );
    // No receipt, and from now on the executor refuses work.
    host.hidden.lock().unwrap().clear();
    let (status, message) = exec
        .apply(m, FERN_APPLY_EXPLICIT, chain_len(m))
        .unwrap_err();
    assert_eq!(status, FernStatus::Poisoned, "{message}");
    assert!(
        message.contains("not in the host's blockstore"),
        "{message}"
    );
    // Nothing reached the host's store.
    let before = host.blocks.lock().unwrap().len();
    assert_eq!(exec.flush().unwrap_err().0, FernStatus::Poisoned);
    assert_eq!(host.blocks.lock().unwrap().len(), before);
}

#[test]
fn failing_callbacks_are_host_failures() {
    let v = vector(TOKEN);
    for status in [
        FernHostStatus::IoError,
        FernHostStatus::Panic,
        FernHostStatus::InvalidHandle,
    ] {
        let (host, settings) = vector_setup(&v, 0);
        let exec = Exec::new(&settings, &host).unwrap();
        host.get_status.store(status as i32, Ordering::Relaxed);
        let m = &v.apply_messages[0].bytes.0;
        let (s, message) = exec
            .apply(m, FERN_APPLY_EXPLICIT, chain_len(m))
            .unwrap_err();
        assert_eq!(s, FernStatus::HostFailure, "{message}");
        assert!(
            message.contains("blockstore_get") && message.contains(&(status as i32).to_string()),
            "{message}"
        );
    }
    // An unknown status number is a failure too.
    let (host, settings) = vector_setup(&v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    host.get_status.store(42, Ordering::Relaxed);
    let m = &v.apply_messages[0].bytes.0;
    let (s, message) = exec
        .apply(m, FERN_APPLY_EXPLICIT, chain_len(m))
        .unwrap_err();
    assert_eq!(s, FernStatus::HostFailure);
    assert!(message.contains("unknown status 42"), "{message}");
}

#[test]
fn a_needed_null_callback_is_a_host_failure() {
    let v = vector("syscalls/randomness--nv25.json");
    let (host, settings) = vector_setup(&v, 0);
    let mut callbacks = host.callbacks();
    callbacks.chain_randomness = None;
    callbacks.beacon_randomness = None;
    let config = settings.config();
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::Ok
    );
    let exec = Exec(out);
    let mut saw = false;
    for m in &v.apply_messages {
        match exec.apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0)) {
            Ok(_) => {}
            Err((status, message)) => {
                assert_eq!(status, FernStatus::HostFailure, "{message}");
                assert!(message.contains("randomness is NULL"), "{message}");
                saw = true;
                break;
            }
        }
    }
    assert!(saw, "some message draws randomness");
}

#[test]
fn a_failed_flush_keeps_the_state_and_can_be_retried() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    for m in &v.apply_messages {
        exec.apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
            .unwrap();
    }
    host.put_status
        .store(FernHostStatus::IoError as i32, Ordering::Relaxed);
    let (status, message) = exec.flush().unwrap_err();
    assert_eq!(status, FernStatus::HostFailure, "{message}");
    assert!(message.contains("blockstore_put_many"), "{message}");
    host.put_status.store(0, Ordering::Relaxed);
    let root = exec.flush().unwrap();
    assert_eq!(root, v.postconditions.state_tree.root_cid.0);
    assert!(host.put_many_calls.load(Ordering::Relaxed) >= 2);
}

#[test]
fn a_second_call_on_a_busy_executor_is_refused() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let host = std::sync::Arc::new(host);
    let exec = std::sync::Arc::new(Exec::new(&settings, &host).unwrap());
    *host.paused.lock().unwrap() = true;
    let m = v.apply_messages[0].bytes.0.clone();
    let worker = {
        let exec = exec.clone();
        let m = m.clone();
        std::thread::spawn(move || {
            exec.apply(&m, FERN_APPLY_EXPLICIT, chain_len(&m))
                .map(|r| r.exit_code)
        })
    };
    while !host.entered.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    let (status, message) = exec
        .apply(&m, FERN_APPLY_EXPLICIT, chain_len(&m))
        .unwrap_err();
    assert_eq!(status, FernStatus::Busy, "{message}");
    assert_eq!(exec.flush().unwrap_err().0, FernStatus::Busy);
    *host.paused.lock().unwrap() = false;
    host.resume.notify_all();
    assert_eq!(
        worker.join().unwrap().unwrap(),
        v.postconditions.receipts[0].exit_code
    );
}

#[test]
fn redirected_code_runs_instead() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let token = token_code(&v);
    // Redirect the token actor's code to the account actor's (a raw block of the same CAR that
    // is not the token's): the token's methods then do not exist.
    let blocks = v.car_blocks().unwrap();
    let other = blocks
        .iter()
        .find(|(c, d)| c.codec() == 0x55 && *c != token && d.len() > 1000)
        .unwrap()
        .0;
    let (from, to) = (token.to_bytes(), other.to_bytes());
    let redirect = [FernCodeRedirect {
        from: FernSlice::of(&from),
        to: FernSlice::of(&to),
    }];
    let mut config = settings.config();
    config.actor_redirect = redirect.as_ptr();
    config.actor_redirect_len = 1;
    let callbacks = host.callbacks();
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::Ok,
        "{}",
        take_error(err)
    );
    let exec = Exec(out);
    let mut differs = false;
    for (m, want) in v.apply_messages.iter().zip(&v.postconditions.receipts) {
        let r = exec
            .apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
            .unwrap();
        differs |= (r.exit_code, r.gas_used) != (want.exit_code, want.gas_used);
    }
    assert!(differs, "running other code must change some receipt");
    // A redirect that is not a CID is refused.
    let bad = [FernCodeRedirect {
        from: FernSlice::of(&from),
        to: FernSlice::of(b"xx"),
    }];
    config.actor_redirect = bad.as_ptr();
    let mut err = std::ptr::null_mut();
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::InvalidArgument
    );
    assert!(take_error(err).contains("actor_redirect[0].to"));
}

#[test]
fn a_module_cache_directory_keeps_compiled_code() {
    let v = vector(TOKEN);
    let (host, settings) = vector_setup(&v, 0);
    let dir = std::env::temp_dir().join(format!("fern-ffi-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_c = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
    let mut config = settings.config();
    config.module_cache_dir = dir_c.as_ptr();
    let callbacks = host.callbacks();
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::Ok
    );
    let exec = Exec(out);
    for (m, want) in v.apply_messages.iter().zip(&v.postconditions.receipts) {
        let r = exec
            .apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
            .unwrap();
        assert_eq!((r.exit_code, r.gas_used), (want.exit_code, want.gas_used));
    }
    let entries = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "fmod")
        })
        .count();
    assert!(
        entries >= 2,
        "the actors run were written to the cache ({entries})"
    );
    drop(exec);
    // A directory that cannot be created is refused.
    let file = dir.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let bad = std::ffi::CString::new(file.join("sub").to_str().unwrap()).unwrap();
    config.module_cache_dir = bad.as_ptr();
    let mut err = std::ptr::null_mut();
    assert_eq!(
        unsafe { fern_executor_new(&config, &callbacks, &mut out, &mut err) },
        FernStatus::InvalidArgument
    );
    assert!(take_error(err).contains("module cache"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// nv30 runs only with `FERN_FLAG_DEVELOPMENT_VERSIONS`.
#[test]
fn the_development_version_needs_its_flag() {
    let v = vector(TOKEN);
    let (host, mut settings) = vector_setup(&v, 0);
    settings.nv = 30;
    let (status, message) = Exec::new(&settings, &host).err().expect("refused");
    assert_eq!(status, FernStatus::UnsupportedNetworkVersion, "{message}");
    settings.flags = FERN_FLAG_DEVELOPMENT_VERSIONS;
    let exec = Exec::new(&settings, &host).expect("accepted with the flag");
    // nv30 has nv29's rules and prices: the token vector's receipts are those of nv26-29.
    for (m, want) in v.apply_messages.iter().zip(&v.postconditions.receipts) {
        let r = exec
            .apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
            .unwrap();
        assert_eq!((r.exit_code, r.gas_used), (want.exit_code, want.gas_used));
    }
    settings.nv = 31;
    assert_eq!(
        Exec::new(&settings, &host).err().unwrap().0,
        FernStatus::UnsupportedNetworkVersion
    );
}
