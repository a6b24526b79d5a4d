"""How a prompt becomes a model request under a prompt style (chat or plain, system prompt)."""

from __future__ import annotations

from factory.backends.base import GenerationRequest, Message
from schemas.config import PromptStyle
from schemas.sampling import SamplingParams


def styled_request(
    style: PromptStyle, prompt: str, params: SamplingParams | None = None
) -> GenerationRequest:
    """Chat: an optional system message and the prompt as the user's. Plain: the system
    prompt, a blank line, then the prompt."""
    params = params or SamplingParams()
    if not style.chat:
        system = f"{style.system_prompt}\n\n" if style.system_prompt else ""
        return GenerationRequest(prompt=system + prompt, params=params)
    messages = []
    if style.system_prompt:
        messages.append(Message(role="system", content=style.system_prompt))
    messages.append(Message(role="user", content=prompt))
    return GenerationRequest(messages=tuple(messages), params=params)
