//! Permission strings (menu → page → button, as Chinese administrators know them from RuoYi) and the
//! built-in roles.

use super::scope::DataScope;

/// Every permission the platform checks, with its label, grouped by page.
pub const CATALOGUE: &[(&str, &[(&str, &str)])] = &[
    (
        "整改台账",
        &[
            ("ledger:inspection:list", "查看"),
            ("ledger:inspection:add", "导入、新增"),
            ("ledger:measure:edit", "报告进展、申请销号"),
            ("ledger:measure:review", "销号审核、回头看"),
            ("ledger:bulletin:write", "生成整改情况通报"),
        ],
    ),
    (
        "比对库",
        &[
            ("similarity:library:list", "查看"),
            ("similarity:library:add", "上传"),
            ("similarity:library:remove", "删除"),
        ],
    ),
    (
        "文献查重",
        &[("similarity:check:run", "查重、查看查重报告")],
    ),
    (
        "部门管理",
        &[
            ("org:dept:list", "查看"),
            ("org:dept:add", "新增"),
            ("org:dept:edit", "修改"),
            ("org:dept:remove", "删除"),
            ("org:dept:export", "导出"),
        ],
    ),
    (
        "用户管理",
        &[
            ("org:user:list", "查看"),
            ("org:user:add", "新增"),
            ("org:user:edit", "修改"),
            ("org:user:remove", "删除"),
            ("org:user:resetpwd", "重置密码"),
            ("org:user:export", "导出"),
            ("org:user:personal", "查看完整个人信息"),
        ],
    ),
    (
        "角色管理",
        &[
            ("org:role:list", "查看"),
            ("org:role:add", "新增"),
            ("org:role:edit", "修改"),
            ("org:role:remove", "删除"),
        ],
    ),
    (
        "参数设置",
        &[
            ("system:setting:list", "查看"),
            ("system:setting:edit", "修改"),
        ],
    ),
    (
        "日历管理",
        &[
            ("system:calendar:list", "查看"),
            ("system:calendar:edit", "录入、修改"),
        ],
    ),
    ("登录日志", &[("system:loginlog:list", "查看")]),
    ("审计追溯", &[("audit:event:list", "查看、核验事件")]),
    (
        "完整性",
        &[
            ("audit:integrity:view", "查看检查点与核验记录"),
            ("audit:integrity:run", "签署检查点、全面核验"),
        ],
    ),
];

pub fn is_known(permission: &str) -> bool {
    permission == "*"
        || CATALOGUE
            .iter()
            .any(|(_, perms)| perms.iter().any(|(p, _)| *p == permission))
}

/// Does a set of granted permissions allow `wanted`? `*` grants everything.
pub fn allows<'a>(granted: impl IntoIterator<Item = &'a str>, wanted: &str) -> bool {
    granted.into_iter().any(|g| g == "*" || g == wanted)
}

pub struct BuiltinRole {
    pub key: &'static str,
    pub name: &'static str,
    pub scope: DataScope,
    pub permissions: &'static str,
    pub remark: &'static str,
}

const READ_ALL: &str = "ledger:inspection:list similarity:library:list org:dept:list org:user:list org:role:list system:setting:list system:calendar:list system:loginlog:list audit:event:list audit:integrity:view audit:integrity:run";

/// The version of the built-in roles' permissions. Raise it, and list what it adds in
/// [`ADDED_TO_BUILTIN`], whenever a built-in role gains a permission.
pub const BUILTIN_VERSION: u32 = 2;

