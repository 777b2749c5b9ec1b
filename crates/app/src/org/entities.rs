//! The organisation's tables: departments, users, roles.

pub mod department {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(
        Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize, utoipa::ToSchema,
    )]
    #[schema(as = Department)]
    #[sea_orm(table_name = "department")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        pub name: String,
        pub kind: String,
        pub code: String,
        pub sort_order: i32,
        pub phone: Option<String>,
        pub status: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::audited::Audited for Model {
        const OBJECT_TYPE: &'static str = "department";
        fn object_id(&self) -> String {
            self.id.to_string()
        }
    }
}

pub mod user {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "app_user")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub username: String,
        pub name: String,
        pub department_id: i64,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub password_hash: String,
        pub must_change_password: bool,
        pub status: String,
        pub failed_logins: i32,
        pub locked_until: Option<i64>,
        pub last_login_at: Option<i64>,
        pub password_changed_at: i64,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::audited::Audited for Model {
        const OBJECT_TYPE: &'static str = "user";
        fn object_id(&self) -> String {
            self.id.to_string()
        }
        fn is_secret(field: &str) -> bool {
            field == "password_hash"
        }
    }
}

pub mod role {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "role")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub role_key: String,
        pub name: String,
        /// Permission strings separated by spaces; `*` is every permission.
        pub permissions: String,
        pub data_scope: String,
        pub sort_order: i32,
        pub builtin: bool,
        pub remark: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::audited::Audited for Model {
        const OBJECT_TYPE: &'static str = "role";
        fn object_id(&self) -> String {
            self.id.to_string()
        }
    }

    impl Model {
        pub fn permission_list(&self) -> impl Iterator<Item = &str> {
            self.permissions.split_whitespace()
        }
    }
}
