//! 参数设置: settings with defaults, stored only when changed.

pub mod catalogue;
mod pages;

pub use pages::routes;
use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, EntityTrait};

pub mod entity {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "setting")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub value: String,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::audited::Audited for Model {
        const OBJECT_TYPE: &'static str = "setting";
        fn object_id(&self) -> String {
            self.key.clone()
        }
    }
}

/// The value of a setting: the stored one, or the default.
pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<String, DbErr> {
    let stored = entity::Entity::find_by_id(key.to_owned()).one(db).await?;
    Ok(match stored {
        Some(s) => s.value,
        None => catalogue::find(key)
            .map(|d| d.default.to_owned())
            .unwrap_or_default(),
    })
}

pub async fn get_int(db: &impl ConnectionTrait, key: &str) -> Result<i64, DbErr> {
    let v = get(db, key).await?;
    let default = catalogue::find(key)
        .and_then(|d| d.default.parse().ok())
        .unwrap_or(0);
    Ok(v.parse().unwrap_or(default))
}

pub async fn get_bool(db: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    Ok(get(db, key).await? == "true")
}

/// Writes one setting inside an audited transaction (insert when it still has its default).
pub async fn write_in(
    tx: &mut crate::db::audited::AuditedTx,
    key: &str,
    value: String,
    now: i64,
) -> Result<(), crate::db::audited::AuditedError> {
    use sea_orm::{IntoActiveModel, Set};
    match entity::Entity::find_by_id(key.to_owned())
        .one(tx.reader())
        .await?
    {
        Some(before) => {
            let mut am = before.clone().into_active_model();
            am.value = Set(value);
            am.updated_at = Set(now);
            tx.update(&before, am).await?;
        }
        None => {
            tx.insert(entity::ActiveModel {
                key: Set(key.to_owned()),
                value: Set(value),
                updated_at: Set(now),
            })
            .await?;
        }
    }
    Ok(())
}
