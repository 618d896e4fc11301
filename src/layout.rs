//! The geometry of the two canvases, from the replay model: pure Rust,
//! tested natively. `draw.rs` only paints what this places.
//!
//! - The loop view: places (running, ready queue, timers, waiting on,
//!   primitives, threads, done) as labelled boxes, and a token per task or
//!   job in the place it is at this moment. Tokens are keyed, so the
//!   painter can move a token smoothly from its old place to its new one.
//! - The timeline: a lane per task and thread job, stretches coloured by
//!   phase, await links, marks, the cursor, on a time or a step axis.

use loopscope_trace::{Actor, ObjectId, Settlement};

use crate::i18n::{Lang, T};
use crate::replay::{GeneratorState, JobState, MarkKind, Passing, Phase, Replay, State, TaskState};

/// Who a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKey {
    Task(ObjectId),
    Job(ObjectId),
    /// A ready callback or timer that steps no task.
    Handle(ObjectId),
    Generator(ObjectId),
    /// An HTTP request (by its place in [`crate::replay::Catalog::requests`])
    /// that no task waits for (a thread job's or the main program's).
    Request(usize),
}

/// A coloured disc with a label.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub key: TokenKey,
    pub x: f64,
    pub y: f64,
    /// Palette index; `None`: the neutral colour.
    pub colour: Option<usize>,
    pub label: String,
    /// A second, smaller line under the label.
    pub note: String,
    pub done: bool,
    /// Drawn as a ring: a timer that will wake the task of that colour.
    pub hollow: bool,
}

/// A labelled area of the loop view.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub title: String,
    /// Tokens of this place not drawn (past [`MAX_TOKEN_ROWS`] rows).
    pub hidden: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Lines of text shown in the place instead of tokens (the values
    /// passing between generators and their callers).
    pub notes: Vec<String>,
}

/// The height of a line of [`Place::notes`].
pub const NOTE_LINE: f64 = 18.0;
/// How many of the latest values passed the loop view lists.
pub const EXCHANGES_SHOWN: usize = 4;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoopLayout {
    pub places: Vec<Place>,
    pub tokens: Vec<Token>,
    /// The clock line: `t = 1.250 s · iteration 4`.
    pub clock: String,
    pub height: f64,
}

/// Radius of a token, in CSS pixels.
pub const TOKEN_RADIUS: f64 = 9.0;
const ROW: f64 = 46.0;
const PAD: f64 = 10.0;
const SLOT: f64 = 86.0;
/// The most rows of tokens a place shows; the rest are counted.
pub const MAX_TOKEN_ROWS: usize = 3;

fn task_token(replay: &Replay, id: ObjectId, note: String) -> Option<Token> {
    let task = replay.catalog.task(id)?;
    if task.internal {
        return None;
    }
    Some(Token {
        key: TokenKey::Task(id),
        x: 0.0,
        y: 0.0,
        colour: Some(task.colour),
        label: task.name.clone(),
        note,
        done: false,
        hollow: false,
    })
}

/// Lays out the loop view of `state` in a canvas `width` CSS pixels wide,
/// labelled in English.
pub fn loop_view(replay: &Replay, state: &State, width: f64) -> LoopLayout {
    loop_view_in(replay, state, width, Lang::En)
}

