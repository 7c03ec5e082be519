"""Small modal screens: errors, a text prompt, a one-key choice, a searchable picker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from claimtrack.store.db import Case
    from claimtrack.tui.app import ReviewApp


class ErrorModal(ModalScreen[None]):
    """An error message; the app keeps running underneath."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="close-error")]

    def __init__(self, message: str, title: str = "Error") -> None:
        super().__init__()
        self.message = message
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box error-box"):
            yield Label(self.title_text, classes="modal-title")
            yield Static(self.message, id="error-message")
            yield Button("OK", id="error-ok", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """One line of text; Enter submits, Escape cancels (returns None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-prompt")]

    def __init__(
        self, title: str, value: str = "", placeholder: str = "", *, hint: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(self.title_text, classes="modal-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(self.hint or "enter: OK   escape: cancel", classes="modal-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[str | None]):
    """Pick one of a few options by its key (or arrows and Enter)."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="cancel-choice")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str, str]]) -> None:
        """``choices``: (key, value, label)."""
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(self.title_text, classes="modal-title")
            yield OptionList(
                *[
                    Option(Text.assemble((f"{k}", "bold"), f"  {label}"), id=v)
                    for k, v, label in self.choices
                ],
                id="choice-list",
            )
            yield Label("key or enter: choose   escape: cancel", classes="modal-hint")

    def on_key(self, event: events.Key) -> None:
        for key, value, _ in self.choices:
            if event.character == key:
                event.stop()
                self.dismiss(value)
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickerModal(ModalScreen[Any]):
    """Type to filter, arrows and Enter to pick. ``load(case, text)`` runs off the UI thread
    and returns (value, label) pairs."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-picker"),
        Binding("q", "cancel", "Cancel", show=False),  # q in the list must not quit the app
        Binding("down", "focus_list", "To list", show=False),
    ]

    def __init__(
        self,
        title: str,
        load: Callable[[Case, str], list[tuple[Any, str]]],
        *,
        extra: Sequence[tuple[Any, str]] = (),
    ) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.extra = list(extra)
        self.values: list[Any] = []
        self._generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box picker-box"):
            yield Label(self.title_text, classes="modal-title")
            yield Input(placeholder="type to filter", id="picker-input")
            yield OptionList(id="picker-list")
            yield Label("↓: list   enter: choose   escape: cancel", classes="modal-hint")

    def on_mount(self) -> None:
        self._reload("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._reload(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.values:
            option_list = self.query_one("#picker-list", OptionList)
            index = option_list.highlighted or 0
            self.dismiss(self.values[index])

    def _reload(self, text: str) -> None:
        self._generation += 1
        generation = self._generation
        app: ReviewApp = self.app  # type: ignore[assignment]

        def done(items: list[tuple[Any, str]]) -> None:
            if generation != self._generation:
                return
            items = self.extra + items
            self.values = [v for v, _ in items]
            option_list = self.query_one("#picker-list", OptionList)
            option_list.clear_options()
            option_list.add_options([Option(label) for _, label in items])
            if items:
                # with a filter typed, Enter takes the first match, not the fixed extras
                first = len(self.extra) if text.strip() and len(items) > len(self.extra) else 0
                option_list.highlighted = first

        app.db(lambda case: self.load(case, text), done, group="picker")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.values):
            self.dismiss(self.values[event.option_index])

    def action_focus_list(self) -> None:
        self.query_one("#picker-list", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, grouped, from the bindings themselves."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close help", id="close-help")]

    def __init__(
        self, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]], notes: str = ""
    ) -> None:
        super().__init__()
        self.sections = sections
        self.notes = notes

    def compose(self) -> ComposeResult:
        text = Text()
        for title, rows in self.sections:
            if not rows:
                continue
            text.append(f"{title}\n", style="bold underline")
            for key, description in rows:
                text.append(f"  {key:<14}", style="bold")
                text.append(f"{description}\n")
            text.append("\n")
        if self.notes:
            text.append(self.notes)
        with Vertical(classes="modal-box help-box"):
            yield Label("Keys  (escape closes)", classes="modal-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(text, id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
