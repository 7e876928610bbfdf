//! Reproducible Wasm builds for build scripts.
//!
//! Several crates of the workspace embed actor Wasm (the actor bundle, the test actors). They all
//! need the same thing from their build script: run a nested `cargo build` of some workspace
//! packages for `wasm32-unknown-unknown` in a way that gives the same bytes on every machine. This
//! crate is that one routine, so every embedded actor is compiled under identical settings:
//!
//! - `--locked`, so the lock file decides every dependency version;
//! - the workspace profile `wasm` (size-optimised, LTO, abort on panic, stripped);
//! - `-Ctarget-cpu=mvp -Ctarget-feature=+bulk-memory`: only the Wasm features the FVM accepts;
//! - the workspace, cargo home and Rust sysroot paths are remapped to fixed prefixes, so the
//!   checkout location never leaks into the code;
//! - flags and settings the outer cargo passes to build scripts are removed from the
//!   environment of the nested build, since they would change the output.
//!
//! ```ignore
//! let wasm_dir = fern_wasm_build::WasmBuild::new(&workspace, &target_dir)
//!     .packages(["my_actor"])
//!     .run()?;
//! let code = std::fs::read(wasm_dir.join("my_actor.wasm"))?;
//! ```

#![warn(missing_docs)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Rust target every actor is compiled for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The workspace profile actors are compiled with (defined in the root `Cargo.toml`).
pub const WASM_PROFILE: &str = "wasm";

/// Code-generation flags for actor code: the MVP instruction set plus bulk memory, the only
/// post-MVP proposal the FVM accepts. With LTO the standard library is rebuilt under these too.
pub const ACTOR_RUSTFLAGS: &[&str] = &["-Ctarget-cpu=mvp", "-Ctarget-feature=+bulk-memory"];

/// Variables the outer cargo may hand to a build script that must not reach the nested build.
const SCRUBBED_ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS",
];

/// One nested Wasm build of a set of workspace packages.
#[derive(Debug, Clone)]
pub struct WasmBuild {
    workspace: PathBuf,
    target_dir: PathBuf,
    packages: Vec<String>,
}

impl WasmBuild {
    /// A build of the workspace rooted at `workspace` (the directory holding the root
    /// `Cargo.toml` and `Cargo.lock`), writing into `target_dir`. Use a stable directory outside
    /// `OUT_DIR` so repeated builds are incremental.
    pub fn new(workspace: impl Into<PathBuf>, target_dir: impl Into<PathBuf>) -> Self {
        WasmBuild {
            workspace: workspace.into(),
            target_dir: target_dir.into(),
            packages: Vec::new(),
        }
    }

    /// Adds packages to build (cargo package names; `-` is normalised to `_`).
    pub fn packages<I, S>(mut self, packages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.packages
            .extend(packages.into_iter().map(|p| p.as_ref().replace('-', "_")));
        self
    }

    /// The directory where the `.wasm` files of this build appear (`<package>.wasm`).
    pub fn wasm_dir(&self) -> PathBuf {
        self.target_dir.join(WASM_TARGET).join(WASM_PROFILE)
    }

    /// The rust flags of the nested build, path remappings included.
    pub fn rustflags(&self) -> Vec<String> {
        let mut flags: Vec<String> = ACTOR_RUSTFLAGS.iter().map(|s| s.to_string()).collect();
        flags.push(format!(
            "--remap-path-prefix={}=/fern",
            self.workspace.display()
        ));
        if let Some(home) = cargo_home() {
            flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
        }
        if let Some(sysroot) = rustc_sysroot() {
            flags.push(format!("--remap-path-prefix={}=/rustc", sysroot.display()));
        }
        flags
    }

