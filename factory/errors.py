"""User-facing errors: the CLI prints their message, never a traceback."""


class FactoryError(Exception):
    """Base of errors caused by user input or environment, with a message that says what to do."""


class ConfigError(FactoryError):
    """A build config or task knob is invalid; the message names the file and field."""


class BuildError(FactoryError):
    """A build could not start or did not finish."""
