"""Reverse speculative decoding: the teacher proposes, the student disposes.

``rule`` holds the per-token decision (pure, shared by both engines); ``vocab`` the
shared-token map; ``token_engine`` decodes token by token with two in-process
transformers models; ``chunked`` lets the teacher draft several tokens per call on
any backend and keeps what token-by-token decoding would have emitted.
"""
