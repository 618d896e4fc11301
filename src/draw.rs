//! Paints the layouts of `layout.rs` on canvases: sharp on HiDPI screens
//! (the backing store is the displayed size times the device pixel ratio),
//! in the colours the stylesheet gives for the light or dark scheme.

use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, CssStyleDeclaration, HtmlCanvasElement};

use crate::i18n::{Lang, T};
use crate::layout::{self, Axis, LoopLayout, TimelineLayout, Token, TokenKey, TOKEN_RADIUS};
use crate::replay::{MarkKind, Phase, Replay};

/// How many task colours the palette has (`--task-0` ... in the stylesheet).
pub const PALETTE: usize = 8;

/// The CSS custom property of a task colour.
pub fn task_colour_property(colour: usize) -> String {
    format!("--task-{}", colour % PALETTE)
}

/// The stylesheet's colours, read from the computed style once and kept
/// (the painters keep one until the scheme or the size changes).
pub struct Colours {
    style: CssStyleDeclaration,
    cache: HashMap<String, String>,
}

impl Colours {
    fn read(canvas: &HtmlCanvasElement) -> Result<Colours, JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let style = window
            .get_computed_style(canvas)?
            .ok_or("the canvas has no computed style")?;
        Ok(Colours {
            style,
            cache: HashMap::new(),
        })
    }

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

/// A canvas on the page as its painter last left it: its size (CSS pixels
/// and device pixel ratio) and colours. Reading the width forces a layout
/// and setting the height invalidates one, so both happen only when they
/// change (`view` is bumped on resizes and scheme changes), never per frame.
#[derive(Default)]
pub struct Surface {
    view: Option<u64>,
    width: f64,
    ratio: f64,
    height: f64,
    colours: Option<Colours>,
}

impl Surface {
    /// The canvas's width in CSS pixels, read again only when `view` changed.
    pub fn width(&mut self, canvas: &HtmlCanvasElement, view: u64) -> f64 {
        if self.view != Some(view) || self.width <= 1.0 {
            self.view = Some(view);
            self.width = css_width(canvas);
            self.ratio = web_sys::window()
                .map_or(1.0, |w| w.device_pixel_ratio())
                .max(1.0);
            self.colours = None;
        }
        self.width
    }

    /// Sizes the canvas for `css_height` CSS pixels and returns its context
    /// (scaled to CSS pixels, background not painted) and the colours.
    fn prepare(
        &mut self,
        canvas: &HtmlCanvasElement,
        css_height: f64,
        view: u64,
    ) -> Result<(CanvasRenderingContext2d, &mut Colours), JsValue> {
        let width = self.width(canvas, view);
        let height = css_height.ceil();
        if height != self.height {
            canvas
                .style()
                .set_property("height", &format!("{}px", height as i64))?;
            self.height = height;
        }
        let (pixel_width, pixel_height) = (
            (width * self.ratio).round() as u32,
            (height * self.ratio).round() as u32,
        );
        if canvas.width() != pixel_width {
            canvas.set_width(pixel_width);
        }
        if canvas.height() != pixel_height {
            canvas.set_height(pixel_height);
        }
        let context = context_of(canvas)?;
        context.set_transform(self.ratio, 0.0, 0.0, self.ratio, 0.0, 0.0)?;
        let colours = match &mut self.colours {
            Some(colours) => colours,
            empty => empty.insert(Colours::read(canvas)?),
        };
        Ok((context, colours))
    }
}

fn context_of(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    Ok(canvas
        .get_context("2d")?
        .ok_or("the canvas has no 2d context")?
        .dyn_into()?)
}

/// The width a canvas shows at, in CSS pixels.
pub fn css_width(canvas: &HtmlCanvasElement) -> f64 {
    f64::from(canvas.client_width()).max(1.0)
}

fn fill_background(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    width: f64,
    height: f64,
) {
    context.set_fill_style_str(&colours.get("--canvas-bg"));
    context.fill_rect(0.0, 0.0, width, height);
}

/// Paints the loop view once; see [`LoopPainter`] for a canvas painted
/// again and again.
pub fn loop_view(
    canvas: &HtmlCanvasElement,
    layout: &LoopLayout,
    positions: &HashMap<TokenKey, (f64, f64)>,
) -> Result<(), JsValue> {
    LoopPainter::default().paint(canvas, layout, positions, 0)
}

/// What a [`LoopPainter`] last painted: the view, the layout, where the
/// tokens were.
type Shown = (u64, LoopLayout, Vec<(f64, f64)>);

