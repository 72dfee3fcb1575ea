"""The rule engine: applies the time-based steps of the process exactly once.

from deskapp.rules import run_rules
summary = run_rules(db, clock)          # reads clock.now() once
summary.applied["closed"]               # ticket numbers closed by this pass
"""

from deskapp.rules.engine import RuleSummary, run_rules

__all__ = ["RuleSummary", "run_rules"]
