//! List pages: pagination and column sorting, parsed from the query string.

use serde::Deserialize;

pub const PAGE_SIZES: [u64; 4] = [10, 20, 50, 100];

/// `?page=2&size=20&sort=name&order=desc`. Unknown or malformed values fall back to defaults
/// instead of failing: a list page always renders.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    pub page: Option<String>,
    pub size: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub size: u64,
    pub sort: Option<String>,
    pub desc: bool,
}

impl ListParams {
    /// `sortable` lists the column keys the page allows sorting by.
    pub fn paging(&self, sortable: &[&str]) -> Paging {
        let page = self
            .page
            .as_deref()
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        let size = self
            .size
            .as_deref()
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|s| PAGE_SIZES.contains(s))
            .unwrap_or(20);
        let sort = self
            .sort
            .as_deref()
            .filter(|s| sortable.contains(s))
            .map(str::to_owned);
        Paging {
            page,
            size,
            sort,
            desc: self.order.as_deref() == Some("desc"),
        }
    }
}

/// The most rows one export writes; a bigger export must be narrowed by the search form.
pub const EXPORT_LIMIT: u64 = 100_000;

impl Paging {
    /// Every row (up to [`EXPORT_LIMIT`]) in the order of `sort`: for exports.
    pub fn everything(sort: &str) -> Paging {
        Paging {
            page: 1,
            size: EXPORT_LIMIT,
            sort: Some(sort.to_owned()),
            desc: false,
        }
    }
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.size
    }
    pub fn pages(&self, total: u64) -> u64 {
        total.div_ceil(self.size).max(1)
    }
}

/// What a list template needs to draw the pager and sortable headers.
#[derive(Clone, Debug)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub size: u64,
    pub sort: String,
    pub desc: bool,
    /// The search form's parameters, already URL-encoded, to keep in page and sort links.
    pub filter_query: String,
}

impl Pager {
    pub fn new(p: &Paging, total: u64, filter_query: String) -> Self {
        Pager {
            page: p.page,
            pages: p.pages(total),
            total,
            size: p.size,
            sort: p.sort.clone().unwrap_or_default(),
            desc: p.desc,
            filter_query,
        }
    }
    pub fn page_href(&self, page: u64) -> String {
        let order = if self.desc { "desc" } else { "asc" };
        format!(
            "?{}page={page}&size={}&sort={}&order={order}",
            self.filter_query, self.size, self.sort
        )
    }
    /// Header link: sorts by `col`, toggling the direction when already sorted by it.
    pub fn sort_href(&self, col: &str) -> String {
        let order = if self.sort == col && !self.desc {
            "desc"
        } else {
            "asc"
        };
        format!(
            "?{}page=1&size={}&sort={col}&order={order}",
            self.filter_query, self.size
        )
    }
    pub fn sort_mark(&self, col: &str) -> &'static str {
        match (self.sort == col, self.desc) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

/// Encodes search-form fields for links, skipping empty ones; ends with `&` when not empty.
pub fn filter_query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(s) if !s.is_empty() => format!("{s}&"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: &str, size: &str, sort: &str, order: &str) -> ListParams {
        ListParams {
            page: Some(page.into()),
            size: Some(size.into()),
            sort: Some(sort.into()),
            order: Some(order.into()),
        }
    }

    #[test]
    fn malformed_values_fall_back() {
        let p = params("-3", "7", "password_hash", "sideways").paging(&["name"]);
        assert_eq!(
            p,
            Paging {
                page: 1,
                size: 20,
                sort: None,
                desc: false
            }
        );
        let p = params("3", "50", "name", "desc").paging(&["name"]);
        assert_eq!(p.offset(), 100);
        assert_eq!(p.sort.as_deref(), Some("name"));
        assert!(p.desc);
        assert_eq!(p.pages(101), 3);
        assert_eq!(p.pages(0), 1);
    }

    #[test]
    fn links_keep_the_filter() {
        let q = filter_query(&[("name", "办公室"), ("status", "")]);
        assert_eq!(q, "name=%E5%8A%9E%E5%85%AC%E5%AE%A4&");
        let pager = Pager::new(&params("1", "20", "name", "asc").paging(&["name"]), 45, q);
        assert_eq!(pager.pages, 3);
        assert!(pager.page_href(2).starts_with("?name=%E5"));
        assert!(pager.sort_href("name").ends_with("sort=name&order=desc"));
        assert_eq!(pager.sort_mark("name"), " ▲");
    }
}
