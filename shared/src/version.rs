//! Network versions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Filecoin network version (protocol upgrade number). Encoded as a plain integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[repr(transparent)]
pub struct NetworkVersion(u32);

macro_rules! versions {
    ($($name:ident = $n:literal, $doc:literal;)*) => {
        impl NetworkVersion {
            $(
                #[doc = $doc]
                pub const $name: NetworkVersion = NetworkVersion($n);
            )*
        }
    };
}

versions! {
    V0 = 0, "Network version 0 (genesis).";
    V1 = 1, "Network version 1 (Breeze).";
    V2 = 2, "Network version 2 (Smoke).";
    V3 = 3, "Network version 3 (Ignition).";
    V4 = 4, "Network version 4 (actors v2).";
    V5 = 5, "Network version 5 (Tape).";
    V6 = 6, "Network version 6 (Kumquat).";
    V7 = 7, "Network version 7 (Calico).";
    V8 = 8, "Network version 8 (Persian).";
    V9 = 9, "Network version 9 (Orange).";
    V10 = 10, "Network version 10 (Trust, actors v3).";
    V11 = 11, "Network version 11 (Norwegian).";
    V12 = 12, "Network version 12 (Turbo, actors v4).";
    V13 = 13, "Network version 13 (HyperDrive).";
    V14 = 14, "Network version 14 (Chocolate).";
    V15 = 15, "Network version 15 (OhSnap).";
    V16 = 16, "Network version 16 (Skyr, first FVM).";
    V17 = 17, "Network version 17 (Shark).";
    V18 = 18, "Network version 18 (Hygge, user-deployable actors).";
    V19 = 19, "Network version 19 (Lightning).";
    V20 = 20, "Network version 20 (Thunder).";
    V21 = 21, "Network version 21 (Watermelon).";
    V22 = 22, "Network version 22 (Dragon).";
    V23 = 23, "Network version 23 (Waffle).";
    V24 = 24, "Network version 24 (TukTuk).";
    V25 = 25, "Network version 25 (Teep).";
    V26 = 26, "Network version 26 (Tock).";
    V27 = 27, "Network version 27 (GoldenWeek).";
    V28 = 28, "Network version 28 (FireHorse).";
    V29 = 29, "Network version 29 (Solstice).";
    V30 = 30, "Network version 30 (not yet named).";
    MAX = 4294967295, "The largest representable network version.";
}

impl NetworkVersion {
    /// An arbitrary network version.
    pub const fn new(v: u32) -> Self {
        NetworkVersion(v)
    }

    /// The version number.
    pub const fn value(self) -> u32 {
        self.0
    }
}

impl fmt::Display for NetworkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u32> for NetworkVersion {
    fn from(v: u32) -> Self {
        NetworkVersion(v)
    }
}

impl From<NetworkVersion> for u32 {
    fn from(v: NetworkVersion) -> Self {
        v.0
    }
}
