//! Compact text forms of addresses and CIDs for error messages.
//!
//! The standard text form of an address (`f1…` with a base32 payload and a BLAKE2b checksum)
//! and of a CID (multibase base32) would pull a hash function and an encoding library into every
//! actor just to print error messages. Actors use these cheaper forms instead:
//!
//! - an ID address prints as usual, `f0123`;
//! - any other address prints as `f<protocol>:` followed by its payload in hex
//!   (`f4:0a…` for an f4 address: namespace varint then subaddress);
//! - a CID prints as `cid:` followed by its binary form in hex.

use cid::Cid;
use fern_shared::address::{Address, Payload};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

/// The compact form of an address (see the module docs).
pub fn addr(a: &Address) -> String {
    match a.payload() {
        Payload::ID(id) => format!("f0{id}"),
        _ => format!("f{}:{}", a.protocol().as_byte(), hex(&a.payload_bytes())),
    }
}

/// The compact form of a CID (see the module docs).
pub fn cid(c: &Cid) -> String {
    format!("cid:{}", hex(&c.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
        assert_eq!(addr(&Address::new_id(1234)), "f01234");
        let f4 = Address::new_delegated(10, &[0xaa, 0xbb]).unwrap();
        // Payload of an f4 address: namespace as a varint (0x0a), then the subaddress.
        assert_eq!(addr(&f4), "f4:0aaabb");
        let c = Cid::try_from("bafy2bzaceaa466o2jfc4g4ggrmtf55ygigvkmxvkr5mvhy4qbwlxetbmlkqjk")
            .unwrap();
        assert_eq!(cid(&c), format!("cid:{}", hex(&c.to_bytes())));
        assert!(cid(&c).starts_with("cid:0171a0e402"));
    }
}
