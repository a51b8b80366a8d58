"""The note keys as the records app has always named them: the machinery is core.crypto, shared
with the other values stored encrypted (a practice's video server secret)."""

from bollplank.core.crypto import (
    NoteKeyError,
    decrypt,
    encrypt,
    fernet,
    key_file,
    reset,
    rotate,
)

__all__ = ["NoteKeyError", "decrypt", "encrypt", "fernet", "key_file", "reset", "rotate"]
