//! What a test sees of a terminal: the buffer as text, a `TestBackend` that hands each
//! frame it is flushed to the test, and a session's record of those frames.

use std::sync::Mutex;

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use tokio::sync::Notify;

/// The buffer as plain text, one line per row, a wide character once (not with the cell
/// it covers).
pub fn text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut covered = 0;
        for x in 0..buffer.area.width {
            if covered > 0 {
                covered -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            out.push_str(symbol);
            covered = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// A `TestBackend` that hands each frame it is flushed to `on_frame`: tests count the
/// frames, or read each one as it is drawn.
pub struct WatchedBackend<F> {
    inner: TestBackend,
    on_frame: F,
}

impl<F: FnMut(&Buffer)> WatchedBackend<F> {
    pub fn new(width: u16, height: u16, on_frame: F) -> Self {
        Self {
            inner: TestBackend::new(width, height),
            on_frame,
        }
    }
}

impl<F: FnMut(&Buffer)> Backend for WatchedBackend<F> {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        (self.on_frame)(self.inner.buffer());
        Ok(())
    }
}

/// The frames a session's backend is flushed to: the last one, and the first that held a
/// control or escape character.
#[derive(Default)]
pub(super) struct Screen {
    last: Mutex<Buffer>,
    pub(super) drawn: Notify,
    unsafe_frame: Mutex<Option<String>>,
}

impl Screen {
    /// Takes a frame as drawn.
    pub(super) fn publish(&self, frame: &Buffer) {
        let shown = text(frame);
        if shown
            .chars()
            .any(|c| c != '\n' && (c.is_control() || crate::text::is_unsafe(c)))
        {
            self.unsafe_frame
                .lock()
                .unwrap()
                .get_or_insert(shown.clone());
        }
        *self.last.lock().unwrap() = frame.clone();
        self.drawn.notify_waiters();
    }

    pub(super) fn last(&self) -> Buffer {
        self.last.lock().unwrap().clone()
    }

    pub(super) fn unsafe_frame(&self) -> Option<String> {
        self.unsafe_frame.lock().unwrap().clone()
    }
}
