//! Data scope (数据权限): which departments' rows a user may see and change.
//!
//! Each role has a scope — all / custom departments / own department / own department and below /
//! self — and a user's scope is the union over their roles plus the departments they cover (代管,
//! each with its subordinate units). The storage code of every feature turns the result into a
//! condition inside its queries ([`Scope::condition`]), so a row out of scope is simply not found.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};

/// The scope of one role (`role.data_scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataScope {
    All,
    Custom,
    Department,
    DepartmentAndBelow,
    SelfOnly,
}

impl DataScope {
    pub const ALL: [DataScope; 5] = [
        DataScope::All,
        DataScope::Custom,
        DataScope::Department,
        DataScope::DepartmentAndBelow,
        DataScope::SelfOnly,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DataScope::All => "all",
            DataScope::Custom => "custom",
            DataScope::Department => "department",
            DataScope::DepartmentAndBelow => "department_and_below",
            DataScope::SelfOnly => "self",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DataScope::All => "全部数据",
            DataScope::Custom => "自定义部门",
            DataScope::Department => "本部门",
            DataScope::DepartmentAndBelow => "本部门及以下",
            DataScope::SelfOnly => "仅本人",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// One role's scope with its custom departments.
#[derive(Clone, Debug)]
pub struct RoleScope {
    pub scope: DataScope,
    pub custom_departments: Vec<i64>,
}

/// The department tree as `id → parent`.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    children: BTreeMap<i64, Vec<i64>>,
    parent: BTreeMap<i64, Option<i64>>,
}

impl Tree {
    pub fn new(nodes: impl IntoIterator<Item = (i64, Option<i64>)>) -> Self {
        let mut t = Tree::default();
        for (id, parent) in nodes {
            t.parent.insert(id, parent);
            if let Some(p) = parent {
                t.children.entry(p).or_default().push(id);
            }
        }
        t
    }

    /// `id` and everything below it.
    pub fn subtree(&self, id: i64) -> BTreeSet<i64> {
        let mut out = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if out.insert(n) {
                stack.extend(self.children.get(&n).into_iter().flatten().copied());
            }
        }
        out
    }

    /// Would making `new_parent` the parent of `id` create a cycle?
    pub fn would_cycle(&self, id: i64, new_parent: i64) -> bool {
        self.subtree(id).contains(&new_parent)
    }

    /// Ancestors of `id` from the root down, `id` excluded.
    pub fn ancestors(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cur = self.parent.get(&id).copied().flatten();
        while let Some(p) = cur {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cur = self.parent.get(&p).copied().flatten();
        }
        out.reverse();
        out
    }
}

/// A user's effective scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Limited {
        departments: BTreeSet<i64>,
        /// Rows the user owns are in scope (role scope 仅本人).
        own_user: Option<i64>,
    },
}

impl Scope {
    pub fn of_user(
        user_id: i64,
        department_id: i64,
        roles: &[RoleScope],
        covered: &[i64],
        tree: &Tree,
    ) -> Scope {
        let mut departments = BTreeSet::new();
        let mut own_user = None;
        for r in roles {
            match r.scope {
                DataScope::All => return Scope::All,
                DataScope::Custom => departments.extend(r.custom_departments.iter().copied()),
                DataScope::Department => {
                    departments.insert(department_id);
                }
                DataScope::DepartmentAndBelow => departments.extend(tree.subtree(department_id)),
                DataScope::SelfOnly => own_user = Some(user_id),
            }
        }
        for c in covered {
            departments.extend(tree.subtree(*c));
        }
        Scope::Limited {
            departments,
            own_user,
        }
    }

    pub fn includes_department(&self, id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Limited { departments, .. } => departments.contains(&id),
        }
    }

    /// May the viewer see a row of `department_id` owned by `owner`?
    pub fn includes(&self, department_id: i64, owner: Option<i64>) -> bool {
        match self {
            Scope::All => true,
            Scope::Limited {
                departments,
                own_user,
            } => {
                departments.contains(&department_id)
                    || (own_user.is_some() && own_user.as_ref() == owner.as_ref())
            }
        }
    }

    /// The condition to put inside a query: rows whose `department` column is in scope, or whose
    /// `owner` column is the viewer where the scope includes their own rows.
    pub fn condition<C: ColumnTrait>(&self, department: C, owner: Option<C>) -> Condition {
        match self {
            Scope::All => Condition::all(),
            Scope::Limited {
                departments,
                own_user,
            } => {
                let mut any = Condition::any();
                if !departments.is_empty() {
                    any = any.add(department.is_in(departments.iter().copied()));
                }
                if let (Some(col), Some(me)) = (owner, own_user) {
                    any = any.add(col.eq(*me));
                }
                if departments.is_empty() && own_user.is_none() {
                    any = any.add(never());
                }
                any
            }
        }
    }
}

fn never() -> SimpleExpr {
    Expr::val(1).eq(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1 局 ─ 2 办公室
    //      └ 3 高新科 ─ 4 下属所
    // 5 另一局
    fn tree() -> Tree {
        Tree::new([
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(3)),
            (5, None),
        ])
    }

    fn role(scope: DataScope, custom: &[i64]) -> RoleScope {
        RoleScope {
            scope,
            custom_departments: custom.to_vec(),
        }
    }

    fn depts(s: &Scope) -> Vec<i64> {
        match s {
            Scope::All => vec![],
            Scope::Limited { departments, .. } => departments.iter().copied().collect(),
        }
    }

    #[test]
    fn each_scope_kind() {
        let t = tree();
        let s = Scope::of_user(9, 3, &[role(DataScope::Department, &[])], &[], &t);
        assert_eq!(depts(&s), vec![3]);
        let s = Scope::of_user(9, 3, &[role(DataScope::DepartmentAndBelow, &[])], &[], &t);
        assert_eq!(depts(&s), vec![3, 4]);
        let s = Scope::of_user(9, 3, &[role(DataScope::Custom, &[2, 5])], &[], &t);
        assert_eq!(depts(&s), vec![2, 5]);
        let s = Scope::of_user(9, 3, &[role(DataScope::SelfOnly, &[])], &[], &t);
        assert!(s.includes(2, Some(9)));
        assert!(!s.includes(3, Some(8)));
        assert_eq!(
            Scope::of_user(9, 3, &[role(DataScope::All, &[])], &[], &t),
            Scope::All
        );
    }

    #[test]
    fn union_of_roles_and_covered_departments() {
        let t = tree();
        let s = Scope::of_user(
            9,
            2,
            &[
                role(DataScope::Department, &[]),
                role(DataScope::SelfOnly, &[]),
            ],
            &[3],
            &t,
        );
        assert_eq!(depts(&s), vec![2, 3, 4]);
        assert!(s.includes(1, Some(9)));
        assert!(!s.includes(1, Some(10)));
        assert!(!s.includes_department(5));
    }

    #[test]
    fn no_roles_means_nothing() {
        let s = Scope::of_user(9, 2, &[], &[], &tree());
        assert!(!s.includes(2, Some(9)));
    }

    #[test]
    fn tree_cycles_and_ancestors() {
        let t = tree();
        assert!(t.would_cycle(1, 4));
        assert!(t.would_cycle(3, 3));
        assert!(!t.would_cycle(4, 2));
        assert_eq!(t.ancestors(4), vec![1, 3]);
        assert_eq!(t.ancestors(1), Vec::<i64>::new());
    }

    #[test]
    fn scope_keys_round_trip() {
        for s in DataScope::ALL {
            assert_eq!(DataScope::parse(s.key()), Some(s));
        }
        assert_eq!(DataScope::parse("everything"), None);
    }
}
