//! Users (用户): who they are, their department, roles and 代管 departments.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entities::{role, user};
use super::scope::Scope;
use crate::db::audited::{Actor, AuditedTx};
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};
use crate::web::list::Paging;

pub async fn role_ids_of(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<i64>, DbErr> {
    link_ids(db, "user_role", "user_id", user_id, "role_id").await
}

pub async fn covered_departments(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<i64>, DbErr> {
    link_ids(
        db,
        "user_covered_department",
        "user_id",
        user_id,
        "department_id",
    )
    .await
}

pub(super) async fn link_ids(
    db: &impl ConnectionTrait,
    table: &'static str,
    key: &'static str,
    id: i64,
    value: &'static str,
) -> Result<Vec<i64>, DbErr> {
    let q = Query::select()
        .column(value)
        .from(table)
        .and_where(Expr::col(key).eq(id))
        .order_by(value, sea_orm::sea_query::Order::Asc)
        .to_owned();
    let rows = db.query_all(&q).await?;
    rows.iter().map(|r| r.try_get::<i64>("", value)).collect()
}

/// Statements that replace the rows of a link table for one owner.
pub(crate) fn replace_links(
    db: &impl ConnectionTrait,
    table: &'static str,
    key: &'static str,
    id: i64,
    value: &'static str,
    values: &[i64],
) -> Vec<Statement> {
    let b = db.get_database_backend();
    let mut out = vec![
        b.build(
            &Query::delete()
                .from_table(table)
                .and_where(Expr::col(key).eq(id))
                .to_owned(),
        ),
    ];
    if !values.is_empty() {
        let mut ins = Query::insert()
            .into_table(table)
            .columns([key, value])
            .to_owned();
        for v in values {
            ins.values_panic([id.into(), (*v).into()]);
        }
        out.push(b.build(&ins));
    }
    out
}

/// Statements removing every link to a department that is being deleted.
pub(super) fn unlink_department_statements(
    db: &impl ConnectionTrait,
    department_id: i64,
) -> Vec<Statement> {
    let b = db.get_database_backend();
    ["role_department", "user_covered_department"]
        .into_iter()
        .map(|t| {
            b.build(
                &Query::delete()
                    .from_table(t)
                    .and_where(Expr::col("department_id").eq(department_id))
                    .to_owned(),
            )
        })
        .collect()
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = UserInput)]
pub struct Input {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub status: String,
    /// Role ids.
    #[serde(default)]
    pub roles: Vec<String>,
    /// 代管 department ids.
    #[serde(default)]
    pub covered: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub username: String,
    pub name: String,
    pub department_id: i64,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: String,
    pub roles: Vec<i64>,
    pub covered: Vec<i64>,
}

fn ids(e: &mut FieldErrors, field: &str, label: &str, raw: &[String]) -> Vec<i64> {
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        match r.trim().parse::<i64>() {
            Ok(id) => out.push(id),
            Err(_) => e.add(field, format!("{label}无效：{r}")),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

pub fn validate(input: &Input) -> Result<Valid, FieldErrors> {
    let mut e = FieldErrors::default();
    let username = form::required(&mut e, "username", "用户名", &input.username, 30);
    let well_formed = username
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if !username.is_empty() && !well_formed {
        e.add(
            "username",
            "用户名须以字母开头，只能包含字母、数字、“_”“.”“-”",
        );
    }
    let name = form::required(&mut e, "name", "姓名", &input.name, 30);
    let department_id = input
        .department_id
        .trim()
        .parse::<i64>()
        .unwrap_or_else(|_| {
            e.add("department_id", "请选择所属部门");
            0
        });
    let phone = form::phone(&mut e, "phone", &input.phone);
    let email = form::optional(&mut e, "email", "电子邮箱", &input.email, 100);
    if let Some(m) = &email {
        let ok = m
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.starts_with('.'));
        if !ok {
            e.add("email", format!("电子邮箱“{m}”格式不正确"));
        }
    }
    let status = match input.status.as_str() {
        "" | "active" => "active",
        "disabled" => "disabled",
        _ => {
            e.add("status", "状态只能是正常或停用");
            "active"
        }
    };
    let roles = ids(&mut e, "roles", "角色", &input.roles);
    let covered = ids(&mut e, "covered", "代管部门", &input.covered);
    if e.is_empty() {
        Ok(Valid {
            username,
            name,
            department_id,
            phone,
            email,
            status: status.into(),
            roles,
            covered,
        })
    } else {
        Err(e)
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub status: String,
}

pub const SORTABLE: [&str; 4] = ["username", "name", "department_id", "last_login_at"];

/// Users in the viewer's scope matching the filter, one page of them, and the total.
pub async fn search(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &Filter,
    p: &Paging,
) -> Result<(Vec<user::Model>, u64), DbErr> {
    let mut q = user::Entity::find()
        .filter(scope.condition(user::Column::DepartmentId, Some(user::Column::Id)));
    let text = f.q.trim();
    if !text.is_empty() {
        q = q.filter(
            sea_orm::Condition::any()
                .add(user::Column::Username.contains(text))
                .add(user::Column::Name.contains(text))
                .add(user::Column::Phone.contains(text)),
        );
    }
    if let Ok(d) = f.department_id.parse::<i64>() {
        q = q.filter(user::Column::DepartmentId.eq(d));
    }
    if f.status == "active" || f.status == "disabled" {
        q = q.filter(user::Column::Status.eq(f.status.as_str()));
    }
    let total = q.clone().count(db).await?;
    let col = match p.sort.as_deref() {
        Some("username") => user::Column::Username,
        Some("name") => user::Column::Name,
        Some("department_id") => user::Column::DepartmentId,
        Some("last_login_at") => user::Column::LastLoginAt,
        _ => user::Column::Id,
    };
    q = if p.desc {
        q.order_by_desc(col)
    } else {
        q.order_by_asc(col)
    };
    let rows = q
        .order_by_asc(user::Column::Id)
        .offset(p.offset())
        .limit(p.size)
        .all(db)
        .await?;
    Ok((rows, total))
}

pub async fn get_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id)
        .filter(scope.condition(user::Column::DepartmentId, Some(user::Column::Id)))
        .one(db)
        .await
}

/// Adds the error if another user has this name already.
async fn username_taken(
    db: &impl ConnectionTrait,
    username: &str,
    editing: Option<i64>,
    e: &mut FieldErrors,
) -> Result<(), DbErr> {
    let same = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .one(db)
        .await?;
    if same.is_some_and(|u| Some(u.id) != editing) && !e.0.contains_key("username") {
        e.add("username", format!("用户名“{}”已被使用", username.trim()));
    }
    Ok(())
}

/// Validates without and then with the database; the user sees every problem at once.
pub(super) async fn validate_all(
    db: &impl ConnectionTrait,
    scope: &Scope,
    input: &Input,
    editing: Option<i64>,
) -> Result<Result<Valid, FieldErrors>, DbErr> {
    match validate(input) {
        Ok(v) => {
            let mut e = FieldErrors::default();
            check_against_db(db, scope, &v, editing, &mut e).await?;
            Ok(if e.is_empty() { Ok(v) } else { Err(e) })
        }
        Err(mut e) => {
            username_taken(db, &input.username, editing, &mut e).await?;
            Ok(Err(e))
        }
    }
}

async fn check_against_db(
    db: &impl ConnectionTrait,
    scope: &Scope,
    v: &Valid,
    editing: Option<i64>,
    e: &mut FieldErrors,
) -> Result<(), DbErr> {
    username_taken(db, &v.username, editing, e).await?;
    if v.department_id != 0
        && super::departments::get_in_scope(db, scope, v.department_id)
            .await?
            .is_none()
    {
        e.add("department_id", "所属部门不存在或不在您的数据权限内");
    }
    let known = role::Entity::find()
        .filter(role::Column::Id.is_in(v.roles.clone()))
        .count(db)
        .await?;
    if known as usize != v.roles.len() {
        e.add("roles", "所选角色不存在");
    }
    for d in &v.covered {
        if super::departments::get_in_scope(db, scope, *d)
            .await?
            .is_none()
        {
            e.add("covered", "代管部门不存在或不在您的数据权限内");
        }
    }
    Ok(())
}

/// Who may grant roles: only a user who may edit roles can hand them out (no escalation by a
/// department head editing a user).
pub(super) fn may_grant_roles(can_edit_roles: bool, before: &[i64], after: &[i64]) -> bool {
    can_edit_roles || before == after
}

pub struct Editor<'a> {
    pub db: &'a DatabaseConnection,
    pub scope: &'a Scope,
    pub actor: Actor,
    pub can_grant_roles: bool,
}

