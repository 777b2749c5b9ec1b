//! Server-side sessions in the database, for the browser (cookie) and the API (bearer token).
//! Only the SHA-256 of a token is stored, so a copy of the database cannot be used to log in.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::audit::event::hex_lower;

pub const COOKIE: &str = "sl_session";

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub user_id: i64,
        pub kind: String,
        pub created_at: i64,
        pub last_seen_at: i64,
        pub expires_at: i64,
        pub ip: String,
        pub user_agent: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Clone, Copy, Debug)]
pub struct Lifetime {
    pub idle_ms: i64,
    pub max_ms: i64,
}

impl Lifetime {
    pub async fn from_settings(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        Ok(Lifetime {
            idle_ms: crate::settings::get_int(db, "session.idle_minutes").await? * 60_000,
            max_ms: crate::settings::get_int(db, "session.max_hours").await? * 3_600_000,
        })
    }
}

fn token_hash(token: &str) -> String {
    hex_lower(&Sha256::digest(token.as_bytes()))
}

/// Starts a session and returns its token (shown once: to the browser as a cookie, or to the API client).
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    kind: &str,
    ip: &str,
    user_agent: &str,
    lifetime: Lifetime,
) -> Result<String, DbErr> {
    let token = super::password::random_token();
    let now = crate::db::now_ms();
    entity::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + lifetime.max_ms),
        ip: Set(truncate(ip, 64)),
        user_agent: Set(truncate(user_agent, 300)),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The live session of a token, touched; an expired or idle one is deleted and not returned.
pub async fn find_live(
    db: &impl ConnectionTrait,
    token: &str,
    lifetime: Lifetime,
) -> Result<Option<entity::Model>, DbErr> {
    let hash = token_hash(token);
    let Some(s) = entity::Entity::find_by_id(hash.clone()).one(db).await? else {
        return Ok(None);
    };
    let now = crate::db::now_ms();
    if now >= s.expires_at || now - s.last_seen_at > lifetime.idle_ms {
        entity::Entity::delete_by_id(hash).exec(db).await?;
        return Ok(None);
    }
    // Touch at most once a minute: a page view should not always be a write.
    if now - s.last_seen_at > 60_000 {
        let mut am: entity::ActiveModel = s.clone().into();
        am.last_seen_at = Set(now);
        am.update(db).await?;
    }
    Ok(Some(s))
}

pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    entity::Entity::delete_by_id(token_hash(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (after a password change, reset or disabling).
pub async fn end_all_of_user(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), DbErr> {
    let mut q = entity::Entity::delete_many().filter(entity::Column::UserId.eq(user_id));
    if let Some(k) = keep {
        q = q.filter(entity::Column::TokenHash.ne(token_hash(k)));
    }
    q.exec(db).await?;
    Ok(())
}

pub fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
