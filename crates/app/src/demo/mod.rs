//! First start and demo data.
//!
//! On a first start without demo, the platform has one top department and `admin` with a random
//! one-time password (printed once). With demo, a realistic fictional bureau is generated
//! deterministically from a seed; every demo account's password is `Demo@2026`. Later features add
//! their demo content here, through the same audited writes as everything else.

use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use crate::db::audited::{Actor, AuditedTx};
use crate::org::entities::{department, role, user};
use crate::org::permissions::BUILTIN_ROLES;

pub const DEMO_PASSWORD: &str = "Demo@2026";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Small,
    City,
    Province,
}

/// A demo account, as printed on the console.
pub struct Account {
    pub username: String,
    pub name: String,
    pub role: String,
    pub department: String,
}

/// Creates the built-in roles that do not exist yet; in a database that has them, gives them the
/// permissions added since it was made.
pub async fn ensure_builtin_roles(db: &DatabaseConnection) -> anyhow::Result<()> {
    let existing: Vec<String> = role::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role_key)
        .collect();
    let missing: Vec<_> = BUILTIN_ROLES
        .iter()
        .filter(|r| !existing.iter().any(|k| k == r.key))
        .collect();
    if !existing.is_empty() {
        crate::org::roles::upgrade_builtin(db).await?;
    }
    if missing.is_empty() {
        return Ok(());
    }
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(db, Actor::system("初始化"), "system.init.roles").await?;
    for (i, r) in missing.into_iter().enumerate() {
        tx.insert(role::ActiveModel {
            role_key: Set(r.key.into()),
            name: Set(r.name.into()),
            permissions: Set(r.permissions.into()),
            data_scope: Set(r.scope.key().into()),
            sort_order: Set(i as i32 + 1),
            builtin: Set(true),
            remark: Set(Some(r.remark.into())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    }
    if existing.is_empty() {
        // Roles created now have every permission of this version.
        crate::settings::write_in(
            &mut tx,
            crate::org::roles::BUILTIN_VERSION_KEY,
            crate::org::permissions::BUILTIN_VERSION.to_string(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn role_id(db: &DatabaseConnection, key: &str) -> anyhow::Result<i64> {
    role::Entity::find()
        .filter(role::Column::RoleKey.eq(key))
        .one(db)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| anyhow::anyhow!("内置角色{key}缺失"))
}

pub async fn has_users(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(user::Entity::find().count(db).await? > 0)
}

/// First start outside demo mode: the top department and `admin` with a one-time password, returned
/// so it can be printed once. Does nothing (returns `None`) if there are users already.
pub async fn first_start(db: &DatabaseConnection) -> anyhow::Result<Option<String>> {
    ensure_builtin_roles(db).await?;
    if has_users(db).await? {
        return Ok(None);
    }
    let password = crate::auth::password::one_time();
    let hash = crate::auth::password::hash(password.clone()).await?;
    let mut g = Generator::new(db, "system.init.admin").await?;
    let top = g.department(None, "科学技术局", "KJJ", "bureau").await?;
    g.user("admin", "系统管理员", top.id, &hash, true, &["admin"], &[])
        .await?;
    g.finish().await?;
    Ok(Some(password))
}

struct Generator {
    tx: AuditedTx,
    now: i64,
    roles: Vec<(String, i64)>,
    order: i32,
}

impl Generator {
    async fn new(db: &DatabaseConnection, action: &str) -> anyhow::Result<Self> {
        let mut roles = Vec::new();
        for r in BUILTIN_ROLES {
            roles.push((r.key.to_owned(), role_id(db, r.key).await?));
        }
        Ok(Generator {
            tx: AuditedTx::begin(db, Actor::system("演示数据"), action).await?,
            now: crate::db::now_ms(),
            roles,
            order: 0,
        })
    }

    async fn department(
        &mut self,
        parent: Option<i64>,
        name: &str,
        code: &str,
        kind: &str,
    ) -> anyhow::Result<department::Model> {
        self.order += 1;
        Ok(self
            .tx
            .insert(department::ActiveModel {
                parent_id: Set(parent),
                name: Set(name.into()),
                kind: Set(kind.into()),
                code: Set(code.into()),
                sort_order: Set(self.order),
                phone: Set(None),
                status: Set("active".into()),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            })
            .await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn user(
        &mut self,
        username: &str,
        name: &str,
        department_id: i64,
        hash: &str,
        must_change: bool,
        roles: &[&str],
        covered: &[i64],
    ) -> anyhow::Result<user::Model> {
        let u = self
            .tx
            .insert(user::ActiveModel {
                username: Set(username.into()),
                name: Set(name.into()),
                department_id: Set(department_id),
                phone: Set(None),
                email: Set(None),
                password_hash: Set(hash.into()),
                must_change_password: Set(must_change),
                status: Set("active".into()),
                failed_logins: Set(0),
                locked_until: Set(None),
                last_login_at: Set(None),
                password_changed_at: Set(self.now),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            })
            .await?;
        let role_ids: Vec<i64> = roles
            .iter()
            .filter_map(|k| {
                self.roles
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, id)| *id)
            })
            .collect();
        let reader = self.tx.reader();
        let stmts = crate::org::users::replace_links(
            reader,
            "user_role",
            "user_id",
            u.id,
            "role_id",
            &role_ids,
        );
        let id = u.id.to_string();
        self.tx
            .write_part(("user", &id), "roles", json!([]), json!(role_ids), stmts)
            .await?;
        if !covered.is_empty() {
            let stmts = crate::org::users::replace_links(
                self.tx.reader(),
                "user_covered_department",
                "user_id",
                u.id,
                "department_id",
                covered,
            );
            self.tx
                .write_part(
                    ("user", &id),
                    "covered_departments",
                    json!([]),
                    json!(covered),
                    stmts,
                )
                .await?;
        }
        Ok(u)
    }

    async fn finish(self) -> anyhow::Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "晓东", "海燕", "志强", "红梅", "国庆",
    "春雨",
];

fn person(rng: &mut ChaCha8Rng) -> String {
    let s = SURNAMES.choose(rng).copied().unwrap_or("王");
    let g = GIVEN.choose(rng).copied().unwrap_or("伟");
    format!("{s}{g}")
}

/// The departments of one bureau (处室 and 下属单位).
const OFFICES: &[(&str, &str, &str)] = &[
    ("办公室", "BGS", "department"),
    ("政策法规处", "ZCFG", "department"),
    ("高新技术处", "GXJS", "department"),
    ("农村科技处", "NCKJ", "department"),
    ("社会发展科技处", "SHFZ", "department"),
    ("成果转化处", "CGZH", "department"),
    ("人事处", "RSC", "department"),
    ("机关党委", "JGDW", "department"),
    ("驻局纪检监察组", "JJZ", "department"),
    ("科技情报研究所", "QBS", "subordinate"),
    ("生产力促进中心", "SCL", "subordinate"),
    ("外部用户（申报单位、专家）", "WB", "subordinate"),
];

/// Fills an empty database with a fictional bureau (滨海市科学技术局) and its accounts.
pub async fn generate(
    db: &DatabaseConnection,
    scale: Scale,
    seed: u64,
) -> anyhow::Result<Vec<Account>> {
    ensure_builtin_roles(db).await?;
    if has_users(db).await? {
        anyhow::bail!("数据库中已有用户，演示数据只能生成到空数据库中");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let hash = crate::auth::password::hash(DEMO_PASSWORD.into()).await?;
    let mut g = Generator::new(db, "system.demo").await?;
    let mut accounts = Vec::new();
    let mut first_bureau: Option<(i64, Vec<(String, i64)>)> = None;
    let province = match scale {
        Scale::Province => Some(
            g.department(None, "海东省科学技术厅", "HD-KJT", "province")
                .await?,
        ),
        _ => None,
    };
    let cities: &[(&str, &str)] = match scale {
        Scale::Province => &[("滨海市", "BH"), ("云港市", "YG"), ("青川市", "QC")],
        _ => &[("滨海市", "BH")],
    };
    for (ci, (city, cc)) in cities.iter().enumerate() {
        let bureau = g
            .department(
                province.as_ref().map(|p| p.id),
                &format!("{city}科学技术局"),
                &format!("{cc}-KJJ"),
                "bureau",
            )
            .await?;
        let mut offices = Vec::new();
        for (name, code, kind) in OFFICES {
            offices.push(
                g.department(Some(bureau.id), name, &format!("{cc}-{code}"), kind)
                    .await?,
            );
        }
        let id_of = |code: &str| {
            offices
                .iter()
                .find(|d| d.code.ends_with(&format!("-{code}")))
                .map(|d| d.id)
                .unwrap_or(bureau.id)
        };
        if ci == 0 {
            let codes = OFFICES
                .iter()
                .map(|(_, code, _)| ((*code).to_owned(), id_of(code)))
                .collect();
            first_bureau = Some((bureau.id, codes));
        }
        let suffix = if ci == 0 {
            String::new()
        } else {
            format!("_{cc}").to_lowercase()
        };
        let add = |username: String,
                   role: &'static str,
                   label: &'static str,
                   dept: i64,
                   covered: Vec<i64>| (username, role, label, dept, covered);
        let mut plan = vec![
            add(
                format!("admin{suffix}"),
                "admin",
                "系统管理员",
                id_of("BGS"),
                vec![],
            ),
            add(
                format!("leader{suffix}"),
                "leader",
                "局领导（局长）",
                bureau.id,
                vec![],
            ),
            add(
                format!("deputy{suffix}"),
                "leader",
                "局领导（分管高新、成果转化）",
                id_of("BGS"),
                vec![id_of("GXJS"), id_of("CGZH")],
            ),
            add(
                format!("head{suffix}"),
                "dept_head",
                "处室负责人（高新技术处）",
                id_of("GXJS"),
                vec![],
            ),
            add(
                format!("clerk{suffix}"),
                "clerk",
                "经办人（高新技术处）",
                id_of("GXJS"),
                vec![],
            ),
            add(
                format!("clerk2{suffix}"),
                "clerk",
                "经办人（农村科技处）",
                id_of("NCKJ"),
                vec![],
            ),
            add(
                format!("inspector{suffix}"),
                "discipline_inspector",
                "纪检监察组",
                id_of("JJZ"),
                vec![],
            ),
            add(
                format!("auditor{suffix}"),
                "internal_auditor",
                "内审",
                id_of("BGS"),
                vec![],
            ),
            add(
                format!("applicant{suffix}"),
                "applicant",
                "申报单位",
                id_of("WB"),
                vec![],
            ),
            add(
                format!("expert{suffix}"),
                "expert",
                "专家",
                id_of("WB"),
                vec![],
            ),
        ];
        if scale != Scale::Small {
            for (i, (_, code, _)) in OFFICES.iter().take(8).enumerate() {
                plan.push(add(
                    format!("staff{suffix}_{i}"),
                    "clerk",
                    "经办人",
                    id_of(code),
                    vec![],
                ));
            }
        }
        // The first admin of a province also administers the whole province.
        if ci == 0 && scale == Scale::Province {
            plan[0].3 = province.as_ref().map(|p| p.id).unwrap_or(plan[0].3);
        }
        for (username, role, label, dept, covered) in plan {
            let name = person(&mut rng);
            g.user(&username, &name, dept, &hash, false, &[role], &covered)
                .await?;
            let department = offices
                .iter()
                .chain(std::iter::once(&bureau))
                .chain(province.iter())
                .find(|d| d.id == dept)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            accounts.push(Account {
                username,
                name,
                role: label.into(),
                department,
            });
        }
    }
    g.tx.insert(crate::settings::entity::ActiveModel {
        key: Set(DEMO_MARKER.into()),
        value: Set("true".into()),
        updated_at: Set(g.now),
    })
    .await?;
    g.finish().await?;
    // The ledger needs the departments committed; it is written by its own audited transactions.
    if let Some((bureau, codes)) = first_bureau {
        let office = |code: &str| {
            codes
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, id)| *id)
                .unwrap_or(bureau)
        };
        crate::ledger::demo::generate(db, bureau, &office, crate::calendar::today()).await?;
        crate::similarity::demo::generate(db, office).await?;
    }
    Ok(accounts)
}

/// The setting that marks a database filled with demo data, whose accounts share a public password.
const DEMO_MARKER: &str = "system.demo_data";

/// Whether this database holds demo data: it must then only be served in demo mode.
pub async fn is_demo_database(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(
        crate::settings::entity::Entity::find_by_id(DEMO_MARKER.to_owned())
            .one(db)
            .await?
            .is_some(),
    )
}

/// Every active account with its roles and department, for the console in demo mode.
pub async fn accounts(db: &DatabaseConnection) -> anyhow::Result<Vec<Account>> {
    let users = user::Entity::find()
        .filter(user::Column::Status.eq("active"))
        .all(db)
        .await?;
    let departments = department::Entity::find().all(db).await?;
    let roles = role::Entity::find().all(db).await?;
    let mut out = Vec::new();
    for u in users {
        let role_ids = crate::org::users::role_ids_of(db, u.id).await?;
        let role = roles
            .iter()
            .filter(|r| role_ids.contains(&r.id))
            .map(|r| r.name.clone())
            .collect::<Vec<_>>()
            .join("、");
        let department = departments
            .iter()
            .find(|d| d.id == u.department_id)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        out.push(Account {
            username: u.username,
            name: u.name,
            role,
            department,
        });
    }
    Ok(out)
}
