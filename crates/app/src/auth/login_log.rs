//! 登录日志: every login attempt, successful or not.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: i64,
        pub username: String,
        pub user_id: Option<i64>,
        pub ip: String,
        pub user_agent: String,
        pub success: bool,
        pub message: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn record(
    db: &impl ConnectionTrait,
    username: &str,
    user_id: Option<i64>,
    ip: &str,
    user_agent: &str,
    success: bool,
    message: &str,
) -> Result<(), DbErr> {
    use super::session::truncate;
    entity::ActiveModel {
        at: Set(crate::db::now_ms()),
        username: Set(truncate(username, 100)),
        user_id: Set(user_id),
        ip: Set(truncate(ip, 64)),
        user_agent: Set(truncate(user_agent, 300)),
        success: Set(success),
        message: Set(truncate(message, 200)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
