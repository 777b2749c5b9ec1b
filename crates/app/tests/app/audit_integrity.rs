//! The tamper-evident log as its users meet it: checkpoints signed by the bureau's key, proofs an
//! inspector checks offline, witnesses' cosignatures, the daily verification, and an export checked
//! with no database.

use audit::{KeyKind, KeyName, ProofBundle, SignedCheckpoint, SignerKey, Verifiers, Witness};
use axum::http::StatusCode;
use sea_orm::ConnectionTrait;

use crate::common::{Auth, PASSWORD, TestApp, demo_app, settings_form};

async fn sql(app: &TestApp, statement: &str) {
    app.db.execute_unprepared(statement).await.unwrap();
}

async fn sign(app: &TestApp, who: &Auth) -> SignedCheckpoint {
    let r = app.post_form(who, "/audit/integrity/checkpoint", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.get(&Auth::None, "/audit/checkpoint").await;
    assert_eq!(r.status, StatusCode::OK);
    SignedCheckpoint::parse(&r.body).expect("a signed note")
}

fn witness_key(name: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(
        KeyName::new(name).unwrap(),
        KeyKind::Cosignature,
        [seed; 32],
    )
}

#[tokio::test]
async fn a_checkpoint_is_signed_by_the_bureau_key_over_the_whole_log() {
    let app = demo_app().await;
    let anonymous = app.get(&Auth::None, "/audit/checkpoint").await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND, "none signed yet");
    let inspector = app.login("inspector", PASSWORD).await;
    let signed = sign(&app, &inspector).await;
    let key = app.log_key();
    let verified = signed
        .verify(&Verifiers::from(key.verifier().clone()))
        .expect("the bureau's signature verifies");
    assert_eq!(verified.checkpoint.size() as i64, app.audit_count().await);
    assert_eq!(signed.checkpoint().origin(), key.verifier().name().as_str());
    // A clerk may not sign, and nothing changes.
    let clerk = app.login("clerk", PASSWORD).await;
    let r = app
        .post_form(&clerk, "/audit/integrity/checkpoint", &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let page = app.get(&inspector, "/audit/integrity").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&key.verifier().to_string()),
        "the public key is shown"
    );
    assert!(page.body.contains(&signed.checkpoint().root().to_base64()));
}

#[tokio::test]
async fn events_cut_from_the_end_after_signing_are_found_even_with_a_matching_tree_head() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let signed = sign(&app, &admin).await;
    let size = signed.checkpoint().size();
    // The attacker deletes the last event and rewrites the tree head to match what remains.
    sql(&app, &format!("DELETE FROM audit_event WHERE seq = {size}")).await;
    let leaves: Vec<audit::Hash> = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT leaf_hash FROM audit_event ORDER BY seq",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| audit::Hash::from_hex(&r.try_get_by_index::<String>(0).unwrap()).unwrap())
        .collect();
    let root = audit::root_of_leaves(&leaves);
    sql(
        &app,
        &format!(
            "UPDATE audit_tree SET size = {}, root = '{}'",
            leaves.len(),
            root.to_hex()
        ),
    )
    .await;
    let f = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        f.zh.contains("签名检查点") && f.zh.contains("被删除"),
        "{f}"
    );
}

#[tokio::test]
async fn a_checkpoint_row_edited_in_the_database_fails_its_signature() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    sign(&app, &admin).await;
    sql(&app, "UPDATE audit_checkpoint SET size = size - 1").await;
    let f = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        f.zh.contains("没有本局密钥") && f.en.contains("signature"),
        "{f}"
    );
    // Another bureau's key does not verify this log either.
    let other = SignerKey::from_seed(
        KeyName::new("other.bureau/audit").unwrap(),
        KeyKind::Ed25519,
        [9; 32],
    );
    sql(&app, "UPDATE audit_checkpoint SET size = size + 1").await;
    let f = app::audit::verify::verify(&app.db, other.verifier())
        .await
        .unwrap()
        .unwrap_err();
    assert!(f.zh.contains("没有本局密钥"), "{f}");
}

