"""The agent-based model of how a public-rental estate fills (Mesa), its ensembles and a plain
reference model.

>>> from scenarios import load, rules_of
>>> from sim import EstateModel, run_ensemble
>>> s = load("scenarios/small-2400.toml"); rules = rules_of(s)
>>> result = run_ensemble(s, rules, replications=20)           # SimulationResult
>>> result.election("estate")                                    # {"p10": …, "p50": …, "p90": …, …}
>>> demand = result.demand()                                     # scenarios.demand.Demand
"""

from sim.ensemble import (ESTATE, Failure, PendingEnsemble, SerialExecutor, SimulationResult, run_ensemble,
                          submit_ensemble)
from sim.model import EstateModel
from sim.params import Params, params_of

__all__ = ["ESTATE", "EstateModel", "Failure", "Params", "PendingEnsemble", "SerialExecutor", "SimulationResult",
           "params_of", "run_ensemble", "submit_ensemble"]
