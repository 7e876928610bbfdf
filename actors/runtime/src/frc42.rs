//! FRC-0042 method numbers, computed at compile time.
//!
//! FRC-0042 turns a method *name* into a method *number*: hash the bytes `"1|"` followed by the
//! name with BLAKE2b-512, then read the 64-byte digest as sixteen big-endian `u32` words and take
//! the first one that is at least 2^24 (smaller numbers are left for hand-assigned methods such as
//! the constructor, `1`). By the convention of the Filecoin tooling the name `Constructor` maps to
//! method `1` instead of being hashed.
//!
//! Everything here is a `const fn`, so an actor can write
//! `const TRANSFER: u64 = method_number("Transfer");` and pay nothing at run time. An invalid
//! name (empty, not starting with `A-Z` or `_`, or holding a character outside `[A-Za-z0-9_]`)
//! is rejected: at compile time when used in a `const`, otherwise by panicking.

/// The lowest number the hash may produce; smaller values are reserved for fixed method numbers.
pub const FIRST_EXPORTED_METHOD_NUMBER: u64 = 1 << 24;

/// The domain-separation prefix hashed before every name (`|` cannot occur in a valid name).
const DOMAIN_TAG: &[u8] = b"1|";

/// Why a name is not a valid FRC-0042 method name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// The name is empty.
    Empty,
    /// The first character is not an ASCII capital letter or `_`.
    BadFirstCharacter,
    /// A character is outside `[A-Za-z0-9_]`.
    BadCharacter,
    /// No 4-byte word of the digest reached 2^24 (probability about 2^-128).
    NoNumber,
}

/// Checks a method name against the FRC-0042 naming rules.
pub const fn check_name(name: &str) -> Result<(), NameError> {
    let b = name.as_bytes();
    if b.is_empty() {
        return Err(NameError::Empty);
    }
    if !(b[0].is_ascii_uppercase() || b[0] == b'_') {
        return Err(NameError::BadFirstCharacter);
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c.is_ascii_alphanumeric() || c == b'_') {
            return Err(NameError::BadCharacter);
        }
        i += 1;
    }
    Ok(())
}

/// The FRC-0042 method number of `name`, or why it has none.
pub const fn try_method_number(name: &str) -> Result<u64, NameError> {
    if let Err(e) = check_name(name) {
        return Err(e);
    }
    if bytes_eq(name.as_bytes(), b"Constructor") {
        return Ok(crate::METHOD_CONSTRUCTOR);
    }
    let digest = blake2b_512_tagged(DOMAIN_TAG, name.as_bytes());
    let mut word = 0;
    while word < 16 {
        let n = u32::from_be_bytes([
            digest[word * 4],
            digest[word * 4 + 1],
            digest[word * 4 + 2],
            digest[word * 4 + 3],
        ]) as u64;
        if n >= FIRST_EXPORTED_METHOD_NUMBER {
            return Ok(n);
        }
        word += 1;
    }
    Err(NameError::NoNumber)
}

