"""The send<Media> methods: uploads, attach:// references and reused file ids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import updates as build
from .entities import checked_text
from .models import JsonDict, UploadedFile, bad_request

if TYPE_CHECKING:
    from .methods import Methods

_EXTRA: dict[str, JsonDict] = {
    "document": {},
    "audio": {"duration": 1},
    "video": {"width": 320, "height": 240, "duration": 1},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "voice": {"duration": 1},
    "video_note": {"length": 240, "duration": 1},
    "sticker": {"width": 512, "height": 512, "is_animated": False, "is_video": False, "type": "regular"},
}
_NAMED = frozenset({"document", "audio", "video", "animation"})


def _source(kind: str, params: JsonDict, files: dict[str, UploadedFile]) -> UploadedFile | str:
    """Return the uploaded part for kind, or the file_id/URL string it refers to."""
    ref = params.get(kind)
    if kind in files:
        return files[kind]
    if isinstance(ref, str) and ref.startswith("attach://"):
        part = files.get(ref[len("attach://") :])
        if part is None:
            raise bad_request(f"file attachment {ref} not found")
        return part
    if isinstance(ref, str) and ref.strip():
        return ref
    raise bad_request(f"there is no {kind} in the request")


def send_media(methods: Methods, kind: str, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
    """Create a bot message carrying an uploaded (or referenced) file of the given kind."""
    state = methods.state
    chat_id = methods.target(params)
    caption = checked_text(params, "caption", 1024, required=False)
    source = _source(kind, params, files)
    if isinstance(source, UploadedFile):
        name, mime, data = source.filename, source.content_type, source.data
        file_id, unique = state.add_file(kind, name, data)
    elif source in state.files:
        file_id, unique = source, source.replace("-", "U")
        name, mime, data = state.files[source][0].rsplit("/", 1)[-1], "", state.files[source][1]
    else:
        name, mime, data = source.rsplit("/", 1)[-1] or kind, "", b""
        file_id, unique = state.add_file(kind, name, data)
    media: Any
    if kind == "photo":
        media = build.photo_sizes(file_id, unique)
        for size in media:
            state.files[size["file_id"]] = state.files[file_id]
    else:
        media = {"file_id": file_id, "file_unique_id": unique, "file_size": len(data), **_EXTRA[kind]}
        if kind in _NAMED:
            media["file_name"] = name
            if mime:
                media["mime_type"] = mime
    return methods.new_bot_message(chat_id, params, caption=caption, **{kind: media})
