"""Services the workflows compose. Submodules are imported on use to keep start-up light."""

__version__ = "0.1.0"
