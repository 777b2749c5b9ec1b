//! The OpenAPI document describes every API route, and Swagger UI is served from the binary.

use axum::http::StatusCode;

use crate::common::{Auth, demo_app};

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let app = demo_app().await;
    let r = app.get(&Auth::None, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/v1/session", &["post", "delete"][..]),
        ("/api/v1/departments", &["get", "post"]),
        ("/api/v1/departments/{id}", &["get", "put", "delete"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{id}", &["get", "put", "delete"]),
    ] {
        for m in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*m)).is_some(),
                "{m} {path} is documented"
            );
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["UserInput"].is_object());

    let ui = app.get(&Auth::None, "/api/docs/").await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(
        ui.body.contains("swagger"),
        "{}",
        &ui.body[..ui.body.len().min(300)]
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let app = demo_app().await;
    assert_eq!(app.get(&Auth::None, "/healthz").await.body, "ok");
    let r = app.get(&Auth::None, "/readyz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    app.db.clone().close().await.unwrap();
    assert_eq!(
        app.get(&Auth::None, "/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
