//! `sunlight audit …` as an inspector and a second office run it: export and verify with no database,
//! offline proofs, and a witness that cosigns a consistent log and refuses a rolled-back or forked one.

mod support;

use std::path::{Path, PathBuf};

use support::{Server, Store, postgres, psql, run};

fn with_store<'a>(args: &[&'a str], store: &'a Store) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(store.args.iter().map(String::as_str));
    all
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
    out
}

fn demo_store(name: &str) -> Store {
    let store = Store::fresh(name);
    ok(&with_store(&["demo"], &store));
    store
}

fn data_dir(store: &Store) -> PathBuf {
    store.dir.join("data")
}

fn public_key(store: &Store) -> String {
    data_dir(store)
        .join("audit/log-key.pub")
        .display()
        .to_string()
}

#[test]
fn an_export_is_verified_on_a_machine_without_the_database() {
    let store = demo_store("audit-export");
    let dir = store.dir.join("export");
    let out = ok(&with_store(
        &["audit", "export", dir.to_str().unwrap()],
        &store,
    ));
    assert!(out.contains("已导出"), "{out}");
    let key = public_key(&store);
    let verify = [
        "audit",
        "verify",
        "--export",
        dir.to_str().unwrap(),
        "--key",
        &key,
    ];
    let out = ok(&verify);
    assert!(
        out.starts_with("ok size=") && out.contains("与本局签名的检查点"),
        "{out}"
    );

    // Change one character of one event: named, in Chinese and English, with a non-zero exit.
    let events = dir.join("events.jsonl");
    let text = std::fs::read_to_string(&events).unwrap();
    std::fs::write(&events, text.replacen("\"seq\":2,", "\"seq\":2, ", 1)).unwrap();
    let (code, _, err) = run(&verify);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("审计核验未通过") && err.contains("verification failed"),
        "{err}"
    );
}

#[test]
fn a_proof_printed_for_one_event_is_checked_offline() {
    let store = demo_store("audit-prove");
    let proof = ok(&with_store(&["audit", "prove", "--seq", "3"], &store));
    assert!(proof.starts_with("c2sp.org/tlog-proof@v1\n"), "{proof}");
    let file = store.dir.join("event-3.tlog-proof");
    std::fs::write(&file, &proof).unwrap();
    let key = public_key(&store);
    let out = ok(&[
        "audit",
        "check-proof",
        file.to_str().unwrap(),
        "--key",
        &key,
    ]);
    assert!(out.starts_with("ok index=2 "), "{out}");
    assert!(
        out.contains("\"seq\":3"),
        "the event itself is shown: {out}"
    );
    // The same proof does not verify under another bureau's key.
    let other = store_with_other_key(&store);
    let (code, _, err) = run(&[
        "audit",
        "check-proof",
        file.to_str().unwrap(),
        "--key",
        &other,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("证明不成立"), "{err}");
}

fn store_with_other_key(store: &Store) -> String {
    let other = Store::fresh("audit-other-key");
    ok(&with_store(&["migrate"], &other));
    let _ = store;
    public_key(&other)
}

/// A copy of a store as it is now: the database and the data directory with the same key.
fn copy_store(from: &Store, name: &str) -> Store {
    let to = Store::fresh(name);
    copy_dir(&data_dir(from), &data_dir(&to));
    if postgres() {
        let source = from.args[1].rsplit('/').next().unwrap().to_owned();
        let target = to.args[1].rsplit('/').next().unwrap().to_owned();
        psql(&format!("DROP DATABASE IF EXISTS {target}"));
        psql(&format!("CREATE DATABASE {target} TEMPLATE {source}"));
    }
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_witness_cosigns_a_consistent_log_and_refuses_a_rolled_back_or_forked_one() {
    let a = demo_store("witness-log-a");
    ok(&with_store(&["audit", "checkpoint"], &a));
    // B is the same log at this point: same database, same key.
    let b = copy_store(&a, "witness-log-b");

    let state = a.dir.join("witness-state");
    let state = state.to_str().unwrap();
    let out = ok(&[
        "audit",
        "witness",
        "--state",
        state,
        "--name",
        "jijianzu.example/witness",
    ]);
    let witness_key = out
        .lines()
        .find_map(|l| l.split_once("：").map(|(_, k)| k.trim().to_owned()))
        .expect("the witness prints its public key");
    assert!(
        witness_key.starts_with("jijianzu.example/witness+"),
        "{out}"
    );

    // A registers the witness (an audited change) and signs again.
    let out = ok(&with_store(&["audit", "add-witness", &witness_key], &a));
    assert!(out.contains("已登记见证人"), "{out}");
    ok(&with_store(&["audit", "checkpoint"], &a));

    let log_a = Server::start(&a, &["--demo"]);
    let key = public_key(&a);
    let witness_a = [
        "audit",
        "witness",
        "--state",
        state,
        "--log",
        &log_a.url,
        "--log-key",
        &key,
    ];
    let out = ok(&witness_a);
    assert!(
        out.contains("已联署") && out.contains("已记录联署"),
        "{out}"
    );
    // A keeps the cosignature and publishes it with the checkpoint.
    let published = ok(&with_store(&["audit", "checkpoint"], &a));
    assert!(
        published.contains("— jijianzu.example/witness "),
        "{published}"
    );

    // B is behind A: a rollback for a witness that saw A.
    let log_b = Server::start(&b, &["--demo"]);
    let witness_b = [
        "audit",
        "witness",
        "--state",
        state,
        "--log",
        &log_b.url,
        "--log-key",
        &key,
    ];
    let (code, _, err) = run(&witness_b);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("回滚") && err.contains("rollback"), "{err}");

    // B then writes something else and signs the same size with another root: a fork.
    ok(&with_store(&["audit", "add-witness", &witness_key], &b));
    ok(&with_store(&["audit", "checkpoint"], &b));
    let (code, _, err) = run(&witness_b);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("分叉") && err.contains("fork"), "{err}");

    // The witness still follows A as before.
    let out = ok(&witness_a);
    assert!(out.contains("已联署"), "{out}");
}
