"""User-facing errors: the CLI prints their message on one line, never a traceback."""


class FactoryError(Exception):
    """Base of errors caused by user input or environment, with a message that says what to do."""


class ConfigError(FactoryError):
    """A build config or task knob is invalid; the message names the file and field."""


class BuildError(FactoryError):
    """A build could not start or did not finish."""


def os_error_text(error: OSError) -> str:
    """``<file>: <reason>`` for an OSError, without the ``[Errno N]`` noise."""
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason


def one_line(text: str) -> str:
    """``text`` with its lines joined by ``; ``: what the CLI prints on stderr."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
