"""draaiboek: runbooks as versioned YAML, walked step by step with a tamper-evident log."""

__version__ = "0.1.0"
