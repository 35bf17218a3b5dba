"""The optimizer: community split (PuLP MIP), groups and sizing, budget, verifier and audit.

Entry points for the pipeline: ``plan_split(scenario, rules) -> Plan``, ``budget(plan, scenario, rules)``,
``verify(plan, scenario, rules)``, ``audit(scenario, rules)``.
"""

from optimize.audit import audit
from optimize.budget import Budget, BudgetRow, budget
from optimize.plan import CommunityPlan, Plan, PlanStatus
from optimize.planner import plan_split
from optimize.verify import Check, verify

__all__ = ["Budget", "BudgetRow", "Check", "CommunityPlan", "Plan", "PlanStatus", "audit", "budget",
           "plan_split", "verify"]
