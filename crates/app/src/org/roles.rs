//! Roles (角色): permission strings and a data scope.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
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
    /// Only when creating: the role's permanent key (权限字符).
    #[serde(default)]
    pub role_key: String,
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

/// The key of a new role: lower-case letters, digits and `_`, starting with a letter.
pub fn validate_key(key: &str, e: &mut FieldErrors) -> String {
    let key = key.trim();
    let ok = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= 30;
    if key.is_empty() {
        e.add("role_key", "请填写权限字符");
    } else if !ok {
        e.add(
            "role_key",
            "权限字符须以小写字母开头，只含小写字母、数字和“_”，最多30个字符",
        );
    }
    key.to_owned()
}

pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    input: &Input,
) -> Result<Result<role::Model, FieldErrors>, AppError> {
    let mut e = FieldErrors::default();
    let key = validate_key(&input.role_key, &mut e);
    let taken = role::Entity::find()
        .filter(role::Column::RoleKey.eq(key.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        e.add("role_key", format!("权限字符“{key}”已被使用"));
    }
    let v = match validate(input) {
        Ok(v) if e.is_empty() => v,
        Ok(_) => return Ok(Err(e)),
        Err(more) => {
            e.0.extend(more.0);
            return Ok(Err(e));
        }
    };
    let order = all(db)
        .await?
        .iter()
        .map(|r| r.sort_order)
        .max()
        .unwrap_or(0)
        + 1;
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(db, actor, "org.role.create").await?;
    let r = tx
        .insert(role::ActiveModel {
            role_key: Set(key),
            name: Set(v.name),
            permissions: Set(v.permissions),
            data_scope: Set(v.scope.key().to_owned()),
            sort_order: Set(order),
            builtin: Set(false),
            remark: Set(v.remark),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
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
        json!([]),
        json!(v.departments),
        stmts,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(r))
}

/// Deletes a role nobody holds; built-in roles stay. `Err` says why not.
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor,
    r: role::Model,
) -> Result<Result<(), String>, AppError> {
    if r.builtin {
        return Ok(Err(format!("“{}”是内置角色，不能删除", r.name)));
    }
    let holders = super::users::link_ids(db, "user_role", "role_id", r.id, "user_id").await?;
    if !holders.is_empty() {
        return Ok(Err(format!(
            "仍有{}个用户拥有角色“{}”，请先调整这些用户的角色",
            holders.len(),
            r.name
        )));
    }
    let departments = custom_departments(db, r.id).await?;
    let mut tx = AuditedTx::begin(db, actor, "org.role.delete").await?;
    let stmts = super::users::replace_links(
        tx.reader(),
        "role_department",
        "role_id",
        r.id,
        "department_id",
        &[],
    );
    tx.write_part(
        ("role", &r.id.to_string()),
        "departments",
        json!(departments),
        json!([]),
        stmts,
    )
    .await?;
    tx.delete::<role::ActiveModel>(r).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_keys_are_plain_identifiers() {
        for ok in ["supervisor", "ledger_clerk2"] {
            let mut e = FieldErrors::default();
            assert_eq!(validate_key(ok, &mut e), ok);
            assert!(e.is_empty());
        }
        for bad in ["", "2nd", "Supervisor", "督查", "a-b"] {
            let mut e = FieldErrors::default();
            validate_key(bad, &mut e);
            assert!(e.has("role_key"), "{bad}");
        }
    }

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

/// The setting (not on 参数设置) that records which version of the built-in permissions this
/// database has received.
pub const BUILTIN_VERSION_KEY: &str = "system.builtin_permissions_version";

/// Built-in roles' permission lists with the later additions a role has not had yet: pure.
/// `applied` is the version the database has received; returns the new list when it changes.
pub fn with_additions(role_key: &str, permissions: &str, applied: u32) -> Option<String> {
    let mut list: Vec<&str> = permissions.split_whitespace().collect();
    if list.contains(&"*") {
        return None;
    }
    let before = list.len();
    for (version, key, permission) in permissions::ADDED_TO_BUILTIN {
        if *version > applied && *key == role_key && !list.contains(permission) {
            list.push(permission);
        }
    }
    (list.len() > before).then(|| list.join(" "))
}

/// Gives the built-in roles of an older database the permissions added since (once, audited), and
/// records the version. Returns the keys of the roles changed.
pub async fn upgrade_builtin(
    db: &DatabaseConnection,
) -> Result<Vec<String>, crate::db::audited::AuditedError> {
    let applied: u32 = crate::settings::get(db, BUILTIN_VERSION_KEY)
        .await?
        .parse()
        .unwrap_or(1);
    if applied >= permissions::BUILTIN_VERSION {
        return Ok(Vec::new());
    }
    let mut tx = AuditedTx::begin(db, Actor::system("升级"), "system.upgrade.permissions").await?;
    let mut changed = Vec::new();
    let builtin = role::Entity::find()
        .filter(role::Column::Builtin.eq(true))
        .all(tx.reader())
        .await?;
    for r in builtin {
        if let Some(list) = with_additions(&r.role_key, &r.permissions, applied) {
            let mut am = r.clone().into_active_model();
            am.permissions = Set(list);
            am.updated_at = Set(crate::db::now_ms());
            tx.update(&r, am).await?;
            changed.push(r.role_key);
        }
    }
    crate::settings::write_in(
        &mut tx,
        BUILTIN_VERSION_KEY,
        permissions::BUILTIN_VERSION.to_string(),
        crate::db::now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod upgrade_tests {
    use super::*;

    #[test]
    fn later_permissions_are_added_once_and_never_twice() {
        let old = "ledger:inspection:list org:dept:list audit:event:list";
        let new = with_additions("discipline_inspector", old, 1).unwrap();
        assert!(new.starts_with(old));
        assert!(new.contains("audit:integrity:view") && new.contains("similarity:library:list"));
        assert_eq!(with_additions("discipline_inspector", &new, 1), None);
        assert_eq!(
            with_additions("discipline_inspector", old, 2),
            None,
            "already received"
        );
        assert_eq!(with_additions("admin", "*", 1), None);
        assert_eq!(with_additions("applicant", "", 1), None);
    }
}
