//! Departments (部门): the tree of a province's cities, bureaus, departments and subordinate units.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::entities::{department, user};
use super::scope::Scope;
use crate::db::audited::{Actor, AuditedTx};
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};

pub const KINDS: [(&str, &str); 5] = [
    ("province", "省级单位"),
    ("city", "市级单位"),
    ("bureau", "局"),
    ("department", "处室"),
    ("subordinate", "下属单位"),
];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("未知")
}

/// What a user submits for a department (form or JSON).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = DepartmentInput)]
pub struct Input {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub sort_order: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub status: String,
}

/// A department input that passed every rule that needs no database.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub name: String,
    pub code: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub sort_order: i32,
    pub phone: Option<String>,
    pub status: String,
}

/// The rules of a department's fields.
pub fn validate(input: &Input) -> Result<Valid, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = form::required(&mut e, "name", "部门名称", &input.name, 50);
    let code = form::required(&mut e, "code", "部门编码", &input.code, 50);
    if !code.is_empty()
        && !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        e.add("code", "部门编码只能包含字母、数字、“-”和“_”");
    }
    if !KINDS.iter().any(|(k, _)| *k == input.kind) {
        e.add("kind", "请选择部门类型");
    }
    let parent_id = match input.parent_id.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                e.add("parent_id", "上级部门无效");
                None
            }
        },
    };
    let sort_order = match input.sort_order.trim() {
        "" => 0,
        s => s.parse::<i32>().unwrap_or_else(|_| {
            e.add("sort_order", "显示顺序应为整数");
            0
        }),
    };
    let phone = form::phone(&mut e, "phone", &input.phone);
    let status = match input.status.as_str() {
        "" | "active" => "active",
        "disabled" => "disabled",
        _ => {
            e.add("status", "状态只能是正常或停用");
            "active"
        }
    };
    if e.is_empty() {
        Ok(Valid {
            name,
            code,
            kind: input.kind.clone(),
            parent_id,
            sort_order,
            phone,
            status: status.into(),
        })
    } else {
        Err(e)
    }
}

pub async fn list_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<department::Model>, DbErr> {
    department::Entity::find()
        .filter(scope.condition(department::Column::Id, None))
        .order_by_asc(department::Column::SortOrder)
        .order_by_asc(department::Column::Id)
        .all(db)
        .await
}

pub async fn get_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<department::Model>, DbErr> {
    department::Entity::find_by_id(id)
        .filter(scope.condition(department::Column::Id, None))
        .one(db)
        .await
}

/// Checks that need the database; adds messages to `e`.
async fn check_against_db(
    db: &impl ConnectionTrait,
    scope: &Scope,
    v: &Valid,
    editing: Option<i64>,
    e: &mut FieldErrors,
) -> Result<(), DbErr> {
    let same_code = department::Entity::find()
        .filter(department::Column::Code.eq(v.code.as_str()))
        .one(db)
        .await?;
    if same_code.is_some_and(|d| Some(d.id) != editing) {
        e.add("code", format!("部门编码“{}”已被使用", v.code));
    }
    match v.parent_id {
        Some(p) => {
            if get_in_scope(db, scope, p).await?.is_none() {
                e.add("parent_id", "上级部门不存在或不在您的数据权限内");
            } else if let Some(id) = editing {
                let tree = crate::auth::viewer::department_tree(db).await?;
                if tree.would_cycle(id, p) {
                    e.add("parent_id", "上级部门不能是本部门或其下级部门");
                }
            }
        }
        None => {
            if scope != &Scope::All {
                e.add("parent_id", "只有全部数据权限的用户可以新增顶级部门");
            }
        }
    }
    Ok(())
}