    /// Runs the nested build and returns [`WasmBuild::wasm_dir`]. Fails with a readable message
    /// (including the hint to install the Wasm target when it is missing).
    pub fn run(&self) -> Result<PathBuf, String> {
        if self.packages.is_empty() {
            return Err("no packages to build for Wasm".into());
        }
        if !wasm_target_installed() {
            return Err(format!(
                "the Rust target {WASM_TARGET} is not installed; run `rustup target add \
                 {WASM_TARGET}` (./scripts/setup does it)"
            ));
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&self.workspace)
            .arg("build")
            .arg("--locked")
            .arg("--manifest-path")
            .arg(self.workspace.join("Cargo.toml"))
            .arg("--target")
            .arg(WASM_TARGET)
            .arg("--profile")
            .arg(WASM_PROFILE)
            .arg("--target-dir")
            .arg(&self.target_dir);
        for package in &self.packages {
            cmd.arg("-p").arg(package);
        }
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("CARGO_ENCODED_RUSTFLAGS", self.rustflags().join("\x1f"));

        let status = cmd
            .status()
            .map_err(|e| format!("could not start cargo for the Wasm build: {e}"))?;
        if !status.success() {
            return Err(format!(
                "the Wasm build of {} failed ({status}); is the {WASM_TARGET} target installed? \
                 (`rustup target add {WASM_TARGET}`, which ./scripts/setup does)",
                self.packages.join(", ")
            ));
        }
        Ok(self.wasm_dir())
    }

    /// Runs the build and reads each package's Wasm, in the order the packages were given.
    pub fn run_and_read(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let dir = self.run()?;
        self.packages
            .iter()
            .map(|p| {
                let path = dir.join(format!("{p}.wasm"));
                std::fs::read(&path)
                    .map(|code| (p.clone(), code))
                    .map_err(|e| format!("reading the Wasm of {p} at {}: {e}", path.display()))
            })
            .collect()
    }
}

/// The nested build's target directory for a build script: `$var` when set, else
/// `<cargo's target directory>/<name>`, found from `OUT_DIR` (`<target>/<profile>/build/<pkg>/out`),
/// so the nested build follows `CARGO_TARGET_DIR` and `--target-dir` and never writes elsewhere.
pub fn nested_target_dir(var: &str, name: &str) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(var) {
        return Ok(PathBuf::from(dir));
    }
    let out_dir = env_path("OUT_DIR")?;
    let target = out_dir.ancestors().nth(4).ok_or_else(|| {
        format!(
            "OUT_DIR {} is not inside a cargo target directory",
            out_dir.display()
        )
    })?;
    Ok(target.join(name))
}

/// Reads a path-valued variable cargo sets for build scripts (`OUT_DIR`, `CARGO_MANIFEST_DIR`).
pub fn env_path(name: &str) -> Result<PathBuf, String> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| format!("cargo did not set {name}"))
}

/// Walks up from `start` to the first directory whose `Cargo.toml` declares a `[workspace]`.
pub fn find_workspace(start: &Path) -> Result<PathBuf, String> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let manifest = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            if text.lines().any(|l| l.trim() == "[workspace]") {
                return Ok(d.to_path_buf());
            }
        }
        dir = d.parent();
    }
    Err(format!("no workspace root above {}", start.display()))
}

/// Whether the Wasm target's standard library is present in the active toolchain. When the
/// sysroot cannot be determined (unusual toolchains) the build is attempted anyway.
fn wasm_target_installed() -> bool {
    match rustc_sysroot() {
        Some(sysroot) => {
            let lib = sysroot.join("lib").join("rustlib").join(WASM_TARGET);
            // Only trust a negative answer when the sysroot looks like a rustup/standard one.
            lib.exists() || !sysroot.join("lib").join("rustlib").exists()
        }
        None => true,
    }
}

fn cargo_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(home));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo"))
}

fn rustc_sysroot() -> Option<PathBuf> {
    let rustc: OsString = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| PathBuf::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workspace_root_from_a_member() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = find_workspace(here).unwrap();
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("\"actors/wasm-build\""),
            "the root lists this crate as a member"
        );
        assert!(here.starts_with(&root));
    }

    #[test]
    fn package_names_are_normalised_and_kept_in_order() {
        let b = WasmBuild::new("/ws", "/ws/target/x")
            .packages(["fern-a", "b_c"])
            .packages(["d"]);
        assert_eq!(b.packages, ["fern_a", "b_c", "d"]);
        assert_eq!(
            b.wasm_dir(),
            Path::new("/ws/target/x/wasm32-unknown-unknown/wasm")
        );
    }

    #[test]
    fn flags_pin_the_cpu_and_remap_the_workspace() {
        let flags = WasmBuild::new("/some/checkout", "/t").rustflags();
        assert_eq!(&flags[..2], ACTOR_RUSTFLAGS);
        assert!(flags.contains(&"--remap-path-prefix=/some/checkout=/fern".to_string()));
    }

    #[test]
    fn an_empty_build_is_refused() {
        assert!(WasmBuild::new("/ws", "/t")
            .run()
            .unwrap_err()
            .contains("no packages"));
    }
}