/// Permissions given to built-in roles after their first release: `(version, role key, permission)`.
/// A database made before `version` gets them once, at start (`org::roles::upgrade_builtin`); a role
/// an administrator trims afterwards stays trimmed.
pub const ADDED_TO_BUILTIN: &[(u32, &str, &str)] = &[
    (2, "leader", "similarity:library:list"),
    (2, "leader", "similarity:check:run"),
    (2, "dept_head", "similarity:library:list"),
    (2, "dept_head", "similarity:library:add"),
    (2, "dept_head", "similarity:library:remove"),
    (2, "dept_head", "similarity:check:run"),
    (2, "discipline_inspector", "similarity:library:list"),
    (2, "discipline_inspector", "audit:integrity:view"),
    (2, "discipline_inspector", "audit:integrity:run"),
    (2, "internal_auditor", "similarity:library:list"),
    (2, "internal_auditor", "audit:integrity:view"),
    (2, "internal_auditor", "audit:integrity:run"),
];

/// The roles of DESIGN.md's user table. They can be edited but not deleted.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        key: "admin",
        name: "系统管理员",
        scope: DataScope::All,
        permissions: "*",
        remark: "部门、用户、角色、参数、日历",
    },
    BuiltinRole {
        key: "leader",
        name: "局领导",
        scope: DataScope::DepartmentAndBelow,
        permissions: "ledger:inspection:list ledger:measure:review ledger:bulletin:write similarity:library:list similarity:check:run org:dept:list org:user:list",
        remark: "查看分管（代管）部门的全部数据，审批、签发",
    },
    BuiltinRole {
        key: "dept_head",
        name: "处室负责人",
        scope: DataScope::DepartmentAndBelow,
        permissions: "ledger:inspection:list ledger:measure:edit similarity:library:list similarity:library:add similarity:library:remove similarity:check:run org:dept:list org:user:list org:user:edit",
        remark: "本处室及下属单位的业务",
    },
    BuiltinRole {
        key: "clerk",
        name: "经办人",
        scope: DataScope::Department,
        permissions: "ledger:inspection:list ledger:measure:edit org:dept:list org:user:list",
        remark: "办理本部门事项",
    },
    BuiltinRole {
        key: "discipline_inspector",
        name: "纪检监察组",
        scope: DataScope::All,
        permissions: READ_ALL,
        remark: "派驻纪检监察组：查阅全部数据、核验审计痕迹，只写监督意见",
    },
    BuiltinRole {
        key: "internal_auditor",
        name: "内审",
        scope: DataScope::All,
        permissions: READ_ALL,
        remark: "内部审计委员会：查阅全部数据、核验审计痕迹",
    },
    BuiltinRole {
        key: "applicant",
        name: "申报单位",
        scope: DataScope::SelfOnly,
        permissions: "",
        remark: "外部用户：申报、填报",
    },
    BuiltinRole {
        key: "expert",
        name: "专家",
        scope: DataScope::SelfOnly,
        permissions: "",
        remark: "外部用户：评审分配给本人的事项",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_later_addition_is_in_its_role_and_the_catalogue() {
        for (version, key, permission) in ADDED_TO_BUILTIN {
            assert!(
                *version <= BUILTIN_VERSION && *version > 1,
                "{key} {permission}"
            );
            let role = BUILTIN_ROLES
                .iter()
                .find(|r| r.key == *key)
                .unwrap_or_else(|| panic!("no built-in role {key}"));
            assert!(
                role.permissions
                    .split_whitespace()
                    .any(|p| p == *permission),
                "{key} lacks {permission}"
            );
            assert!(is_known(permission), "{permission}");
        }
    }

    #[test]
    fn builtin_roles_only_grant_known_permissions() {
        for r in BUILTIN_ROLES {
            for p in r.permissions.split_whitespace() {
                assert!(is_known(p), "{} grants unknown {p}", r.key);
            }
        }
    }

    #[test]
    fn star_allows_everything_and_nothing_else_leaks() {
        assert!(allows(["*"], "org:user:remove"));
        assert!(allows(["org:user:list"], "org:user:list"));
        assert!(!allows(["org:user:list"], "org:user:remove"));
        assert!(!allows(["org:user:*"], "org:user:remove"));
        assert!(!allows(Vec::<&str>::new(), "org:user:list"));
    }
}