/// Paints the loop view on one canvas, frame after frame: nothing when the
/// layout and the tokens' positions are those already on the canvas.
#[derive(Default)]
pub struct LoopPainter {
    pub surface: Surface,
    /// The language of "and N more".
    pub lang: Lang,
    shown: Option<Shown>,
}

impl LoopPainter {
    /// `positions` are where tokens are drawn (moving towards their places
    /// while playing), by key; `view` as in [`Surface`].
    pub fn paint(
        &mut self,
        canvas: &HtmlCanvasElement,
        layout: &LoopLayout,
        positions: &HashMap<TokenKey, (f64, f64)>,
        view: u64,
    ) -> Result<(), JsValue> {
        let drawn_at: Vec<(f64, f64)> = layout
            .tokens
            .iter()
            .map(|token| {
                positions
                    .get(&token.key)
                    .copied()
                    .unwrap_or((token.x, token.y))
            })
            .collect();
        if let Some((shown_view, shown_layout, shown_at)) = &self.shown {
            if *shown_view == view && shown_layout == layout && *shown_at == drawn_at {
                return Ok(());
            }
        }
        let width = self.surface.width(canvas, view);
        let (context, colours) = self.surface.prepare(canvas, layout.height, view)?;
        fill_background(&context, colours, width, layout.height.ceil());
        let ink = colours.get("--ink");
        let muted = colours.get("--muted");
        let line = colours.get("--line");
        context.set_font("600 13px system-ui, sans-serif");
        context.set_fill_style_str(&ink);
        context.fill_text(&layout.clock, 10.0, 19.0)?;
        context.set_font("12px system-ui, sans-serif");
        for place in &layout.places {
            context.set_stroke_style_str(&line);
            context.set_line_width(1.0);
            rounded_rect(&context, place.x, place.y, place.width, place.height, 6.0);
            context.stroke();
            context.set_fill_style_str(&muted);
            if place.hidden > 0 {
                let title = self.lang.fill(T::PlaceMore, &[&place.title, &place.hidden]);
                context.fill_text(&title, place.x + 8.0, place.y + 15.0)?;
            } else {
                context.fill_text(&place.title, place.x + 8.0, place.y + 15.0)?;
            }
            if !place.notes.is_empty() {
                context.set_fill_style_str(&ink);
                context.set_font("13px ui-monospace, monospace");
                for (k, note) in place.notes.iter().enumerate() {
                    let y = place.y + 22.0 + layout::NOTE_LINE * (k as f64 + 0.75);
                    context.fill_text(note, place.x + 12.0, y)?;
                }
                context.set_font("12px system-ui, sans-serif");
            }
        }
        draw_tokens(&context, colours, &layout.tokens, &drawn_at)?;
        self.shown = Some((view, layout.clone(), drawn_at));
        Ok(())
    }
}

/// Paints the tokens: the discs, then every label, then every note, so the
/// font and colour change three times a frame, not three times a token.
fn draw_tokens(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    tokens: &[Token],
    drawn_at: &[(f64, f64)],
) -> Result<(), JsValue> {
    for (token, &(x, y)) in tokens.iter().zip(drawn_at) {
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
        }
    }
    context.set_global_alpha(1.0);
    context.set_text_align("center");
    context.set_fill_style_str(&colours.get("--ink"));
    context.set_font("12px system-ui, sans-serif");
    for (token, &(x, y)) in tokens.iter().zip(drawn_at) {
        context.fill_text(
            &crate::layout::clip(&token.label, 12),
            x,
            y + TOKEN_RADIUS + 12.0,
        )?;
    }
    context.set_fill_style_str(&colours.get("--muted"));
    context.set_font("10px system-ui, sans-serif");
    for (token, &(x, y)) in tokens.iter().zip(drawn_at) {
        context.fill_text(
            &crate::layout::clip(&token.note, 14),
            x,
            y + TOKEN_RADIUS + 23.0,
        )?;
    }
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

/// Paints the timeline once, cursor included; see [`TimelinePainter`] for
/// the canvas on the page.
pub fn timeline(canvas: &HtmlCanvasElement, layout: &TimelineLayout) -> Result<(), JsValue> {
    let mut surface = Surface::default();
    let (context, colours) = surface.prepare(canvas, layout.height, 0)?;
    timeline_frame(&context, colours, layout)?;
    timeline_content(&context, colours, layout)?;
    timeline_cursor(&context, colours, layout.cursor_x, layout.height);
    Ok(())
}