/// Creates a user with a one-time password (returned, to show once) that must be changed at first login.
pub async fn create(
    ed: Editor<'_>,
    input: &Input,
) -> Result<Result<(user::Model, String), FieldErrors>, AppError> {
    let v = match validate_all(ed.db, ed.scope, input, None).await? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut e = FieldErrors::default();
    if !may_grant_roles(ed.can_grant_roles, &[], &v.roles) {
        e.add("roles", "您没有分配角色的权限");
    }
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let mut tx = AuditedTx::begin(ed.db, ed.actor, "org.user.create").await?;
    let created = insert_new(&mut tx, v).await?;
    tx.commit().await?;
    Ok(Ok(created))
}

/// Inserts a validated new user with a one-time password (returned) inside `tx`.
pub(super) async fn insert_new(
    tx: &mut AuditedTx,
    v: Valid,
) -> Result<(user::Model, String), AppError> {
    let password = crate::auth::password::one_time();
    let hash = crate::auth::password::hash(password.clone())
        .await
        .map_err(AppError::Internal)?;
    let now = crate::db::now_ms();
    let u = tx
        .insert(user::ActiveModel {
            username: Set(v.username),
            name: Set(v.name),
            department_id: Set(v.department_id),
            phone: Set(v.phone),
            email: Set(v.email),
            password_hash: Set(hash),
            must_change_password: Set(true),
            status: Set(v.status),
            failed_logins: Set(0),
            locked_until: Set(None),
            last_login_at: Set(None),
            password_changed_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    set_links(tx, u.id, &[], &v.roles, &[], &v.covered).await?;
    Ok((u, password))
}

async fn set_links(
    tx: &mut AuditedTx,
    user_id: i64,
    roles_before: &[i64],
    roles: &[i64],
    covered_before: &[i64],
    covered: &[i64],
) -> Result<(), AppError> {
    let id = user_id.to_string();
    let stmts = replace_links(
        tx.reader(),
        "user_role",
        "user_id",
        user_id,
        "role_id",
        roles,
    );
    tx.write_part(
        ("user", &id),
        "roles",
        json!(roles_before),
        json!(roles),
        stmts,
    )
    .await?;
    let stmts = replace_links(
        tx.reader(),
        "user_covered_department",
        "user_id",
        user_id,
        "department_id",
        covered,
    );
    tx.write_part(
        ("user", &id),
        "covered_departments",
        json!(covered_before),
        json!(covered),
        stmts,
    )
    .await?;
    Ok(())
}

pub async fn update(
    ed: Editor<'_>,
    before: &user::Model,
    input: &Input,
) -> Result<Result<user::Model, FieldErrors>, AppError> {
    let v = match validate_all(ed.db, ed.scope, input, Some(before.id)).await? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut e = FieldErrors::default();
    let roles_before = role_ids_of(ed.db, before.id).await?;
    let covered_before = covered_departments(ed.db, before.id).await?;
    if !may_grant_roles(ed.can_grant_roles, &roles_before, &v.roles) {
        e.add("roles", "您没有分配角色的权限");
    }
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let mut tx = AuditedTx::begin(ed.db, ed.actor, "org.user.update").await?;
    let mut am = before.clone().into_active_model();
    am.username = Set(v.username);
    am.name = Set(v.name);
    am.department_id = Set(v.department_id);
    am.phone = Set(v.phone);
    am.email = Set(v.email);
    am.status = Set(v.status.clone());
    am.updated_at = Set(crate::db::now_ms());
    let u = tx.update(before, am).await?;
    set_links(
        &mut tx,
        u.id,
        &roles_before,
        &v.roles,
        &covered_before,
        &v.covered,
    )
    .await?;
    tx.commit().await?;
    if v.status == "disabled" {
        crate::auth::session::end_all_of_user(ed.db, u.id, None).await?;
    }
    Ok(Ok(u))
}

pub async fn delete(ed: Editor<'_>, u: user::Model) -> Result<(), AppError> {
    let roles_before = role_ids_of(ed.db, u.id).await?;
    let covered_before = covered_departments(ed.db, u.id).await?;
    crate::auth::session::end_all_of_user(ed.db, u.id, None).await?;
    let mut tx = AuditedTx::begin(ed.db, ed.actor, "org.user.delete").await?;
    set_links(&mut tx, u.id, &roles_before, &[], &covered_before, &[]).await?;
    tx.delete::<user::ActiveModel>(u).await?;
    tx.commit().await?;
    Ok(())
}

/// Resets a user's password to a new one-time password (returned, to show once).
pub async fn reset_password(ed: Editor<'_>, u: &user::Model) -> Result<String, AppError> {
    let password = crate::auth::password::one_time();
    let hash = crate::auth::password::hash(password.clone())
        .await
        .map_err(AppError::Internal)?;
    let tx = AuditedTx::begin(ed.db, ed.actor, "org.user.reset_password").await?;
    let mut am = u.clone().into_active_model();
    am.password_hash = Set(hash);
    am.must_change_password = Set(true);
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    am.updated_at = Set(crate::db::now_ms());
    tx.commit_update(u, am).await?;
    crate::auth::session::end_all_of_user(ed.db, u.id, None).await?;
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        Input {
            username: "zhang.wei".into(),
            name: "张伟".into(),
            department_id: "3".into(),
            phone: "13812345678".into(),
            email: "zw@kjj.gov.cn".into(),
            status: "active".into(),
            roles: vec!["2".into(), "2".into(), "4".into()],
            covered: vec![],
        }
    }

    #[test]
    fn good_input_is_normalised() {
        let v = validate(&input()).unwrap();
        assert_eq!(v.roles, vec![2, 4]);
        assert_eq!(v.department_id, 3);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut i = input();
        i.username = "1abc".into();
        i.name = "长".repeat(31);
        i.department_id = "".into();
        i.phone = "1381234".into();
        i.email = "zw@".into();
        i.roles = vec!["x".into()];
        let e = validate(&i).unwrap_err();
        for f in [
            "username",
            "name",
            "department_id",
            "phone",
            "email",
            "roles",
        ] {
            assert!(!e.get(f).is_empty(), "{f}");
        }
    }

    #[test]
    fn only_role_editors_change_roles() {
        assert!(may_grant_roles(false, &[1, 2], &[1, 2]));
        assert!(!may_grant_roles(false, &[1], &[1, 2]));
        assert!(may_grant_roles(true, &[1], &[1, 2]));
    }
}
