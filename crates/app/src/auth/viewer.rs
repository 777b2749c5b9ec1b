//! The logged-in user of a request, with their permissions and data scope.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::db::audited::Actor;
use crate::org::entities::{department, role, user};
use crate::org::permissions;
use crate::org::scope::{DataScope, RoleScope, Scope, Tree};
use crate::web::AppState;
use crate::web::error::AppError;

pub struct Viewer {
    pub user: user::Model,
    pub department_name: String,
    pub role_keys: Vec<String>,
    pub role_names: Vec<String>,
    pub permissions: BTreeSet<String>,
    pub scope: Scope,
    pub ip: String,
    pub user_agent: String,
    /// The session token, when the request came with one.
    pub token: String,
}

impl Viewer {
    pub fn can(&self, permission: &str) -> bool {
        permissions::allows(self.permissions.iter().map(String::as_str), permission)
    }

    /// No permission looks the same as no such page: 404.
    pub fn require(&self, permission: &str) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            name: self.user.name.clone(),
            department_id: Some(self.user.department_id),
            ip: self.ip.clone(),
        }
    }

    /// May this viewer see personal data (full 身份证号, phone numbers) of users in scope?
    pub fn sees_personal_data(&self) -> bool {
        self.can("org:user:personal")
    }
}

/// The client's address as seen by the server (a proxy in front must be configured separately; we
/// do not trust `X-Forwarded-For` from anyone).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "-".into())
}

pub fn user_agent(parts: &Parts) -> String {
    parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

/// The session token of a request: the bearer token for API clients, else the session cookie.
pub fn token_of(parts: &Parts) -> Option<String> {
    if let Some(auth) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return auth.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == super::session::COOKIE)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<AppState> for Viewer {
    /// Pages redirect to the login page; the API answers 401 with a JSON error.
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let api = parts.uri.path().starts_with("/api/");
        identify(parts, state).await.map_err(|e| {
            if api {
                crate::web::error::ApiError(e).into_response()
            } else {
                e.into_response()
            }
        })
    }
}

async fn identify(parts: &Parts, state: &AppState) -> Result<Viewer, AppError> {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let login_required = || AppError::LoginRequired { next: next.clone() };
    let token = token_of(parts).ok_or_else(login_required)?;
    let lifetime = super::session::Lifetime::from_settings(&state.db).await?;
    let session = super::session::find_live(&state.db, &token, lifetime)
        .await?
        .ok_or_else(login_required)?;
    let user = user::Entity::find_by_id(session.user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.status == "active")
        .ok_or_else(login_required)?;
    let path = parts.uri.path();
    if user.must_change_password
        && path != "/password"
        && path != "/logout"
        && path != "/api/v1/session"
    {
        return Err(AppError::MustChangePassword);
    }
    let mut viewer = load(&state.db, user).await?;
    viewer.ip = client_ip(parts);
    viewer.user_agent = user_agent(parts);
    viewer.token = token;
    Ok(viewer)
}

/// Builds the viewer of a user: roles, permissions, scope (union of roles and 代管 departments).
pub async fn load(db: &impl ConnectionTrait, user: user::Model) -> Result<Viewer, DbErr> {
    let role_ids = crate::org::users::role_ids_of(db, user.id).await?;
    let roles = role::Entity::find()
        .filter(role::Column::Id.is_in(role_ids))
        .all(db)
        .await?;
    let mut role_scopes = Vec::new();
    let mut perms = BTreeSet::new();
    for r in &roles {
        perms.extend(r.permission_list().map(str::to_owned));
        let scope = DataScope::parse(&r.data_scope).unwrap_or(DataScope::SelfOnly);
        let custom = if scope == DataScope::Custom {
            crate::org::roles::custom_departments(db, r.id).await?
        } else {
            Vec::new()
        };
        role_scopes.push(RoleScope {
            scope,
            custom_departments: custom,
        });
    }
    let covered = crate::org::users::covered_departments(db, user.id).await?;
    let tree = department_tree(db).await?;
    let scope = Scope::of_user(user.id, user.department_id, &role_scopes, &covered, &tree);
    let department_name = department::Entity::find_by_id(user.department_id)
        .one(db)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    Ok(Viewer {
        department_name,
        role_keys: roles.iter().map(|r| r.role_key.clone()).collect(),
        role_names: roles.iter().map(|r| r.name.clone()).collect(),
        permissions: perms,
        scope,
        user,
        ip: "-".into(),
        user_agent: "-".into(),
        token: String::new(),
    })
}

pub async fn department_tree(db: &impl ConnectionTrait) -> Result<Tree, DbErr> {
    let nodes: Vec<(i64, Option<i64>)> = department::Entity::find()
        .select_only()
        .column(department::Column::Id)
        .column(department::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(Tree::new(nodes))
}