/// The FRC-0042 method number of `name`. Panics (a compile error in a `const`) on an invalid name.
pub const fn method_number(name: &str) -> u64 {
    match try_method_number(name) {
        Ok(n) => n,
        Err(NameError::Empty) => panic!("FRC-0042: empty method name"),
        Err(NameError::BadFirstCharacter) => {
            panic!("FRC-0042: a method name starts with A-Z or _")
        }
        Err(NameError::BadCharacter) => panic!("FRC-0042: a method name uses only [A-Za-z0-9_]"),
        Err(NameError::NoNumber) => panic!("FRC-0042: no method number for this name"),
    }
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// ---------------------------------------------------------------------------------------------
// BLAKE2b-512 (RFC 7693), unkeyed, as a const fn. Only used for method numbers, so it favours
// clarity over speed. The input is the concatenation `prefix || data` without allocating.

/// The BLAKE2b initial chaining value (the SHA-512 IV).
const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// The message-word permutation used by each of the twelve rounds (rounds 10 and 11 reuse 0 and 1).
const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

const BLOCK: usize = 128;

/// One quarter-round mixing step on the working vector.
const fn mix(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// Compresses one 128-byte block into the state `h`; `count` is the number of input bytes
/// consumed so far including this block.
const fn compress(h: &mut [u64; 8], block: &[u8; BLOCK], count: u128, last: bool) {
    let mut m = [0u64; 16];
    let mut i = 0;
    while i < 16 {
        let o = i * 8;
        m[i] = u64::from_le_bytes([
            block[o],
            block[o + 1],
            block[o + 2],
            block[o + 3],
            block[o + 4],
            block[o + 5],
            block[o + 6],
            block[o + 7],
        ]);
        i += 1;
    }
    let mut v = [0u64; 16];
    let mut i = 0;
    while i < 8 {
        v[i] = h[i];
        v[i + 8] = IV[i];
        i += 1;
    }
    v[12] ^= count as u64;
    v[13] ^= (count >> 64) as u64;
    if last {
        v[14] = !v[14];
    }
    let mut round = 0;
    while round < 12 {
        let s = &SIGMA[round % 10];
        mix(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        round += 1;
    }
    let mut i = 0;
    while i < 8 {
        h[i] ^= v[i] ^ v[i + 8];
        i += 1;
    }
}

/// BLAKE2b with a 64-byte digest over `prefix || data`.
pub(crate) const fn blake2b_512_tagged(prefix: &[u8], data: &[u8]) -> [u8; 64] {
    let mut h = IV;
    // Parameter block: digest length 64, no key, fanout 1, depth 1.
    h[0] ^= 0x0101_0000 ^ 64;

    let total = prefix.len() + data.len();
    let mut done = 0usize; // bytes already compressed
                           // Every block but the last is compressed as "not last"; an empty input is one zero block.
    loop {
        let remaining = total - done;
        let last = remaining <= BLOCK;
        let take = if last { remaining } else { BLOCK };
        let mut block = [0u8; BLOCK];
        let mut i = 0;
        while i < take {
            let at = done + i;
            block[i] = if at < prefix.len() {
                prefix[at]
            } else {
                data[at - prefix.len()]
            };
            i += 1;
        }
        done += take;
        compress(&mut h, &block, done as u128, last);
        if last {
            break;
        }
    }

    let mut out = [0u8; 64];
    let mut i = 0;
    while i < 8 {
        let w = h[i].to_le_bytes();
        let mut j = 0;
        while j < 8 {
            out[i * 8 + j] = w[j];
            j += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published method numbers: the built-in actors' documentation and the Filecoin docs list
    /// `AuthenticateMessage` = 2643134072 and the universal receiver hook (name `Receive`) =
    /// 3726118371.
    #[test]
    fn published_numbers() {
        assert_eq!(method_number("AuthenticateMessage"), 2643134072);
        assert_eq!(method_number("Receive"), 3726118371);
    }

    #[test]
    fn constructor_is_one() {
        assert_eq!(method_number("Constructor"), 1);
    }

    /// The const BLAKE2b agrees with the `blake2b_simd` crate on inputs of every length around
    /// the block boundaries.
    #[test]
    fn blake2b_matches_reference() {
        for len in [
            0usize, 1, 2, 3, 63, 64, 125, 126, 127, 128, 129, 200, 255, 256, 257, 1000,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            for prefix in [&b""[..], &b"1|"[..]] {
                let mut joined = prefix.to_vec();
                joined.extend_from_slice(&data);
                let want = blake2b_simd::blake2b(&joined);
                assert_eq!(
                    &blake2b_512_tagged(prefix, &data)[..],
                    want.as_bytes(),
                    "len {len}"
                );
            }
        }
    }

    /// The rule itself, written independently with the reference hash: first big-endian word of
    /// the digest of "1|name" that is >= 2^24.
    #[test]
    fn numbers_follow_the_rule() {
        for name in [
            "Transfer",
            "BalanceOf",
            "TotalSupply",
            "Increment",
            "Get",
            "Hello",
            "_x",
            "A",
        ] {
            let digest = blake2b_simd::blake2b(format!("1|{name}").as_bytes());
            let want = digest
                .as_bytes()
                .chunks(4)
                .map(|c| u32::from_be_bytes(c.try_into().unwrap()) as u64)
                .find(|n| *n >= 1 << 24)
                .unwrap();
            assert_eq!(method_number(name), want, "{name}");
            assert!(method_number(name) >= FIRST_EXPORTED_METHOD_NUMBER);
        }
    }

    #[test]
    fn invalid_names_are_rejected() {
        assert_eq!(try_method_number(""), Err(NameError::Empty));
        assert_eq!(
            try_method_number("lower"),
            Err(NameError::BadFirstCharacter)
        );
        assert_eq!(
            try_method_number("9Lives"),
            Err(NameError::BadFirstCharacter)
        );
        assert_eq!(try_method_number("Bad|Name"), Err(NameError::BadCharacter));
        assert_eq!(try_method_number("Bad Name"), Err(NameError::BadCharacter));
        assert_eq!(
            try_method_number("Ünïcode"),
            Err(NameError::BadFirstCharacter)
        );
        assert!(try_method_number("Good_Name9").is_ok());
    }

    /// Usable in constant context (this would not compile otherwise).
    #[test]
    fn usable_in_const() {
        const N: u64 = method_number("AuthenticateMessage");
        assert_eq!(N, 2643134072);
    }
}
