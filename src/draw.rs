//! Paints the layouts of `layout.rs` on canvases: sharp on HiDPI screens
//! (the backing store is the displayed size times the device pixel ratio),
//! in the colours the stylesheet gives for the light or dark scheme.

use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, CssStyleDeclaration, HtmlCanvasElement};

use crate::layout::{LoopLayout, TimelineLayout, Token, TokenKey, TOKEN_RADIUS};
use crate::replay::{MarkKind, Phase};

/// How many task colours the palette has (`--task-0` ... in the stylesheet).
pub const PALETTE: usize = 8;

/// The CSS custom property of a task colour.
pub fn task_colour_property(colour: usize) -> String {
    format!("--task-{}", colour % PALETTE)
}

struct Colours {
    style: CssStyleDeclaration,
    cache: HashMap<String, String>,
}

impl Colours {
    fn get(&mut self, property: &str) -> String {
        if let Some(value) = self.cache.get(property) {
            return value.clone();
        }
        let value = self
            .style
            .get_property_value(property)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        let value = if value.is_empty() {
            "#888".to_string()
        } else {
            value
        };
        self.cache.insert(property.to_string(), value.clone());
        value
    }

    fn task(&mut self, colour: Option<usize>) -> String {
        match colour {
            Some(colour) => self.get(&task_colour_property(colour)),
            None => self.get("--neutral-token"),
        }
    }
}

/// Sizes the canvas for `css_height` CSS pixels at the device pixel ratio
/// and returns its context, scaled to CSS pixels, with the width.
fn prepare(
    canvas: &HtmlCanvasElement,
    css_height: f64,
) -> Result<(CanvasRenderingContext2d, f64, Colours), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let ratio = window.device_pixel_ratio().max(1.0);
    canvas
        .style()
        .set_property("height", &format!("{}px", css_height.ceil()))?;
    let width = f64::from(canvas.client_width()).max(1.0);
    let height = css_height.ceil();
    let (pixel_width, pixel_height) = (
        (width * ratio).round() as u32,
        (height * ratio).round() as u32,
    );
    if canvas.width() != pixel_width {
        canvas.set_width(pixel_width);
    }
    if canvas.height() != pixel_height {
        canvas.set_height(pixel_height);
    }
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("the canvas has no 2d context")?
        .dyn_into()?;
    context.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
    let style = window
        .get_computed_style(canvas)?
        .ok_or("the canvas has no computed style")?;
    let mut colours = Colours {
        style,
        cache: HashMap::new(),
    };
    context.set_fill_style_str(&colours.get("--canvas-bg"));
    context.fill_rect(0.0, 0.0, width, height);
    Ok((context, width, colours))
}

/// The width a canvas shows at, in CSS pixels.
pub fn css_width(canvas: &HtmlCanvasElement) -> f64 {
    f64::from(canvas.client_width()).max(1.0)
}

/// Paints the loop view; `positions` are where tokens are drawn (moving
/// towards their places while playing), by key.
pub fn loop_view(
    canvas: &HtmlCanvasElement,
    layout: &LoopLayout,
    positions: &HashMap<TokenKey, (f64, f64)>,
) -> Result<(), JsValue> {
    let (context, width, mut colours) = prepare(canvas, layout.height)?;
    let ink = colours.get("--ink");
    let muted = colours.get("--muted");
    let line = colours.get("--line");
    context.set_font("600 13px system-ui, sans-serif");
    context.set_fill_style_str(&ink);
    context.fill_text(&layout.clock, 10.0, 19.0)?;
    let _ = width;
    context.set_font("12px system-ui, sans-serif");
    for place in &layout.places {
        context.set_stroke_style_str(&line);
        context.set_line_width(1.0);
        rounded_rect(&context, place.x, place.y, place.width, place.height, 6.0);
        context.stroke();
        context.set_fill_style_str(&muted);
        let title = if place.hidden > 0 {
            format!("{} — and {} more", place.title, place.hidden)
        } else {
            place.title.clone()
        };
        context.fill_text(&title, place.x + 8.0, place.y + 15.0)?;
    }
    for token in &layout.tokens {
        let (x, y) = positions
            .get(&token.key)
            .copied()
            .unwrap_or((token.x, token.y));
        draw_token(&context, &mut colours, token, x, y)?;
    }
    Ok(())
}

