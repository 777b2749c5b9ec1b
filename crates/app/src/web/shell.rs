//! The frame around every page: left menu by permission, top bar with user and department.

use crate::auth::viewer::Viewer;

/// One menu entry: shown when the viewer has `permission` (`None`: every logged-in user).
pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub permission: Option<&'static str>,
}

pub struct MenuGroup {
    pub label: &'static str,
    pub items: &'static [MenuItem],
}

/// The whole menu. A feature adds its group here; what a user sees is filtered by permission.
pub const MENU: &[MenuGroup] = &[
    MenuGroup {
        label: "首页",
        items: &[MenuItem {
            label: "工作台",
            href: "/",
            permission: None,
        }],
    },
    MenuGroup {
        label: "巡察整改",
        items: &[MenuItem {
            label: "整改台账",
            href: "/ledger",
            permission: Some("ledger:inspection:list"),
        }],
    },
    MenuGroup {
        label: "查重",
        items: &[
            MenuItem {
                label: "文献查重",
                href: "/similarity/check",
                permission: Some("similarity:check:run"),
            },
            MenuItem {
                label: "查重记录",
                href: "/similarity/reports",
                permission: Some("similarity:check:run"),
            },
            MenuItem {
                label: "比对库",
                href: "/similarity/library",
                permission: Some("similarity:library:list"),
            },
        ],
    },
    MenuGroup {
        label: "系统管理",
        items: &[
            MenuItem {
                label: "部门管理",
                href: "/org/departments",
                permission: Some("org:dept:list"),
            },
            MenuItem {
                label: "用户管理",
                href: "/org/users",
                permission: Some("org:user:list"),
            },
            MenuItem {
                label: "角色管理",
                href: "/org/roles",
                permission: Some("org:role:list"),
            },
            MenuItem {
                label: "参数设置",
                href: "/system/settings",
                permission: Some("system:setting:list"),
            },
            MenuItem {
                label: "日历管理",
                href: "/system/calendar",
                permission: Some("system:calendar:list"),
            },
        ],
    },
    MenuGroup {
        label: "日志审计",
        items: &[
            MenuItem {
                label: "登录日志",
                href: "/system/login-log",
                permission: Some("system:loginlog:list"),
            },
            MenuItem {
                label: "审计追溯",
                href: "/audit/events",
                permission: Some("audit:event:list"),
            },
            MenuItem {
                label: "完整性",
                href: "/audit/integrity",
                permission: Some("audit:integrity:view"),
            },
        ],
    },
];

pub struct ShellGroup {
    pub label: &'static str,
    pub items: Vec<&'static MenuItem>,
}

/// What the layout template needs.
pub struct Shell {
    pub user_name: String,
    pub department_name: String,
    pub role_names: String,
    pub menu: Vec<ShellGroup>,
    pub current: String,
    pub title: String,
    /// A one-line message after a redirect ("已保存"), from the `msg` query parameter.
    pub flash: String,
}

impl Shell {
    pub fn new(viewer: &Viewer, current: &str, title: &str) -> Self {
        let menu = MENU
            .iter()
            .map(|g| ShellGroup {
                label: g.label,
                items: g
                    .items
                    .iter()
                    .filter(|i| i.permission.is_none_or(|p| viewer.can(p)))
                    .collect(),
            })
            .filter(|g| !g.items.is_empty())
            .collect();
        Shell {
            user_name: viewer.user.name.clone(),
            department_name: viewer.department_name.clone(),
            role_names: viewer.role_names.join("、"),
            menu,
            current: current.to_owned(),
            title: title.to_owned(),
            flash: String::new(),
        }
    }

    pub fn with_flash(mut self, flash: Option<&str>) -> Self {
        self.flash = flash.map(flash_text).unwrap_or_default().to_owned();
        self
    }

    pub fn is_current(&self, href: &str) -> bool {
        if href == "/" {
            self.current == "/"
        } else {
            self.current.starts_with(href)
        }
    }
}

/// Flash messages are codes in the URL, never free text (no injection through a crafted link).
fn flash_text(code: &str) -> &'static str {
    match code {
        "saved" => "已保存",
        "created" => "已新增",
        "deleted" => "已删除",
        "password" => "密码已修改",
        "reset" => "密码已重置",
        _ => "",
    }
}
