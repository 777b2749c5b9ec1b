//! The API's OpenAPI document (`/api/openapi.json`) and Swagger UI (`/api/docs/`, served from the
//! crate's vendored copy: nothing is downloaded at build or run time).

use axum::Router;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use super::AppState;

/// Every API error: what went wrong, in Chinese.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

/// A submission that failed validation: a summary, and each field's message.
#[derive(Serialize, ToSchema)]
pub struct InvalidBody {
    pub error: String,
    pub fields: std::collections::BTreeMap<String, String>,
}

/// A bearer token.
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    pub token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub must_change_password: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "阳光监管 Sunlight API", description = "科技局监管平台的 JSON 接口：与网页相同的权限和数据范围。先用 POST /api/v1/session 取得令牌，再以 `Authorization: Bearer 令牌` 调用。"),
    paths(
        crate::auth::pages::api_login,
        crate::auth::pages::api_logout,
        crate::org::api::list_departments,
        crate::org::api::get_department,
        crate::org::api::create_department,
        crate::org::api::update_department,
        crate::org::api::delete_department,
        crate::org::api::list_users,
        crate::org::api::get_user,
        crate::org::api::create_user,
        crate::org::api::update_user,
        crate::org::api::delete_user,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