#[tokio::test]
async fn an_event_proof_verifies_on_the_page_and_offline() {
    let app = demo_app().await;
    let auditor = app.login("auditor", PASSWORD).await;
    let page = app.get(&auditor, "/audit/events/5/proof").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("核验通过"), "{}", page.body);
    let file = app.get(&auditor, "/audit/events/5/tlog-proof").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.body.starts_with("c2sp.org/tlog-proof@v1\n"),
        "{}",
        file.body
    );
    let bundle = ProofBundle::parse(&file.body).unwrap();
    let verified =
        audit::verify_bundle(&bundle, &Verifiers::from(app.log_key().verifier().clone())).unwrap();
    assert_eq!(verified.index, 4);
    let event: serde_json::Value = serde_json::from_slice(&verified.leaf_input).unwrap();
    assert_eq!(event["seq"], 5);
    // A tampered file fails offline: another event's bytes in place of this one's.
    let forged = ProofBundle::new(4, bundle.proof().to_vec(), bundle.checkpoint().clone())
        .with_extra(br#"{"seq":5,"action":"nothing happened"}"#.to_vec());
    assert!(
        audit::verify_bundle(&forged, &Verifiers::from(app.log_key().verifier().clone())).is_err()
    );
    // An event that does not exist, or a malformed number, is 404; so is the page for a clerk.
    assert_eq!(
        app.get(&auditor, "/audit/events/999999/proof").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&auditor, "/audit/events/x/proof").await.status,
        StatusCode::NOT_FOUND
    );
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        app.get(&clerk, "/audit/events/5/proof").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn consistency_proofs_link_two_checkpoints_and_bad_ranges_are_explained() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let first = sign(&app, &admin).await;
    // More happens (a login is on record), then a second checkpoint.
    app.login("clerk", PASSWORD).await;
    let second = sign(&app, &admin).await;
    let (old, new) = (first.checkpoint().size(), second.checkpoint().size());
    assert!(new > old);
    let r = app
        .get(
            &Auth::None,
            &format!("/audit/consistency?old={old}&new={new}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let proof: Vec<audit::Hash> = r
        .body
        .lines()
        .map(|l| audit::Hash::from_base64(l).unwrap())
        .collect();
    audit::verify_consistency(
        old,
        new,
        &proof,
        first.checkpoint().root(),
        second.checkpoint().root(),
    )
    .expect("the second tree extends the first");
    for bad in [
        "old=0&new=3",
        "old=5&new=3",
        "old=a&new=3",
        &format!("old=1&new={}", new + 100),
    ] {
        let r = app
            .get(&Auth::None, &format!("/audit/consistency?{bad}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.body.contains("old") || r.body.contains("应"),
            "{bad}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn cosignatures_of_registered_witnesses_are_kept_and_others_refused() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let signed = sign(&app, &admin).await;
    let size = signed.checkpoint().size();
    let log_key = app.log_key().verifier().clone();

    let jijian = witness_key("jijianzu.example/witness", 1);
    let mut witness = Witness::new(jijian.clone()).unwrap();
    witness
        .add_log(log_key.name().as_str(), log_key.clone())
        .unwrap();
    let line = witness
        .add_checkpoint(&format!("old 0\n\n{signed}"), 1_790_000_000)
        .unwrap();

    // Not yet registered: refused, nothing stored.
    let r = app
        .send(
            axum::http::Request::post(format!("/audit/cosignature?size={size}"))
                .header("host", "sunlight.test")
                .body(axum::body::Body::from(line.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("见证人"), "{}", r.body);
    assert_eq!(app.count("audit_cosignature").await, 0);

    // The administrator registers the witness on 参数设置 (an audited change).
    let key_text = jijian.verifier().to_string();
    let form = settings_form(&[]);
    let mut form: Vec<(&str, &str)> = form
        .into_iter()
        .filter(|(k, _)| *k != "audit.witness_keys")
        .collect();
    form.push(("audit.witness_keys", &key_text));
    let before = app.audit_count().await;
    let r = app.post_form(&admin, "/system/settings", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.audit_count().await > before, "registering is on record");

    let post = |body: String| {
        axum::http::Request::post(format!("/audit/cosignature?size={size}"))
            .header("host", "sunlight.test")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let r = app.send(post(line.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let published = app.get(&Auth::None, "/audit/checkpoint").await.body;
    let both = Verifiers::new([log_key.clone(), jijian.verifier().clone()]).unwrap();
    let verified = SignedCheckpoint::parse(&published)
        .unwrap()
        .verify(&both)
        .unwrap();
    assert!(
        verified
            .signatures
            .iter()
            .any(|s| s.kind == KeyKind::Cosignature && s.timestamp == Some(1_790_000_000)),
        "{published}"
    );
    let page = app.get(&admin, "/audit/integrity").await;
    assert!(
        page.body.contains("jijianzu.example/witness"),
        "{}",
        page.body
    );

    // A forged line by the registered name is refused.
    let mut forged = line.to_string();
    forged.replace_range(forged.len() - 6..forged.len() - 2, "AAAA");
    let r = app.send(post(forged)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(app.count("audit_cosignature").await, 1);
}

#[tokio::test]
async fn a_log_key_entered_as_a_witness_key_is_explained() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let log_key = app.log_key().verifier().to_string();
    let mut form: Vec<(&str, &str)> = settings_form(&[])
        .into_iter()
        .filter(|(k, _)| *k != "audit.witness_keys")
        .collect();
    form.push(("audit.witness_keys", &log_key));
    let r = app.post_form(&admin, "/system/settings", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("见证人公钥第1行是日志签名公钥"),
        "{}",
        r.body
    );
    form.pop();
    form.push(("audit.witness_keys", "not a key"));
    let r = app.post_form(&admin, "/system/settings", &form).await;
    assert!(r.body.contains("见证人公钥第1行无效"), "{}", r.body);
}

#[tokio::test]
async fn the_full_verification_is_recorded_and_a_failure_is_shown() {
    let app = demo_app().await;
    let inspector = app.login("inspector", PASSWORD).await;
    let r = app
        .post_form(&inspector, "/audit/integrity/verify", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&inspector, "/audit/integrity").await;
    assert!(
        page.body.contains("通过") && page.body.contains("手动"),
        "{}",
        page.body
    );
    sql(&app, "UPDATE audit_event SET ip = '10.9.9.9' WHERE seq = 4").await;
    app.post_form(&inspector, "/audit/integrity/verify", &[])
        .await;
    let page = app.get(&inspector, "/audit/integrity").await;
    assert!(
        page.body.contains("未通过") && page.body.contains("第4号审计事件"),
        "{}",
        page.body
    );
    let home = app.get(&inspector, "/").await;
    assert!(home.body.contains("审计日志核验未通过"), "{}", home.body);
}

#[tokio::test]
async fn an_export_verifies_without_the_database_and_tampering_is_named() {
    let app = demo_app().await;
    let dir = app.data_dir.join("export");
    let done = app::audit::export::export(&app.db, &app.log_key(), &dir)
        .await
        .unwrap();
    assert_eq!(done.events as i64, app.audit_count().await);
    let key = app.log_key().verifier().clone();
    let ok = app::audit::export::verify_export(&dir, &key)
        .unwrap()
        .unwrap();
    assert_eq!(ok.log.size, done.events);
    assert_eq!(ok.log.checkpoint, Some(done.events));
    // A second export into the same directory is refused.
    assert!(matches!(
        app::audit::export::export(&app.db, &app.log_key(), &dir).await,
        Err(app::audit::export::ExportError::NotEmpty(_))
    ));

    let events = dir.join("events.jsonl");
    let original = std::fs::read_to_string(&events).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    // One field changed.
    let changed = original.replacen(lines[2], &lines[2].replace("\"ip\":\"", "\"ip\":\"1"), 1);
    std::fs::write(&events, changed).unwrap();
    let f = app::audit::export::verify_export(&dir, &key)
        .unwrap()
        .unwrap_err();
    assert!(
        f.zh.contains("签名检查点") || f.zh.contains("没有接续"),
        "{f}"
    );
    // The last event cut off.
    std::fs::write(&events, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let f = app::audit::export::verify_export(&dir, &key)
        .unwrap()
        .unwrap_err();
    assert!(f.zh.contains("被删除"), "{f}");
    // Another key: the export's checkpoints are not the bureau's.
    std::fs::write(&events, &original).unwrap();
    let other = SignerKey::from_seed(KeyName::new("x/audit").unwrap(), KeyKind::Ed25519, [3; 32]);
    let f = app::audit::export::verify_export(&dir, other.verifier())
        .unwrap()
        .unwrap_err();
    assert!(f.zh.contains("没有本局密钥"), "{f}");
}
