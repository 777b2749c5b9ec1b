//! Roles (角色): permission strings and a data scope.

use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryOrder,
};
use serde::Deserialize;
use serde_json::json;

use super::entities::role;
use super::permissions;
use super::scope::DataScope;
use crate::db::audited::{Actor, AuditedTx};
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};

pub async fn custom_departments(
    db: &impl ConnectionTrait,
    role_id: i64,
) -> Result<Vec<i64>, DbErr> {
    super::users::link_ids(db, "role_department", "role_id", role_id, "department_id").await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<role::Model>, DbErr> {
    role::Entity::find()
        .order_by_asc(role::Column::SortOrder)
        .order_by_asc(role::Column::Id)
        .all(db)
        .await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Input {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub data_scope: String,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub remark: String,
}

pub struct Valid {
    pub name: String,
    pub scope: DataScope,
    pub permissions: String,
    pub departments: Vec<i64>,
    pub remark: Option<String>,
}

pub fn validate(input: &Input) -> Result<Valid, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = form::required(&mut e, "name", "角色名称", &input.name, 30);
    let scope = DataScope::parse(&input.data_scope).unwrap_or_else(|| {
        e.add("data_scope", "请选择数据权限");
        DataScope::SelfOnly
    });
    let mut perms: Vec<&str> = input
        .permissions
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    perms.sort_unstable();
    perms.dedup();
    if let Some(bad) = perms.iter().find(|p| !permissions::is_known(p)) {
        e.add("permissions", format!("未知的权限标识：{bad}"));
    }
    let mut departments = Vec::new();
    for d in input.departments.iter().filter(|d| !d.trim().is_empty()) {
        match d.trim().parse::<i64>() {
            Ok(id) => departments.push(id),
            Err(_) => e.add("departments", format!("部门无效：{d}")),
        }
    }
    if scope == DataScope::Custom && departments.is_empty() {
        e.add("departments", "自定义数据权限须至少选择一个部门");
    }
    if scope != DataScope::Custom {
        departments.clear();
    }
    let remark = form::optional(&mut e, "remark", "备注", &input.remark, 200);
    if e.is_empty() {
        Ok(Valid {
            name,
            scope,
            permissions: perms.join(" "),
            departments,
            remark,
        })
    } else {
        Err(e)
    }
}

pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    before: &role::Model,
    input: &Input,
) -> Result<Result<role::Model, FieldErrors>, AppError> {
    let v = match validate(input) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if before.role_key == "admin" && v.permissions != "*" {
        let mut e = FieldErrors::default();
        e.add(
            "permissions",
            "系统管理员角色必须保留全部权限，否则可能无人能管理系统",
        );
        return Ok(Err(e));
    }
    let departments_before = custom_departments(db, before.id).await?;
    let mut tx = AuditedTx::begin(db, actor, "org.role.update").await?;
    let mut am = before.clone().into_active_model();
    am.name = Set(v.name);
    am.data_scope = Set(v.scope.key().to_owned());
    am.permissions = Set(v.permissions);
    am.remark = Set(v.remark);
    am.updated_at = Set(crate::db::now_ms());
    let r = tx.update(before, am).await?;
    let stmts = super::users::replace_links(
        tx.reader(),
        "role_department",
        "role_id",
        r.id,
        "department_id",
        &v.departments,
    );
    tx.write_part(
        ("role", &r.id.to_string()),
        "departments",
        json!(departments_before),
        json!(v.departments),
        stmts,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_scope_needs_departments_and_permissions_must_exist() {
        let i = Input {
            name: "督查员".into(),
            data_scope: "custom".into(),
            permissions: vec!["org:user:list".into(), "org:user:fly".into()],
            ..Default::default()
        };
        let e = validate(&i).err().unwrap();
        assert_eq!(e.get("permissions"), "未知的权限标识：org:user:fly");
        assert_eq!(e.get("departments"), "自定义数据权限须至少选择一个部门");
    }

    #[test]
    fn departments_only_kept_for_custom_scope() {
        let i = Input {
            name: "科员".into(),
            data_scope: "department".into(),
            permissions: vec!["org:user:list".into()],
            departments: vec!["3".into()],
            ..Default::default()
        };
        let v = validate(&i).ok().unwrap();
        assert!(v.departments.is_empty());
        assert_eq!(v.permissions, "org:user:list");
    }
}
