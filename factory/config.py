"""Load and validate build configs before any work starts.

Validation happens in two layers: the YAML must match :class:`BuildConfig`, and every
task spec must name a registered task whose knobs are valid at every requested level.
Each error names the file and the field (``tasks[1].knobs.alpha``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from factory.errors import ConfigError
from factory.quality.exclusion import check_sources
from generators.base import Task
from generators.registry import UnknownTaskError, get_task
from schemas.config import BuildConfig, ModelSpec

M = TypeVar("M", bound=ModelSpec)


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic error location → ``tasks[1].knobs.alpha``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def describe_validation_error(error: ValidationError, prefix: tuple[Any, ...] = ()) -> str:
    """``field: message; ...`` — without pydantic's "Value error, " before our own messages."""
    return "; ".join(
        f"{field_path(prefix + tuple(item['loc']))}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors()
    )


def resolve_task(name: str, field: str = "task") -> Task:
    """The registered task, or a ConfigError naming ``field`` and the known tasks."""
    try:
        return get_task(name)
    except UnknownTaskError as error:
        raise ConfigError(f"{field}: {error}") from None


def validate_tasks(config: BuildConfig) -> None:
    """Check every task name and its knobs at every requested level."""
    for i, spec in enumerate(config.tasks):
        task = resolve_task(spec.task, f"tasks[{i}].task")
        for level in spec.levels or [None]:
            try:
                task.config_for_level(level, spec.knobs)
            except ValidationError as error:
                at_level = f" (at level {level})" if level is not None else ""
                message = describe_validation_error(error, ("tasks", i, "knobs"))
                raise ConfigError(message + at_level) from None


def parse_build_config(data: Any, source: str = "config") -> BuildConfig:
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a mapping at the top level, got {type(data).__name__}"
        )
    try:
        config = BuildConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: {describe_validation_error(error)}") from None
    try:
        validate_tasks(config)
        check_sources(config.exclude)
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None
    return config


def read_yaml(path: Path) -> Any:
    """A config file's YAML; unreadable files and syntax errors name the file (and line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config ({error.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from None


def load_build_config(path: str | Path) -> BuildConfig:
    path = Path(path)
    config = parse_build_config(read_yaml(path), str(path))
    return with_inline_chat_template(config, path)


def with_inline_chat_template(config: BuildConfig, config_path: Path) -> BuildConfig:
    """Replace chat-template file paths by their text, so the frozen config (and the
    request cache key) carries each template itself, not a path whose file may change."""
    update = {}
    if config.teacher is not None:
        update["teacher"] = inline_chat_template(config.teacher, config_path, "teacher")
    if config.rsd is not None:
        models = {
            role: inline_chat_template(getattr(config.rsd, role), config_path, f"rsd.{role}")
            for role in ("teacher", "student")
        }
        update["rsd"] = config.rsd.model_copy(update=models)
    return config.model_copy(update=update)


def inline_chat_template(spec: M, config_path: Path, field: str) -> M:
    """``spec`` with its chat template read from a file next to the config, if it names one."""
    if spec.chat_template is None or _is_inline(spec.chat_template):
        return spec
    template_path = config_path.parent / spec.chat_template
    try:
        template = template_path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"{config_path}: {field}.chat_template: cannot read {template_path} ({error.strerror})"
        ) from None
    return spec.model_copy(update={"chat_template": template})


def _is_inline(template: str) -> bool:
    return "{%" in template or "{{" in template
