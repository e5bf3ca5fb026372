"""The store's bytes on disk: `atomicdb` (TinyDB storage replaced atomically), `segment`
(TinyDB storage that appends a journal segment in place), `salvage` (the complete entries of a
damaged segment), `files` (the one-writer lock, private modes, registry.json, the errors).

May import: receiver.domain, receiver.safetext, tinydb, the standard library.
"""
