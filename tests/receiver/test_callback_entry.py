"""The hand-written journal entry of a callback (receiver/entries.py) keeps up with CallbackEvent."""

from dataclasses import fields

from receiver.domain.models import CallbackEvent, Kind
from receiver.store.entries import ENTRY_CALLBACK, callback_entry, entry_object


def _event_with_every_field_set() -> CallbackEvent:
    values = {f.name: f"v{i}" for i, f in enumerate(fields(CallbackEvent))}
    return CallbackEvent(
        **{**values, "kind": Kind.BRAND, "headers": {"H": "1"}, "params": {"p": "2"}}
    )


def test_callback_entry_is_to_dict_plus_entry_and_applied():
    event = _event_with_every_field_set()
    entry = callback_entry(event, applied=False)
    assert entry == {"entry": ENTRY_CALLBACK, "applied": False, **event.to_dict()}
    assert entry["headers"] is not event.headers and entry["params"] is not event.params


def test_callback_entry_reads_back_as_the_same_event():
    event = _event_with_every_field_set()
    assert entry_object(callback_entry(event, applied=True)) == event
