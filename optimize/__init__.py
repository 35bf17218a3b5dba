"""The optimizer: community split (PuLP MIP), groups and sizing, facility plan (PuLP MIP), budget, budget
cap, verifier and audit.

Entry points for the pipeline: ``plan_split(scenario, rules) -> Plan``,
``plan_facilities(demand, scenario, rules, plan=plan) -> FacilityPlan``,
``budget(plan, scenario, rules, facilities=None) -> Budget``,
``analyse_cap(budget, plan, scenario, rules, facilities=None) -> CapAnalysis``,
``verify(plan, scenario, rules)``, ``audit(scenario, rules)``.
"""

from optimize.audit import audit
from optimize.budget import Budget, BudgetRow, budget
from optimize.budget_cap import CapAnalysis, CapYear, Shortfall, analyse_cap
from optimize.facilities import (FacilityModule, FacilityPlan, ServicePlan, UnmetMonth, UnmetReason, UnmetRun,
                                 plan_facilities)
from optimize.plan import CommunityPlan, Plan, PlanStatus
from optimize.planner import plan_split
from optimize.verify import Check, verify

__all__ = ["Budget", "BudgetRow", "CapAnalysis", "CapYear", "Check", "CommunityPlan", "FacilityModule", "FacilityPlan",
           "Plan", "PlanStatus", "ServicePlan", "Shortfall", "UnmetMonth", "UnmetReason", "UnmetRun", "analyse_cap",
           "audit", "budget", "plan_facilities", "plan_split", "verify"]
