//! The audit event and its canonical encoding, version 1.
//!
//! The leaf hash of an event is `SHA-256(0x00 ‖ canonical bytes)` (the RFC 6962 leaf hash), so the
//! Merkle log can take events as leaves without re-encoding them. The canonical bytes are the event as
//! JSON with object keys sorted by their UTF-8 bytes, no insignificant whitespace, integers only, and
//! a version field `v`: a later version adds fields under a new `v` and old events keep hashing as
//! they did. Every field is read back exactly from the stored row (instants are integer milliseconds).

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub const VERSION: i32 = 1;

/// The columns of an event row that its writer gives, in the order of both event tables: after
/// `seq`, and (in `audit_event`) before `prev_hash` and `leaf_hash`, which the append adds.
pub const WRITTEN_COLUMNS: [&str; 10] = [
    "version",
    "at",
    "actor_id",
    "actor_name",
    "department_id",
    "ip",
    "action",
    "object_type",
    "object_id",
    "changes",
];

/// One audit event, as stored and as hashed.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub department_id: Option<i64>,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// Field name → `[before, after]`; `null` where the field did not exist.
    pub changes: BTreeMap<String, [Value; 2]>,
    /// Leaf hash (hex) of the previous event of the same object, so an object's history can be shown
    /// to have no gaps.
    pub prev_hash: Option<String>,
}