/// [`loop_view`], labelled in `lang`.
pub fn loop_view_in(replay: &Replay, state: &State, width: f64, lang: Lang) -> LoopLayout {
    let catalog = &replay.catalog;
    let seconds = crate::decimal::fixed3;
    let mut layout = LoopLayout {
        clock: lang.fill(
            T::Clock,
            &[
                &seconds(state.time),
                &state.iteration,
                &state.index,
                &replay.len(),
            ],
        ),
        ..LoopLayout::default()
    };
    let inner = (width - 2.0 * PAD).max(SLOT);
    let per_row = ((inner - 16.0) / SLOT).floor().max(1.0) as usize;
    // The top of the next place (shared by the `place` closure and the
    // places made by hand).
    let next_y = std::cell::Cell::new(30.0);
    // Each place: a title and its tokens in rows of `per_row`. Only the
    // tokens shown are made (`tokens` is lazy); `total` counts them all.
    let shown_max = per_row * MAX_TOKEN_ROWS;
    let place = |layout: &mut LoopLayout,
                 title: String,
                 total: usize,
                 tokens: &mut dyn Iterator<Item = Token>| {
        let y = next_y.get();
        let mut count = 0;
        for mut token in tokens.take(shown_max) {
            token.x = PAD + 8.0 + SLOT / 2.0 + (count % per_row) as f64 * SLOT;
            token.y = y + 22.0 + TOKEN_RADIUS + 2.0 + (count / per_row) as f64 * ROW;
            layout.tokens.push(token);
            count += 1;
        }
        let rows = count.div_ceil(per_row).max(1);
        let height = 22.0 + rows as f64 * ROW;
        layout.places.push(Place {
            title,
            hidden: total.saturating_sub(count),
            x: PAD,
            y,
            width: inner,
            height,
            notes: Vec::new(),
        });
        next_y.set(y + height + 8.0);
    };
    let generator_token = |position: usize, note: String, done: bool| {
        let generator = catalog.generators.get(position)?;
        Some(Token {
            key: TokenKey::Generator(generator.id),
            x: 0.0,
            y: 0.0,
            colour: Some(generator.colour),
            label: generator.name.clone(),
            note,
            done,
            hollow: false,
        })
    };

    // Running.
    let mut running: Vec<Token> = match state.running {
        Some(Actor::Task(id)) => task_token(replay, id, lang.t(T::NoteRunning).into())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    // A generator runs inside whoever resumed it: the innermost is shown.
    if let Some(&generator) = state.generator_stack.last() {
        let position = catalog.generator_position(generator);
        running.extend(
            position.and_then(|p| generator_token(p, lang.t(T::NoteRunning).into(), false)),
        );
    }
    let title = match state.blocked_until {
        Some(until) => lang.fill(T::RunningBlocked, &[&seconds(until)]),
        None if running.is_empty()
            && !catalog.generators.is_empty()
            && catalog.tasks.is_empty() =>
        {
            lang.t(T::RunningMain).to_string()
        }
        None if running.is_empty() => lang.t(T::RunningLoop).to_string(),
        None => lang.t(T::PlaceRunning).to_string(),
    };
    place(&mut layout, title, running.len(), &mut running.into_iter());

    // The loop's places (a plain generator program has no loop).
    if catalog.has_event_loop || !catalog.tasks.is_empty() {
        // The ready queue, first in line on the left.
        let mut ready = state.ready.iter().map(|callback| {
            let short = callback.callback.rsplit('.').next().unwrap_or("");
            match callback
                .task
                .and_then(|id| task_token(replay, id, short.to_string()))
            {
                Some(token) => token,
                None => Token {
                    key: TokenKey::Handle(callback.handle),
                    x: 0.0,
                    y: 0.0,
                    colour: None,
                    label: short.trim_start_matches('_').to_string(),
                    note: lang.t(T::NoteCallback).into(),
                    done: false,
                    hollow: false,
                },
            }
        });
        place(
            &mut layout,
            lang.fill(T::ReadyQueue, &[&state.ready.len()]),
            state.ready.len(),
            &mut ready,
        );

        // Timers by deadline.
        let mut timers = state.timers().map(|timer| {
            let note = lang.fill(T::AtTime, &[&seconds(timer.when)]);
            match timer
                .task
                .and_then(|id| task_token(replay, id, note.clone()))
            {
                Some(mut token) => {
                    // A task's token is where the task is; its timer is a
                    // separate, neutral token beside the clock.
                    token.key = TokenKey::Handle(timer.handle);
                    token.hollow = true;
                    token
                }
                None => Token {
                    key: TokenKey::Handle(timer.handle),
                    x: 0.0,
                    y: 0.0,
                    colour: None,
                    label: lang.t(T::NoteTimer).into(),
                    note,
                    done: false,
                    hollow: false,
                },
            }
        });
        place(
            &mut layout,
            lang.t(T::Timers).to_string(),
            state.timer_count(),
            &mut timers,
        );

        // Tasks waiting, grouped by what they wait on: primitives first, then
        // HTTP responses.
        let mut waiting_elsewhere = Vec::new();
        let mut waiting_for_network = Vec::new();
        let mut primitive_waiters: Vec<Vec<(ObjectId, Option<ObjectId>)>> =
            vec![Vec::new(); catalog.primitives.len()];
        for (position, task) in catalog.visible_tasks() {
            if let Some(TaskState::Waiting { awaiting }) = state.task_state(position) {
                let role_target = awaiting
                    .and_then(|f| catalog.roles.get(&f))
                    .and_then(|role| role.targets.first().copied());
                let primitive = role_target
                    .and_then(|target| catalog.primitives.iter().position(|(id, _)| *id == target));
                let network = awaiting
                    .and_then(|f| catalog.roles.get(&f))
                    .is_some_and(|role| role.kind == "network");
                match primitive.and_then(|p| primitive_waiters.get_mut(p)) {
                    Some(waiters) => waiters.push((task.id, *awaiting)),
                    None if network => waiting_for_network.push(task.id),
                    None => waiting_elsewhere.push((task.id, *awaiting)),
                }
            }
        }
        let waiter_token = |&(task, awaiting): &(ObjectId, Option<ObjectId>)| {
            let what = awaiting
                .map(|f| catalog.describe_future_in(f, lang))
                .unwrap_or_else(|| lang.t(T::NextIteration).to_string());
            task_token(replay, task, what)
        };
        for ((_, kind), waiters) in catalog.primitives.iter().zip(&primitive_waiters) {
            place(
                &mut layout,
                lang.fill(T::Waiters, &[&capitalised(kind)]),
                waiters.len(),
                &mut waiters.iter().filter_map(waiter_token),
            );
        }
        if !catalog.requests.is_empty() {
            // The request each waiting task sent last, and the requests of
            // thread jobs and the main program still on their way.
            let sent = catalog.requests.partition_point(|r| r.event < state.index);
            let request_of = |task: ObjectId| {
                catalog.requests[..sent]
                    .iter()
                    .rev()
                    .find(|r| r.actor == Actor::Task(task))
            };
            let note = |request: &crate::replay::Request| {
                format!("{} → {}", clip(&request.short(), 12), request.status)
            };
            let others: Vec<usize> = (0..sent)
                .filter(|&k| {
                    let request = &catalog.requests[k];
                    !matches!(request.actor, Actor::Task(_))
                        && request.in_flight(state.index, state.time)
                })
                .collect();
            let mut tokens = waiting_for_network
                .iter()
                .filter_map(|&task| {
                    let what =
                        request_of(task).map_or_else(|| lang.t(T::NoteResponse).to_string(), note);
                    task_token(replay, task, what)
                })
                .chain(others.iter().filter_map(|&k| {
                    let request = catalog.requests.get(k)?;
                    Some(Token {
                        key: TokenKey::Request(k),
                        x: 0.0,
                        y: 0.0,
                        colour: None,
                        label: catalog.actor_name(request.actor, lang),
                        note: note(request),
                        done: false,
                        hollow: false,
                    })
                }));
            place(
                &mut layout,
                lang.t(T::Network).to_string(),
                waiting_for_network.len() + others.len(),
                &mut tokens,
            );
        }
        place(
            &mut layout,
            lang.t(T::WaitingPlace).to_string(),
            waiting_elsewhere.len(),
            &mut waiting_elsewhere.iter().filter_map(waiter_token),
        );
    }

    // Thread jobs.
    if !catalog.jobs.is_empty() {
        let jobs: Vec<Token> = catalog
            .jobs
            .iter()
            .enumerate()
            .filter_map(|(position, job)| {
                let state = state.jobs.get(position)?.as_ref()?;
                let note = match state {
                    JobState::Queued => lang.t(T::NoteQueued).to_string(),
                    JobState::Running => lang.t(T::NoteRunning).to_string(),
                    JobState::Sleeping { until } => lang.fill(T::SleepsTo, &[&seconds(*until)]),
                    JobState::Done(_) | JobState::Dropped => return None,
                };
                Some(Token {
                    key: TokenKey::Job(job.id),
                    x: 0.0,
                    y: 0.0,
                    colour: None,
                    label: job.function.clone(),
                    note,
                    done: false,
                    hollow: false,
                })
            })
            .collect();
        place(
            &mut layout,
            lang.t(T::ThreadPool).to_string(),
            jobs.len(),
            &mut jobs.into_iter(),
        );
    }

    // Generators: the suspended ones (and those not started), then the
    // values that passed lately between them and their callers.
    if !catalog.generators.is_empty() {
        let paused: Vec<(usize, String)> = state
            .generators
            .iter()
            .enumerate()
            .filter_map(|(position, generator)| match generator.as_ref()? {
                GeneratorState::Created => Some((position, lang.t(T::NotStarted).to_string())),
                GeneratorState::Suspended { line, value } => {
                    Some((position, lang.fill(T::LineValue, &[line, &clip(value, 8)])))
                }
                GeneratorState::Running | GeneratorState::Finished(_) => None,
            })
            .collect();
        place(
            &mut layout,
            lang.t(T::GeneratorsSuspended).to_string(),
            paused.len(),
            &mut paused
                .into_iter()
                .filter_map(|(position, note)| generator_token(position, note, false)),
        );
        let shown = catalog.exchanges_before(state.index);
        let notes: Vec<String> = catalog.exchanges[shown.saturating_sub(EXCHANGES_SHOWN)..shown]
            .iter()
            .map(|exchange| {
                let generator = catalog.actor_name(Actor::Generator(exchange.generator), lang);
                let caller = catalog.actor_name(exchange.caller, lang);
                let what = clip(&exchange.describe(), 48);
                match exchange.passing {
                    Passing::In => format!("{caller} → {generator}: {what}"),
                    Passing::Out => format!("{generator} → {caller}: {what}"),
                }
            })
            .collect();
        let height = 22.0 + NOTE_LINE * notes.len().max(1) as f64;
        let y = next_y.get();
        layout.places.push(Place {
            title: lang.t(T::ValuesPassed).to_string(),
            hidden: 0,
            x: PAD,
            y,
            width: inner,
            height,
            notes,
        });
        next_y.set(y + height + 8.0);
    }

    // Done.
    let done: Vec<(usize, &Settlement)> = catalog
        .visible_tasks()
        .filter_map(|(position, _)| match state.task_state(position) {
            Some(TaskState::Done(settlement)) => Some((position, settlement)),
            _ => None,
        })
        .collect();
    let mut done_tokens = done.iter().filter_map(|&(position, settlement)| {
        let note = match settlement {
            Settlement::Result(value) => format!("= {}", clip(value, 10)),
            Settlement::Exception(error) => clip(error, 12),
            Settlement::Cancelled => lang.t(T::Cancelled).to_string(),
        };
        let mut token = task_token(replay, catalog.tasks.get(position)?.id, note)?;
        token.done = true;
        Some(token)
    });
    place(
        &mut layout,
        lang.t(T::DonePlace).to_string(),
        done.len(),
        &mut done_tokens,
    );
    layout.height = next_y.get() + 4.0;
    layout
}

/// `text` with its first letter in upper case, if ASCII (the kinds of
/// primitives the runtime records are: `lock`, `event`, ...). Not
/// `char::to_uppercase`, whose Unicode tables would cost the page's wasm
/// several KB.
fn capitalised(text: &str) -> String {
    let mut text = text.to_string();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// At most `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The timeline's horizontal axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Virtual seconds.
    Time,
    /// One equal step per event: zero-duration work gets room.
    Step,
}

/// A lane: one task or job.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub label: String,
    pub colour: Option<usize>,
    pub y: f64,
    pub bars: Vec<Bar>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarkAt {
    pub x: f64,
    pub y: f64,
    pub kind: MarkKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub x: f64,
    /// The waiting task's lane (centre).
    pub from_y: f64,
    /// The awaited task's lane (centre).
    pub to_y: f64,
    /// The waiting task's colour.
    pub colour: Option<usize>,
}

/// A value passing between a generator's lane and its caller's: an arrow
/// from `from_y` to `to_y` at `x`, labelled when there is room.
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeAt {
    pub x: f64,
    pub from_y: f64,
    pub to_y: f64,
    /// The generator's colour.
    pub colour: Option<usize>,
    /// `send(1)`, `yield None`...; empty when the previous label is too near.
    pub label: String,
}

/// Labels of values passed are drawn at least this far apart (CSS pixels).
const EXCHANGE_LABEL_SPACING: f64 = 48.0;

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineLayout {
    pub lanes: Vec<Lane>,
    /// Values passed between generators and their callers.
    pub exchanges: Vec<ExchangeAt>,
    /// The height of every lane (thinner when there are many).
    pub lane_height: f64,
    pub marks: Vec<MarkAt>,
    pub links: Vec<Link>,
    pub cursor_x: f64,
    /// `(x, label)` of the axis ticks.
    pub ticks: Vec<(f64, String)>,
    pub plot_left: f64,
    pub plot_right: f64,
    pub height: f64,
}

/// A lane's height with few lanes; many lanes share [`MAX_LANES_HEIGHT`].
pub const LANE_HEIGHT: f64 = 18.0;
/// The most height the lanes take together, in CSS pixels, before lanes get
/// thinner (down to [`MIN_LANE_HEIGHT`]).
pub const MAX_LANES_HEIGHT: f64 = 540.0;
pub const MIN_LANE_HEIGHT: f64 = 0.5;
pub const LABEL_WIDTH: f64 = 96.0;
const AXIS_HEIGHT: f64 = 22.0;
/// The narrowest bar drawn, so instant work stays visible.
const MIN_BAR: f64 = 2.0;

/// Maps moments (event indices) and times to x on one axis.
pub struct Scale {
    axis: Axis,
    left: f64,
    width: f64,
    end_time: f64,
    events: usize,
}

impl Scale {
    pub fn new(replay: &Replay, axis: Axis, left: f64, right: f64) -> Scale {
        Scale {
            axis,
            left,
            width: (right - left).max(1.0),
            end_time: replay.end_time().max(1e-9),
            events: replay.len().max(1),
        }
    }

    /// The x of moment `index` (virtual time `time` on the time axis).
    pub fn x(&self, index: usize, time: f64) -> f64 {
        let share = match self.axis {
            Axis::Time => time / self.end_time,
            Axis::Step => index as f64 / self.events as f64,
        };
        self.left + share.clamp(0.0, 1.0) * self.width
    }
}

/// Lays out the timeline for the moment `head_index` (virtual time
/// `head_time`) on a canvas `width` CSS pixels wide, labelled in English.
pub fn timeline(
    replay: &Replay,
    axis: Axis,
    head_index: usize,
    head_time: f64,
    width: f64,
) -> TimelineLayout {
    timeline_in(replay, axis, head_index, head_time, width, Lang::En)
}

/// [`timeline`], labelled in `lang`.
pub fn timeline_in(
    replay: &Replay,
    axis: Axis,
    head_index: usize,
    head_time: f64,
    width: f64,
    lang: Lang,
) -> TimelineLayout {
    let catalog = &replay.catalog;
    let plot_left = LABEL_WIDTH.min(width * 0.3);
    let plot_right = (width - 8.0).max(plot_left + 1.0);
    let scale = Scale::new(replay, axis, plot_left, plot_right);
    let time_of = |index: usize| {
        replay
            .trace
            .events
            .get(index)
            .map_or(replay.end_time(), |e| e.time)
    };
    let x_of = |index: usize| scale.x(index, time_of(index));
    let mut lanes = Vec::new();
    let mut lane_of_task = std::collections::HashMap::new();
    let lane_count = catalog.visible_tasks().count()
        + catalog.jobs.len()
        + catalog.generators.len()
        + usize::from(catalog.main_drives_generators);
    let lane_height =
        (MAX_LANES_HEIGHT / lane_count.max(1) as f64).clamp(MIN_LANE_HEIGHT, LANE_HEIGHT);
    let mut y = 4.0;
    let main_lane = catalog.main_drives_generators.then_some(y);
    if catalog.main_drives_generators {
        lanes.push(Lane {
            label: "main".to_string(),
            colour: None,
            y,
            bars: bars(&catalog.main_segments, &x_of, head_index),
        });
        y += lane_height;
    }
    for (position, task) in catalog.visible_tasks() {
        lane_of_task.insert(task.id, y);
        let bars = bars(&catalog.task_segments[position], &x_of, head_index);
        lanes.push(Lane {
            label: task.name.clone(),
            colour: Some(task.colour),
            y,
            bars,
        });
        y += lane_height;
    }
    let mut lane_of_job = std::collections::HashMap::new();
    for (position, job) in catalog.jobs.iter().enumerate() {
        lane_of_job.insert(job.id, y);
        let bars = bars(&catalog.job_segments[position], &x_of, head_index);
        lanes.push(Lane {
            label: format!("⚙ {}", job.function),
            colour: None,
            y,
            bars,
        });
        y += lane_height;
    }
    let mut lane_of_generator = std::collections::HashMap::new();
    for (position, generator) in catalog.generators.iter().enumerate() {
        lane_of_generator.insert(generator.id, y);
        let segments = catalog
            .generator_segments
            .get(position)
            .map_or(&[][..], Vec::as_slice);
        lanes.push(Lane {
            label: format!("↻ {}", generator.name),
            colour: Some(generator.colour),
            y,
            bars: bars(segments, &x_of, head_index),
        });
        y += lane_height;
    }
    let lane_of = |actor: Actor| match actor {
        Actor::Main => main_lane,
        Actor::Task(id) => lane_of_task.get(&id).copied(),
        Actor::Job(id) => lane_of_job.get(&id).copied(),
        Actor::Generator(id) => lane_of_generator.get(&id).copied(),
    };
    let mut last_label_x = f64::NEG_INFINITY;
    let labelled = lane_height >= 12.0;
    let exchanges = catalog
        .exchanges
        .iter()
        .filter(|exchange| exchange.event < head_index)
        .filter_map(|exchange| {
            let caller = lane_of(exchange.caller)? + lane_height / 2.0;
            let generator = lane_of(Actor::Generator(exchange.generator))? + lane_height / 2.0;
            let (from_y, to_y) = match exchange.passing {
                Passing::In => (caller, generator),
                Passing::Out => (generator, caller),
            };
            let x = x_of(exchange.event);
            let label = if labelled && x - last_label_x >= EXCHANGE_LABEL_SPACING {
                last_label_x = x;
                clip(&exchange.describe(), 12)
            } else {
                String::new()
            };
            Some(ExchangeAt {
                x,
                from_y,
                to_y,
                colour: catalog.generator(exchange.generator).map(|g| g.colour),
                label,
            })
        })
        .collect();
    let marks = catalog
        .marks
        .iter()
        .filter(|mark| mark.event < head_index)
        .filter_map(|mark| {
            let lane = match mark.actor {
                Actor::Main => None,
                actor => lane_of(actor),
            }?;
            Some(MarkAt {
                x: x_of(mark.event),
                y: lane + lane_height / 2.0,
                kind: mark.kind,
            })
        })
        .collect();
    let links = catalog
        .links
        .iter()
        .filter(|link| link.event < head_index)
        .filter_map(|link| {
            Some(Link {
                colour: catalog.task(link.waiter).map(|task| task.colour),
                x: x_of(link.event),
                from_y: lane_of_task.get(&link.waiter)? + lane_height / 2.0,
                to_y: lane_of_task.get(&link.awaited)? + lane_height / 2.0,
            })
        })
        .collect();
    let ticks = ticks(replay, axis, &scale, lang);
    TimelineLayout {
        lanes,
        exchanges,
        lane_height,
        marks,
        links,
        cursor_x: scale.x(head_index, head_time),
        ticks,
        plot_left,
        plot_right,
        height: y + AXIS_HEIGHT + 4.0,
    }
}

/// A lane's bars up to the cursor (the future is not drawn yet).
fn bars(
    segments: &[crate::replay::Segment],
    x_of: &impl Fn(usize) -> f64,
    head_index: usize,
) -> Vec<Bar> {
    segments
        .iter()
        .filter(|segment| segment.start < head_index)
        .map(|segment| {
            let x = x_of(segment.start);
            let end = if segment.phase == Phase::Done {
                segment.start
            } else {
                segment.end.min(head_index)
            };
            let width = (x_of(end) - x).max(MIN_BAR);
            Bar {
                x,
                width,
                phase: segment.phase,
            }
        })
        .collect()
}

fn ticks(replay: &Replay, axis: Axis, scale: &Scale, lang: Lang) -> Vec<(f64, String)> {
    match axis {
        Axis::Time => {
            let end = replay.end_time();
            let step = nice_step(end / 6.0);
            let mut ticks = Vec::new();
            let mut t = 0.0;
            while t <= end + 1e-9 && ticks.len() < 50 {
                ticks.push((scale.x(0, t), lang.fill(T::Seconds, &[&trim_float(t)])));
                t += step;
            }
            ticks
        }
        Axis::Step => {
            let events = replay.len();
            let step = nice_step(events as f64 / 6.0).max(1.0) as usize;
            (0..=events)
                .step_by(step)
                .take(50)
                .map(|i| (scale.x(i, 0.0), format!("#{i}")))
                .collect()
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    for factor in [1.0, 2.0, 5.0, 10.0] {
        if factor * power >= raw {
            return factor * power;
        }
    }
    10.0 * power
}

fn trim_float(value: f64) -> String {
    crate::decimal::trimmed(value, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_trace::{Event, EventKind, Trace, Verdict};

    fn trace() -> Trace {
        use EventKind::*;
        let s = |t: &str| t.to_string();
        let kinds = vec![
            (
                0.0,
                TaskCreated {
                    task: 1,
                    name: s("Task-1"),
                    coroutine: s("main()"),
                    parent: None,
                    line: 9,
                },
            ),
            (
                0.0,
                CallbackScheduled {
                    handle: 10,
                    callback: s("Task.task_step"),
                },
            ),
            (
                0.0,
                CallbackRun {
                    handle: 10,
                    callback: s("Task.task_step"),
                },
            ),
            (
                0.0,
                TaskResumed {
                    task: 1,
                    thrown: None,
                },
            ),
            (
                0.0,
                TaskCreated {
                    task: 2,
                    name: s("Task-2"),
                    coroutine: s("work()"),
                    parent: Some(1),
                    line: 5,
                },
            ),
            (
                0.0,
                PrimitiveCreated {
                    object: 50,
                    kind: s("semaphore"),
                },
            ),
            (
                0.0,
                FutureRole {
                    future: 60,
                    role: loopscope_trace::FutureRole {
                        kind: s("semaphore"),
                        targets: vec![50],
                        detail: None,
                    },
                },
            ),
            (
                0.0,
                TimerSet {
                    handle: 11,
                    when: 2.0,
                    callback: s("_set_result_unless_cancelled"),
                },
            ),
            (
                0.0,
                TaskSuspended {
                    task: 1,
                    line: 7,
                    awaiting: Some(60),
                },
            ),
            (
                2.0,
                TaskFinished {
                    task: 2,
                    settlement: Settlement::Cancelled,
                },
            ),
        ];
        Trace {
            version: 1,
            seed: 0,
            events: kinds
                .into_iter()
                .enumerate()
                .map(|(i, (time, kind))| Event {
                    step: i as u64,
                    time,
                    iteration: 0,
                    kind,
                })
                .collect(),
            verdict: Some(Verdict {
                status: s("completed"),
                error: None,
                time: 2.0,
            }),
        }
    }

    #[test]
    fn tokens_sit_in_the_place_of_their_state() {
        let replay = Replay::new(trace());
        let running = loop_view(&replay, &replay.state_at(4), 400.0);
        let running_place = &running.places[0];
        let token = running
            .tokens
            .iter()
            .find(|t| t.key == TokenKey::Task(1))
            .expect("main");
        assert!(token.y > running_place.y && token.y < running_place.y + running_place.height);

        let later = loop_view(&replay, &replay.state_at(9), 400.0);
        let semaphore = later
            .places
            .iter()
            .find(|p| p.title.starts_with("Semaphore"))
            .expect("a place for the semaphore");
        let token = later
            .tokens
            .iter()
            .find(|t| t.key == TokenKey::Task(1))
            .expect("main");
        assert!(token.y > semaphore.y && token.y < semaphore.y + semaphore.height);
        assert_eq!(token.note, "semaphore");
        let timer = later
            .tokens
            .iter()
            .find(|t| t.key == TokenKey::Handle(11))
            .expect("timer");
        assert_eq!(timer.note, "at 2.000 s");
        assert!(later.clock.starts_with("t = 0.000 s"));
        let done = loop_view(&replay, &replay.state_at(10), 400.0);
        assert!(done
            .tokens
            .iter()
            .any(|t| t.key == TokenKey::Task(2) && t.done));
        // Everything fits in the width, and the height covers every place.
        for layout in [&running, &later, &done] {
            for token in &layout.tokens {
                assert!(token.x + TOKEN_RADIUS <= 400.0);
            }
            let last = layout.places.last().expect("places");
            assert!(layout.height >= last.y + last.height);
        }
    }

    #[test]
    fn a_narrow_canvas_wraps_tokens_into_rows() {
        let replay = Replay::new(trace());
        let layout = loop_view(&replay, &replay.state_at(5), 120.0);
        for token in &layout.tokens {
            assert!(token.x - TOKEN_RADIUS >= 0.0 && token.x + TOKEN_RADIUS <= 120.0);
        }
    }

    #[test]
    fn the_timeline_has_a_lane_per_task_and_bars_up_to_the_cursor() {
        let replay = Replay::new(trace());
        let layout = timeline(&replay, Axis::Step, 9, 0.0, 600.0);
        assert_eq!(layout.lanes.len(), 2);
        assert_eq!(layout.lanes[0].label, "Task-1");
        for bar in &layout.lanes[0].bars {
            assert!(bar.width >= MIN_BAR);
            assert!(bar.x >= layout.plot_left && bar.x <= layout.cursor_x + 0.001);
        }
        // On the time axis, instant work is still at least MIN_BAR wide.
        let timed = timeline(&replay, Axis::Time, 10, 2.0, 600.0);
        assert!(timed.lanes[0].bars.iter().all(|b| b.width >= MIN_BAR));
        assert_eq!(timed.cursor_x, timed.plot_right);
        assert_eq!(timed.marks.len(), 1);
        assert_eq!(timed.marks[0].kind, MarkKind::Cancel);
        assert_eq!(timed.ticks.first().map(|t| t.1.as_str()), Some("0s"));
        assert_eq!(timed.ticks.last().map(|t| t.1.as_str()), Some("2s"));
    }

    #[test]
    fn a_thousand_tasks_fit_in_bounded_canvases() {
        use EventKind::*;
        let mut events = Vec::new();
        for task in 0..1000u64 {
            events.push(Event {
                step: task,
                time: 0.0,
                iteration: 0,
                kind: TaskCreated {
                    task,
                    name: format!("Task-{task}"),
                    coroutine: "work()".into(),
                    parent: None,
                    line: 1,
                },
            });
            events.push(Event {
                step: task,
                time: 0.0,
                iteration: 0,
                kind: TaskSuspended {
                    task,
                    line: 2,
                    awaiting: Some(5000 + task),
                },
            });
        }
        let replay = Replay::new(Trace {
            version: 1,
            seed: 0,
            events,
            verdict: None,
        });
        let view = loop_view(&replay, &replay.state_at(replay.len()), 800.0);
        assert!(view.height < 1000.0, "{}", view.height);
        let waiting = view
            .places
            .iter()
            .find(|p| p.title.starts_with("Waiting"))
            .unwrap();
        assert_eq!(waiting.hidden + view.tokens.len(), 1000);
        let lanes = timeline(&replay, Axis::Step, replay.len(), 0.0, 800.0);
        assert_eq!(lanes.lanes.len(), 1000);
        assert!(lanes.height < MAX_LANES_HEIGHT + 50.0, "{}", lanes.height);
        let few = timeline(&Replay::new(trace()), Axis::Step, 3, 0.0, 800.0);
        assert_eq!(few.lane_height, LANE_HEIGHT);
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