/// The timeline of one replay on one canvas, frame after frame. The whole
/// picture (every lane to its end) is painted once per replay, axis and
/// size into an offscreen canvas, and so is its frame (lane labels and
/// rules, the axis); a frame is then two copies, the picture's only up to
/// the cursor, and the cursor. A thousand lanes cost what three do.
#[derive(Default)]
pub struct TimelinePainter {
    pub surface: Surface,
    /// The language of the axis's labels.
    pub lang: Lang,
    cache: Option<TimelineCache>,
    /// Where the cursor was last painted (with the cache's key): a cursor
    /// that moved right only needs the strip from there to its new place
    /// painted again.
    painted: Option<((u64, Axis, u64, Lang), f64)>,
}

struct TimelineCache {
    key: (u64, Axis, u64, Lang),
    frame: HtmlCanvasElement,
    picture: HtmlCanvasElement,
    height: f64,
    plot_left: f64,
    plot_right: f64,
}

/// The picture is revealed this far past the cursor, in CSS pixels, so
/// instant work at the cursor's moment shows (bars are at least 2 px wide,
/// marks 4 px either side of their moment).
const REVEAL_PAST_CURSOR: f64 = 4.0;

impl TimelinePainter {
    /// Paints moment `head_index` (virtual time `head_time`) of `replay`;
    /// `generation` names the replay, `view` as in [`Surface`].
    #[allow(clippy::too_many_arguments)]
    pub fn paint(
        &mut self,
        canvas: &HtmlCanvasElement,
        replay: &Replay,
        generation: u64,
        axis: Axis,
        view: u64,
        head_index: usize,
        head_time: f64,
    ) -> Result<(), JsValue> {
        let width = self.surface.width(canvas, view);
        let key = (generation, axis, view, self.lang);
        if self.cache.as_ref().map(|cache| cache.key) != Some(key) {
            self.cache = None;
            let layout = layout::timeline_in(
                replay,
                axis,
                replay.len(),
                replay.end_time(),
                width,
                self.lang,
            );
            // Size the page's canvas first: the offscreen ones copy it.
            self.surface.prepare(canvas, layout.height, view)?;
            let frame = offscreen_like(canvas)?;
            let picture = offscreen_like(canvas)?;
            let ratio = self.surface.ratio;
            let (_, colours) = self.surface.prepare(canvas, layout.height, view)?;
            let context = context_of(&frame)?;
            context.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
            timeline_frame(&context, colours, &layout)?;
            let context = context_of(&picture)?;
            context.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
            timeline_content(&context, colours, &layout)?;
            self.cache = Some(TimelineCache {
                key,
                frame,
                picture,
                height: layout.height,
                plot_left: layout.plot_left,
                plot_right: layout.plot_right,
            });
        }
        let Some(cache) = &self.cache else {
            return Ok(());
        };
        let ratio = self.surface.ratio;
        let (context, colours) = self.surface.prepare(canvas, cache.height, view)?;
        let cursor_x = layout::Scale::new(replay, axis, cache.plot_left, cache.plot_right)
            .x(head_index, head_time);
        let columns = f64::from(canvas.width());
        let rows = f64::from(canvas.height());
        // The device-pixel columns to paint again: all of them, or (the
        // cursor moved right) from the old cursor's left edge (less a
        // pixel: its antialiasing) to the new reveal.
        let left = match self.painted {
            Some((painted_key, painted_x)) if painted_key == key && cursor_x >= painted_x => {
                ((painted_x - 1.0) * ratio).floor() - 1.0
            }
            _ => 0.0,
        }
        .max(0.0);
        let reveal = ((cursor_x + REVEAL_PAST_CURSOR) * ratio)
            .ceil()
            .min(columns);
        context.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        let copy = |source: &HtmlCanvasElement, from: f64, to: f64| {
            if to > from && rows > 0.0 {
                context
                    .draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                        source,
                        from,
                        0.0,
                        to - from,
                        rows,
                        from,
                        0.0,
                        to - from,
                        rows,
                    )
            } else {
                Ok(())
            }
        };
        if left == 0.0 {
            context.draw_image_with_html_canvas_element(&cache.frame, 0.0, 0.0)?;
        } else {
            copy(&cache.frame, left, reveal.max(left))?;
        }
        copy(
            &cache.picture,
            left.max((cache.plot_left * ratio).floor()),
            reveal,
        )?;
        context.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        timeline_cursor(&context, colours, cursor_x, cache.height);
        self.painted = Some((key, cursor_x));
        Ok(())
    }
}

/// A canvas off the page, the size of `canvas` in device pixels.
fn offscreen_like(canvas: &HtmlCanvasElement) -> Result<HtmlCanvasElement, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let offscreen: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    offscreen.set_width(canvas.width());
    offscreen.set_height(canvas.height());
    Ok(offscreen)
}

