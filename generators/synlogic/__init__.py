"""SynLogic-style logic tasks: one module (or small package) per task, proven answers."""