impl Event {
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // The members in their keys' byte order, as `write_canonical` orders an object's.
        let mut out = Vec::with_capacity(256 + 64 * self.changes.len());
        out.extend_from_slice(br#"{"action":"#);
        write_json(&self.action, &mut out);
        out.extend_from_slice(br#","actor_id":"#);
        write_json(&self.actor_id, &mut out);
        out.extend_from_slice(br#","actor_name":"#);
        write_json(&self.actor_name, &mut out);
        out.extend_from_slice(br#","at":"#);
        write_json(&self.at_ms, &mut out);
        out.extend_from_slice(br#","changes":"#);
        write_changes(&self.changes, &mut out);
        out.extend_from_slice(br#","department_id":"#);
        write_json(&self.department_id, &mut out);
        out.extend_from_slice(br#","ip":"#);
        write_json(&self.ip, &mut out);
        out.extend_from_slice(br#","object_id":"#);
        write_json(&self.object_id, &mut out);
        out.extend_from_slice(br#","object_type":"#);
        write_json(&self.object_type, &mut out);
        out.extend_from_slice(br#","prev_hash":"#);
        write_json(&self.prev_hash, &mut out);
        out.extend_from_slice(br#","seq":"#);
        write_json(&self.seq, &mut out);
        out.extend_from_slice(br#","v":"#);
        write_json(&VERSION, &mut out);
        out.push(b'}');
        out
    }

    /// RFC 6962 leaf hash of the canonical bytes, lower-case hex.
    pub fn leaf_hash_hex(&self) -> String {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(self.canonical_bytes());
        hex_lower(&h.finalize())
    }

    /// The `changes` column: the canonical JSON of the changes object.
    pub fn changes_json(&self) -> String {
        changes_json(&self.changes)
    }

    /// Parses a stored `changes` column back.
    pub fn parse_changes(text: &str) -> Result<BTreeMap<String, [Value; 2]>, String> {
        let v: BTreeMap<String, Vec<Value>> =
            serde_json::from_str(text).map_err(|e| format!("变更内容不是有效的JSON：{e}"))?;
        v.into_iter()
            .map(|(k, pair)| match <[Value; 2]>::try_from(pair) {
                Ok(p) => Ok((k, p)),
                Err(_) => Err(format!("字段{k}的变更应为[修改前, 修改后]")),
            })
            .collect()
    }
}

/// The `changes` column of an event with these changes: their canonical JSON.
pub fn changes_json(changes: &BTreeMap<String, [Value; 2]>) -> String {
    let mut out = Vec::new();
    write_changes(changes, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The changes object, canonical: fields in byte order (a `BTreeMap<String, _>`'s), each
/// `[before, after]`.
fn write_changes(changes: &BTreeMap<String, [Value; 2]>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (field, [before, after])) in changes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json(field, out);
        out.extend_from_slice(b":[");
        write_canonical(before, out);
        out.push(b',');
        write_canonical(after, out);
        out.push(b']');
    }
    out.push(b'}');
}

pub fn hex_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Writes `v` as canonical JSON: keys sorted (independent of serde_json's map implementation), compact.
fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push(b'{');
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(k, out);
                out.push(b':');
                write_canonical(val, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_json(scalar, out),
    }
}

/// A string, number, `null` or `bool` as JSON: serde_json's output of these is already
/// canonical (minimal escapes, UTF-8 kept as is).
fn write_json(v: &(impl serde::Serialize + ?Sized), out: &mut Vec<u8>) {
    // Serialising into memory fails only for a map whose keys are not strings: never here.
    serde_json::to_writer(out, v).expect("a JSON scalar serialises into memory");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Event {
        let mut changes = BTreeMap::new();
        changes.insert("name".to_owned(), [Value::Null, json!("办公室")]);
        changes.insert("code".to_owned(), [Value::Null, json!("BGS")]);
        Event {
            seq: 7,
            at_ms: 1_763_884_800_000,
            actor_id: Some(1),
            actor_name: "系统管理员".into(),
            department_id: Some(2),
            ip: "127.0.0.1".into(),
            action: "org.department.create".into(),
            object_type: "department".into(),
            object_id: "12".into(),
            changes,
            prev_hash: None,
        }
    }

    #[test]
    fn canonical_bytes_are_sorted_compact_and_versioned() {
        let text = String::from_utf8(sample().canonical_bytes()).unwrap();
        assert_eq!(
            text,
            r#"{"action":"org.department.create","actor_id":1,"actor_name":"系统管理员","at":1763884800000,"changes":{"code":[null,"BGS"],"name":[null,"办公室"]},"department_id":2,"ip":"127.0.0.1","object_id":"12","object_type":"department","prev_hash":null,"seq":7,"v":1}"#
        );
    }

    #[test]
    fn nested_values_and_escapes_are_canonical() {
        let mut e = sample();
        e.prev_hash = Some("ab".repeat(32));
        e.actor_id = None;
        e.changes.insert(
            "备注\"".into(),
            [
                json!({"z": 1, "a": "引号\"\n\u{1}", "m": [1.5, true, {"y": null, "b": -2}]}),
                Value::Null,
            ],
        );
        let text = String::from_utf8(e.canonical_bytes()).unwrap();
        assert_eq!(
            text,
            r#"{"action":"org.department.create","actor_id":null,"actor_name":"系统管理员","at":1763884800000,"changes":{"code":[null,"BGS"],"name":[null,"办公室"],"备注\"":[{"a":"引号\"\n\u0001","m":[1.5,true,{"b":-2,"y":null}],"z":1},null]},"department_id":2,"ip":"127.0.0.1","object_id":"12","object_type":"department","prev_hash":"abababababababababababababababababababababababababababababababab","seq":7,"v":1}"#
        );
        assert_eq!(
            e.changes_json(),
            r#"{"code":[null,"BGS"],"name":[null,"办公室"],"备注\"":[{"a":"引号\"\n\u0001","m":[1.5,true,{"b":-2,"y":null}],"z":1},null]}"#
        );
    }

    #[test]
    fn leaf_hash_is_rfc6962_leaf_of_canonical_bytes() {
        let e = sample();
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(e.canonical_bytes());
        assert_eq!(e.leaf_hash_hex(), hex_lower(&h.finalize()));
        assert_eq!(e.leaf_hash_hex().len(), 64);
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let base = sample().leaf_hash_hex();
        let mut e = sample();
        e.ip = "127.0.0.2".into();
        assert_ne!(e.leaf_hash_hex(), base);
        let mut e = sample();
        e.changes
            .insert("name".into(), [Value::Null, json!("办公室 ")]);
        assert_ne!(e.leaf_hash_hex(), base);
        let mut e = sample();
        e.seq = 8;
        assert_ne!(e.leaf_hash_hex(), base);
    }

    #[test]
    fn stored_changes_read_back_to_the_same_hash() {
        let e = sample();
        let stored = e.changes_json();
        let mut back = sample();
        back.changes = Event::parse_changes(&stored).unwrap();
        assert_eq!(back.leaf_hash_hex(), e.leaf_hash_hex());
        assert!(Event::parse_changes("{\"a\":[1]}").is_err());
    }
}
