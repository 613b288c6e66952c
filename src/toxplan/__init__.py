"""ToxPlan: botulinum toxin type A treatment planning and label safety checks."""

__version__ = "0.1.0"
