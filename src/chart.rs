//! The statement chart: one bar per top-level statement, as tall as the lines
//! it spans, coloured by its kind. [`layout`] is pure geometry (tested
//! natively); [`draw`] paints it on a canvas, sharp on HiDPI screens, in the
//! colours the stylesheet gives for the current light or dark scheme.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::outline::{StatementKind, StatementSpan};

/// Empty space around the plot, in CSS pixels.
const MARGIN: f64 = 12.0;
/// The widest a bar gets, however few statements there are.
const MAX_BAR_WIDTH: f64 = 48.0;
/// The share of each bar's slot the bar fills; the rest is the gap.
const BAR_FILL: f64 = 0.75;
/// The shortest bar drawn, so a one-line statement stays visible.
const MIN_BAR_HEIGHT: f64 = 2.0;

/// A bar's rectangle in CSS pixels, from the canvas's top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub kind: StatementKind,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Places one bar per statement, left to right in source order, standing on
/// a common baseline; the statement spanning the most lines fills the plot's
/// height. Nothing fits in a canvas smaller than its margins.
pub fn layout(spans: &[StatementSpan], width: f64, height: f64) -> Vec<Bar> {
    let plot_width = width - 2.0 * MARGIN;
    let plot_height = height - 2.0 * MARGIN;
    if spans.is_empty() || plot_width <= 0.0 || plot_height <= 0.0 {
        return Vec::new();
    }
    let tallest = spans
        .iter()
        .map(StatementSpan::line_count)
        .max()
        .unwrap_or(1);
    let slot = plot_width / spans.len() as f64;
    let bar_width = (slot * BAR_FILL).min(MAX_BAR_WIDTH);
    let baseline = height - MARGIN;
    spans
        .iter()
        .enumerate()
        .map(|(position, span)| {
            let share = f64::from(span.line_count()) / f64::from(tallest);
            let bar_height = (share * plot_height).max(MIN_BAR_HEIGHT.min(plot_height));
            Bar {
                kind: span.kind,
                x: MARGIN + position as f64 * slot + (slot - bar_width) / 2.0,
                y: baseline - bar_height,
                width: bar_width,
                height: bar_height,
            }
        })
        .collect()
}

/// Sizes the canvas's backing store to its displayed size times the device
/// pixel ratio, clears it and draws the bars of `spans` with a baseline.
pub fn draw(canvas: &HtmlCanvasElement, spans: &[StatementSpan]) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let pixel_ratio = window.device_pixel_ratio().max(1.0);
    let width = f64::from(canvas.client_width());
    let height = f64::from(canvas.client_height());
    canvas.set_width((width * pixel_ratio).round() as u32);
    canvas.set_height((height * pixel_ratio).round() as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("the canvas has no 2d context")?
        .dyn_into()?;
    context.set_transform(pixel_ratio, 0.0, 0.0, pixel_ratio, 0.0, 0.0)?;
    context.clear_rect(0.0, 0.0, width, height);
    if width <= 2.0 * MARGIN || height <= 2.0 * MARGIN {
        return Ok(());
    }

    let style = window
        .get_computed_style(canvas)?
        .ok_or("the canvas has no computed style")?;
    let color = |property: &str| -> Result<String, JsValue> {
        Ok(style.get_property_value(property)?.trim().to_string())
    };

    context.set_fill_style_str(&color("--chart-axis")?);
    context.fill_rect(MARGIN, height - MARGIN, width - 2.0 * MARGIN, 1.0);
    for bar in layout(spans, width, height) {
        context.set_fill_style_str(&color(bar.kind.color_property())?);
        context.fill_rect(bar.x, bar.y, bar.width, bar.height);
    }
    Ok(())
}

/// A sentence describing the chart, for screen readers.
pub fn describe(spans: &[StatementSpan]) -> String {
    if spans.is_empty() {
        return "No statements to chart.".to_string();
    }
    let counts: Vec<String> = StatementKind::ALL
        .iter()
        .map(|&kind| {
            let count = spans.iter().filter(|span| span.kind == kind).count();
            format!("{count} × {}", kind.label())
        })
        .collect();
    format!(
        "One bar per top-level statement, as tall as the lines it spans: {}.",
        counts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(kind: StatementKind, first_line: u32, last_line: u32) -> StatementSpan {
        StatementSpan {
            kind,
            first_line,
            last_line,
        }
    }

    #[test]
    fn bar_heights_are_proportional_to_lines_spanned() {
        let spans = [
            span(StatementKind::Other, 1, 1),
            span(StatementKind::Function, 3, 6),
            span(StatementKind::Class, 8, 9),
        ];
        let bars = layout(&spans, 400.0, 224.0);
        let plot_height = 224.0 - 2.0 * MARGIN;
        let heights: Vec<f64> = bars.iter().map(|bar| bar.height).collect();
        assert_eq!(
            heights,
            vec![plot_height / 4.0, plot_height, plot_height / 2.0]
        );
        let kinds: Vec<_> = bars.iter().map(|bar| bar.kind).collect();
        assert_eq!(
            kinds,
            vec![
                StatementKind::Other,
                StatementKind::Function,
                StatementKind::Class
            ]
        );
    }

    #[test]
    fn bars_stand_on_one_baseline_in_order_inside_the_plot() {
        let spans: Vec<_> = (1..=30)
            .map(|line| span(StatementKind::Other, line, line + line % 3))
            .collect();
        let (width, height) = (300.0, 120.0);
        let bars = layout(&spans, width, height);
        assert_eq!(bars.len(), 30);
        for pair in bars.windows(2) {
            assert!(pair[0].x + pair[0].width < pair[1].x, "bars overlap");
        }
        for bar in &bars {
            assert_eq!(bar.y + bar.height, height - MARGIN);
            assert!(bar.x >= MARGIN && bar.x + bar.width <= width - MARGIN);
            assert!(bar.y >= MARGIN);
        }
    }

    #[test]
    fn few_statements_get_bars_no_wider_than_the_maximum() {
        let bars = layout(&[span(StatementKind::Function, 1, 2)], 800.0, 200.0);
        assert_eq!(bars[0].width, MAX_BAR_WIDTH);
        assert_eq!(
            bars[0].x,
            MARGIN + (800.0 - 2.0 * MARGIN - MAX_BAR_WIDTH) / 2.0
        );
    }

    #[test]
    fn a_one_line_statement_beside_a_long_one_stays_visible() {
        let bars = layout(
            &[
                span(StatementKind::Other, 1, 1),
                span(StatementKind::Class, 2, 5000),
            ],
            200.0,
            100.0,
        );
        assert_eq!(bars[0].height, MIN_BAR_HEIGHT);
    }

    #[test]
    fn nothing_is_laid_out_without_statements_or_room() {
        assert!(layout(&[], 400.0, 200.0).is_empty());
        let one = [span(StatementKind::Other, 1, 1)];
        assert!(layout(&one, 2.0 * MARGIN, 200.0).is_empty());
        assert!(layout(&one, 400.0, 0.0).is_empty());
    }

    #[test]
    fn the_description_counts_each_kind() {
        let spans = [
            span(StatementKind::Function, 1, 2),
            span(StatementKind::Other, 3, 3),
            span(StatementKind::Function, 4, 5),
        ];
        assert_eq!(
            describe(&spans),
            "One bar per top-level statement, as tall as the lines it spans: \
             2 × function definition, 0 × class definition, 1 × other statement."
        );
        assert_eq!(describe(&[]), "No statements to chart.");
    }
}
