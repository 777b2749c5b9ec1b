//! Charts drawn on the server as SVG (no JavaScript): completion of a round by section and by
//! department, as horizontal bars a printed report keeps.

/// One bar: its label, how many measures are done, how many there are.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub done: usize,
    pub total: usize,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars of `done / total`, labelled with the percentage and the counts.
pub fn completion(title: &str, bars: &[Bar]) -> String {
    const LABEL: u32 = 260;
    const WIDTH: u32 = 360;
    const ROW: u32 = 28;
    let height = 36 + ROW * bars.len() as u32;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-size="13"><text x="0" y="18" font-weight="bold">{t}</text>"##,
        t = escape(title),
        w = LABEL + WIDTH + 120,
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 30 + ROW * i as u32;
        let share = if b.total == 0 {
            0.0
        } else {
            b.done as f64 / b.total as f64
        };
        let filled = (share * f64::from(WIDTH)).round() as u32;
        let label: String = b.label.chars().take(18).collect();
        svg += &format!(
            r##"<text x="0" y="{ty}">{label}</text><rect x="{LABEL}" y="{y}" width="{WIDTH}" height="18" fill="#e5e7eb"/><rect x="{LABEL}" y="{y}" width="{filled}" height="18" fill="#16a34a"><title>{label}：{done}/{total}</title></rect><text x="{tx}" y="{ty}">{pct}%（{done}/{total}）</text>"##,
            ty = y + 14,
            label = escape(&label),
            done = b.done,
            total = b.total,
            tx = LABEL + WIDTH + 8,
            pct = (share * 100.0).round(),
        );
    }
    svg + "</svg>"
}

/// Vertical bars over time (e.g. overdue measures week by week), each labelled with its count.
pub fn trend(title: &str, points: &[(String, usize)]) -> String {
    const HEIGHT: u32 = 120;
    const STEP: u32 = 56;
    let max = points.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let width = 20 + STEP * points.len() as u32;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" width="{width}" height="{h}" viewBox="0 0 {width} {h}" font-size="12"><text x="0" y="18" font-weight="bold">{t}</text>"##,
        t = escape(title),
        h = HEIGHT + 70,
    );
    for (i, (label, n)) in points.iter().enumerate() {
        let x = 10 + STEP * i as u32;
        let bar = (*n as f64 / max as f64 * f64::from(HEIGHT)).round() as u32;
        let top = 30 + HEIGHT - bar;
        svg += &format!(
            r##"<rect x="{x}" y="{top}" width="36" height="{bar}" fill="#dc2626"><title>{label}：{n}</title></rect><text x="{cx}" y="{ny}" text-anchor="middle">{n}</text><text x="{cx}" y="{ly}" text-anchor="middle">{label}</text>"##,
            cx = x + 18,
            ny = top.saturating_sub(4).max(28),
            ly = 30 + HEIGHT + 16,
            label = escape(label),
        );
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_bars_grow_with_their_counts() {
        let svg = trend(
            "逾期趋势",
            &[("4/1".into(), 0), ("4/8".into(), 2), ("4/15".into(), 4)],
        );
        assert!(
            svg.contains(r##"height="120" fill="#dc2626"><title>4/15：4</title>"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="60" fill="#dc2626"><title>4/8：2</title>"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="0" fill="#dc2626"><title>4/1：0</title>"##),
            "{svg}"
        );
    }

    #[test]
    fn bars_are_as_long_as_the_share_done_and_labels_are_escaped() {
        let svg = completion(
            "按方面",
            &[
                Bar {
                    label: "A<方面>".into(),
                    done: 1,
                    total: 4,
                },
                Bar {
                    label: "空".into(),
                    done: 0,
                    total: 0,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(r##"width="90" height="18" fill="#16a34a""##),
            "a quarter of 360: {svg}"
        );
        assert!(svg.contains("25%（1/4）") && svg.contains("0%（0/0）"));
        assert!(svg.contains("A&lt;方面&gt;") && !svg.contains("A<方面>"));
    }
}