pub async fn create(
    db: &sea_orm::DatabaseConnection,
    scope: &Scope,
    actor: Actor,
    input: &Input,
) -> Result<Result<department::Model, FieldErrors>, AppError> {
    let v = match validate(input) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut e = FieldErrors::default();
    check_against_db(db, scope, &v, None, &mut e).await?;
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(db, actor, "org.department.create").await?;
    let model = tx
        .insert(department::ActiveModel {
            parent_id: Set(v.parent_id),
            name: Set(v.name),
            kind: Set(v.kind),
            code: Set(v.code),
            sort_order: Set(v.sort_order),
            phone: Set(v.phone),
            status: Set(v.status),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    tx.commit().await?;
    Ok(Ok(model))
}

pub async fn update(
    db: &sea_orm::DatabaseConnection,
    scope: &Scope,
    actor: Actor,
    before: &department::Model,
    input: &Input,
) -> Result<Result<department::Model, FieldErrors>, AppError> {
    let v = match validate(input) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut e = FieldErrors::default();
    // A top-level department keeps having no parent; anyone else needs a parent in scope.
    if !(before.parent_id.is_none() && v.parent_id.is_none()) {
        check_against_db(db, scope, &v, Some(before.id), &mut e).await?;
    }
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let tx = AuditedTx::begin(db, actor, "org.department.update").await?;
    let mut am = before.clone().into_active_model();
    am.parent_id = Set(v.parent_id);
    am.name = Set(v.name);
    am.kind = Set(v.kind);
    am.code = Set(v.code);
    am.sort_order = Set(v.sort_order);
    am.phone = Set(v.phone);
    am.status = Set(v.status);
    am.updated_at = Set(crate::db::now_ms());
    let model = tx.commit_update(before, am).await?;
    Ok(Ok(model))
}

/// Deletes a department that has no sub-departments and no users; otherwise says why not.
pub async fn delete(
    db: &sea_orm::DatabaseConnection,
    actor: Actor,
    d: department::Model,
) -> Result<Result<(), String>, AppError> {
    let children = department::Entity::find()
        .filter(department::Column::ParentId.eq(d.id))
        .count(db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::DepartmentId.eq(d.id))
        .count(db)
        .await?;
    if children > 0 || users > 0 {
        return Ok(Err(format!(
            "“{}”下还有{children}个下级部门、{users}个用户，请先移走后再删除",
            d.name
        )));
    }
    let mut tx = AuditedTx::begin(db, actor, "org.department.delete").await?;
    let statements = super::users::unlink_department_statements(db, d.id);
    tx.write_part(
        ("department", &d.id.to_string()),
        "links",
        serde_json::Value::Null,
        serde_json::Value::Null,
        statements,
    )
    .await?;
    tx.delete::<department::ActiveModel>(d).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Rows of the tree table: each department with its depth, children after their parent.
pub fn tree_rows(all: &[department::Model]) -> Vec<(usize, &department::Model)> {
    let ids: std::collections::BTreeSet<i64> = all.iter().map(|d| d.id).collect();
    let mut out = Vec::new();
    // Roots of the visible forest: departments whose parent is not visible.
    let roots: Vec<&department::Model> = all
        .iter()
        .filter(|d| d.parent_id.is_none_or(|p| !ids.contains(&p)))
        .collect();
    fn walk<'a>(
        d: &'a department::Model,
        depth: usize,
        all: &'a [department::Model],
        out: &mut Vec<(usize, &'a department::Model)>,
    ) {
        out.push((depth, d));
        for c in all.iter().filter(|c| c.parent_id == Some(d.id)) {
            walk(c, depth + 1, all, out);
        }
    }
    for r in roots {
        walk(r, 0, all, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        Input {
            name: "高新技术科".into(),
            code: "GXK".into(),
            kind: "department".into(),
            parent_id: "1".into(),
            sort_order: "3".into(),
            phone: "0411-83631234".into(),
            status: "active".into(),
        }
    }

    #[test]
    fn a_good_department_passes() {
        let v = validate(&input()).unwrap();
        assert_eq!(v.parent_id, Some(1));
        assert_eq!(v.sort_order, 3);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = Input {
            name: "".into(),
            code: "高新".into(),
            kind: "club".into(),
            parent_id: "x".into(),
            sort_order: "3.5".into(),
            phone: "12345".into(),
            status: "gone".into(),
        };
        let e = validate(&bad).unwrap_err();
        for f in [
            "name",
            "code",
            "kind",
            "parent_id",
            "sort_order",
            "phone",
            "status",
        ] {
            assert!(!e.get(f).is_empty(), "{f} should have a message");
        }
        assert_eq!(e.get("name"), "请填写部门名称");
    }
}