fn draw_token(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    token: &Token,
    x: f64,
    y: f64,
) -> Result<(), JsValue> {
    let colour = colours.task(token.colour);
    context.begin_path();
    context.arc(x, y, TOKEN_RADIUS, 0.0, std::f64::consts::TAU)?;
    if token.hollow {
        context.set_stroke_style_str(&colour);
        context.set_line_width(3.0);
        context.stroke();
    } else {
        context.set_global_alpha(if token.done { 0.45 } else { 1.0 });
        context.set_fill_style_str(&colour);
        context.fill();
        context.set_global_alpha(1.0);
    }
    context.set_text_align("center");
    context.set_fill_style_str(&colours.get("--ink"));
    context.set_font("12px system-ui, sans-serif");
    context.fill_text(
        &crate::layout::clip(&token.label, 12),
        x,
        y + TOKEN_RADIUS + 12.0,
    )?;
    context.set_fill_style_str(&colours.get("--muted"));
    context.set_font("10px system-ui, sans-serif");
    context.fill_text(
        &crate::layout::clip(&token.note, 14),
        x,
        y + TOKEN_RADIUS + 23.0,
    )?;
    context.set_text_align("start");
    Ok(())
}

fn rounded_rect(context: &CanvasRenderingContext2d, x: f64, y: f64, w: f64, h: f64, r: f64) {
    context.begin_path();
    context.move_to(x + r, y);
    context.line_to(x + w - r, y);
    context.quadratic_curve_to(x + w, y, x + w, y + r);
    context.line_to(x + w, y + h - r);
    context.quadratic_curve_to(x + w, y + h, x + w - r, y + h);
    context.line_to(x + r, y + h);
    context.quadratic_curve_to(x, y + h, x, y + h - r);
    context.line_to(x, y + r);
    context.quadratic_curve_to(x, y, x + r, y);
    context.close_path();
}

/// Paints the timeline.
pub fn timeline(canvas: &HtmlCanvasElement, layout: &TimelineLayout) -> Result<(), JsValue> {
    let (context, _width, mut colours) = prepare(canvas, layout.height)?;
    let ink = colours.get("--ink");
    let muted = colours.get("--muted");
    let line = colours.get("--line");
    context.set_font("12px system-ui, sans-serif");
    let lane_height = layout.lane_height;
    let labelled = lane_height >= 12.0;
    for lane in &layout.lanes {
        let colour = colours.task(lane.colour);
        if labelled {
            context.set_fill_style_str(&colour);
            context.fill_rect(4.0, lane.y + 4.0, 8.0, lane_height - 8.0);
            context.set_fill_style_str(&ink);
            context.fill_text(
                &crate::layout::clip(&lane.label, 11),
                16.0,
                lane.y + lane_height - 5.0,
            )?;
            context.set_fill_style_str(&line);
            context.fill_rect(
                layout.plot_left,
                lane.y + lane_height - 1.0,
                layout.plot_right - layout.plot_left,
                0.5,
            );
        }
        for bar in &lane.bars {
            // Share of the lane's height, and opacity, by phase.
            let (alpha, share) = match bar.phase {
                Phase::Running => (1.0, 0.8),
                Phase::Ready => (0.35, 0.45),
                Phase::Waiting => (0.18, 0.25),
                Phase::Done => (1.0, 0.7),
            };
            let height = (lane_height * share).max(1.0);
            context.set_global_alpha(alpha);
            context.set_fill_style_str(if bar.phase == Phase::Done {
                &ink
            } else {
                &colour
            });
            context.fill_rect(
                bar.x,
                lane.y + (lane_height - height) / 2.0,
                bar.width,
                height,
            );
        }
        context.set_global_alpha(1.0);
    }
    context.set_stroke_style_str(&muted);
    context.set_line_width(1.0);
    for link in &layout.links {
        context.begin_path();
        context.move_to(link.x, link.from_y);
        context.line_to(link.x, link.to_y);
        context.stroke();
        context.begin_path();
        context.arc(link.x, link.to_y, 2.5, 0.0, std::f64::consts::TAU)?;
        context.set_fill_style_str(&muted);
        context.fill();
    }
    for mark in &layout.marks {
        let property = match mark.kind {
            MarkKind::Print => "--mark-print",
            MarkKind::Error => "--mark-error",
            MarkKind::Cancel => "--mark-cancel",
        };
        context.set_fill_style_str(&colours.get(property));
        context.begin_path();
        context.move_to(mark.x, mark.y - 6.0);
        context.line_to(mark.x + 4.0, mark.y);
        context.line_to(mark.x, mark.y + 6.0);
        context.line_to(mark.x - 4.0, mark.y);
        context.close_path();
        context.fill();
    }
    let axis_y = layout.height - 20.0;
    context.set_fill_style_str(&line);
    context.fill_rect(
        layout.plot_left,
        axis_y,
        layout.plot_right - layout.plot_left,
        1.0,
    );
    context.set_fill_style_str(&muted);
    context.set_font("10px system-ui, sans-serif");
    context.set_text_align("center");
    for (x, label) in &layout.ticks {
        context.fill_rect(*x, axis_y, 1.0, 4.0);
        context.fill_text(label, *x, axis_y + 14.0)?;
    }
    context.set_text_align("start");
    context.set_fill_style_str(&colours.get("--accent"));
    context.fill_rect(layout.cursor_x - 1.0, 0.0, 2.0, axis_y);
    Ok(())
}