/// What does not move: the background, lane labels and rules, the axis.
fn timeline_frame(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    layout: &TimelineLayout,
) -> Result<(), JsValue> {
    fill_background(
        context,
        colours,
        layout.plot_right + 8.0,
        layout.height.ceil(),
    );
    let ink = colours.get("--ink");
    let muted = colours.get("--muted");
    let line = colours.get("--line");
    context.set_font("12px system-ui, sans-serif");
    let lane_height = layout.lane_height;
    if lane_height >= 12.0 {
        for lane in &layout.lanes {
            context.set_fill_style_str(&colours.task(lane.colour));
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
    Ok(())
}

/// The lanes' bars, the await links and the marks.
fn timeline_content(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    layout: &TimelineLayout,
) -> Result<(), JsValue> {
    let ink = colours.get("--ink");
    let lane_height = layout.lane_height;
    for lane in &layout.lanes {
        let colour = colours.task(lane.colour);
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
    // Await links: from the waiting task's lane (a dot, in its colour) to
    // the awaited task's (an arrowhead).
    context.set_line_width(1.0);
    for link in &layout.links {
        let colour = colours.task(link.colour);
        context.set_stroke_style_str(&colour);
        context.set_fill_style_str(&colour);
        context.set_global_alpha(0.8);
        context.begin_path();
        context.move_to(link.x, link.from_y);
        context.line_to(link.x, link.to_y);
        context.stroke();
        context.begin_path();
        context.arc(link.x, link.from_y, 2.0, 0.0, std::f64::consts::TAU)?;
        context.fill();
        fill_arrowhead(context, link.x, link.from_y, link.to_y, 3.0, 5.0);
    }
    context.set_global_alpha(1.0);
    context.set_font("10px ui-monospace, monospace");
    for exchange in &layout.exchanges {
        let colour = colours.task(exchange.colour);
        context.set_stroke_style_str(&colour);
        context.set_fill_style_str(&colour);
        context.set_line_width(1.5);
        context.begin_path();
        context.move_to(exchange.x, exchange.from_y);
        context.line_to(exchange.x, exchange.to_y);
        context.stroke();
        // The arrowhead, at the receiving lane.
        fill_arrowhead(
            context,
            exchange.x,
            exchange.from_y,
            exchange.to_y,
            3.5,
            6.0,
        );
        if !exchange.label.is_empty() {
            context.set_fill_style_str(&ink);
            context.fill_text(
                &exchange.label,
                exchange.x + 3.0,
                (exchange.from_y + exchange.to_y) / 2.0 + 3.0,
            )?;
        }
    }
    for mark in &layout.marks {
        let property = match mark.kind {
            MarkKind::Print => "--mark-print",
            MarkKind::Error => "--mark-error",
            MarkKind::Cancel => "--mark-cancel",
        };
        context.set_fill_style_str(&colours.get(property));
        context.begin_path();
        // A shape per kind, so colour is never the only difference: a dot
        // for a print, a diamond for an error, a square for a cancellation.
        match mark.kind {
            MarkKind::Print => context.arc(mark.x, mark.y, 3.0, 0.0, std::f64::consts::TAU)?,
            MarkKind::Error => {
                context.move_to(mark.x, mark.y - 6.0);
                context.line_to(mark.x + 4.0, mark.y);
                context.line_to(mark.x, mark.y + 6.0);
                context.line_to(mark.x - 4.0, mark.y);
            }
            MarkKind::Cancel => context.rect(mark.x - 3.5, mark.y - 3.5, 7.0, 7.0),
        }
        context.close_path();
        context.fill();
    }
    Ok(())
}

fn timeline_cursor(
    context: &CanvasRenderingContext2d,
    colours: &mut Colours,
    cursor_x: f64,
    height: f64,
) {
    context.set_fill_style_str(&colours.get("--accent"));
    context.fill_rect(cursor_x - 1.0, 0.0, 2.0, height - 20.0);
}

/// A filled arrowhead at `(x, to_y)` on a vertical line coming from
/// `from_y`: `half_width` to each side, `length` long.
fn fill_arrowhead(
    context: &CanvasRenderingContext2d,
    x: f64,
    from_y: f64,
    to_y: f64,
    half_width: f64,
    length: f64,
) {
    let towards = if to_y >= from_y { 1.0 } else { -1.0 };
    context.begin_path();
    context.move_to(x, to_y);
    context.line_to(x - half_width, to_y - length * towards);
    context.line_to(x + half_width, to_y - length * towards);
    context.close_path();
    context.fill();
}
