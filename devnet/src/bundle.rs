//! Where a dev chain's actors come from: Fern's embedded bundle, or any bundle CAR or lotus-style
//! `.tar.zst` archive of CARs.

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fern_conformance::bundle::{bundle_cars, read_car_blocks};

/// The blocks of an actor bundle and its manifest root.
#[derive(Debug, Clone)]
pub struct BundleSource {
    /// Where it came from, for people (`fern (embedded)`, a file name and archive entry).
    pub label: String,
    /// The manifest root: the CBOR pair `[version, data]` where `data` lists `(name, code)`.
    pub root: Cid,
    /// Every block of the bundle CAR.
    pub blocks: Vec<(Cid, Vec<u8>)>,
}

impl BundleSource {
    /// Fern's own bundle, compiled into the binary (`fern_bundle::BUNDLE_CAR`).
    pub fn embedded() -> Result<Self> {
        Self::from_car("fern (embedded)".into(), fern_bundle::BUNDLE_CAR)
    }

    fn from_car(label: String, car: &[u8]) -> Result<Self> {
        let (roots, blocks) =
            read_car_blocks(car).map_err(|e| anyhow!("{label}: not a bundle CAR: {e}"))?;
        let root = *roots
            .first()
            .ok_or_else(|| anyhow!("{label}: the bundle CAR has no root"))?;
        Ok(BundleSource {
            label,
            root,
            blocks,
        })
    }

    /// A bundle from a file's bytes: a CAR (plain or gzip), or a lotus-style `.tar.zst` of
    /// CARs, from which the entry whose name contains `network` is taken (`mainnet` when
    /// `network` is `None`; an archive with a single CAR needs no choice).
    ///
    /// Errors: unreadable archives or CARs, a CAR without a root, and an archive where no entry
    /// (or more than one) matches, with the entries' names listed.
    pub fn from_bytes(label: &str, data: Vec<u8>, network: Option<&str>) -> Result<Self> {
        let mut cars = bundle_cars(data).map_err(|e| anyhow!("{label}: {e}"))?;
        if cars.len() == 1 {
            let car = cars.pop().expect("one CAR");
            let label = match car.entry {
                Some(entry) => format!("{label}:{entry}"),
                None => label.to_string(),
            };
            return Self::from_car(label, &car.car);
        }
        let wanted = network.unwrap_or("mainnet");
        let names: Vec<String> = cars.iter().filter_map(|c| c.entry.clone()).collect();
        let matching: Vec<usize> = cars
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.entry
                    .as_deref()
                    .and_then(|e| e.rsplit('/').next())
                    .is_some_and(|e| e.trim_end_matches(".car").ends_with(&format!("-{wanted}")))
            })
            .map(|(i, _)| i)
            .collect();
        match matching.as_slice() {
            [i] => {
                let car = cars.swap_remove(*i);
                let entry = car.entry.unwrap_or_default();
                Self::from_car(format!("{label}:{entry}"), &car.car)
            }
            [] => bail!(
                "{label}: no bundle for network {wanted:?} among {}",
                names.join(", ")
            ),
            _ => bail!(
                "{label}: more than one bundle for network {wanted:?} among {}",
                names.join(", ")
            ),
        }
    }

    /// [`BundleSource::from_bytes`] on a file.
    pub fn from_file(path: &std::path::Path, network: Option<&str>) -> Result<Self> {
        let data = std::fs::read(path)
            .with_context(|| format!("cannot read the bundle {}", path.display()))?;
        Self::from_bytes(&path.display().to_string(), data, network)
    }
}
