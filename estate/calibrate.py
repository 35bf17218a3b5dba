"""Calibration: fit scenario fields to the scenario's ``[[observed]]`` figures.

The method (the README says why):

1. **Common random numbers.** Every trial value is simulated with the same R replication seeds
   (``SeedSequence(seed).spawn(R)``), so two trials differ by their values, not by luck, and the
   optimiser compares like with like.
2. **Synthetic likelihood** (Wood 2010, *Nature* 466:1102). At a trial value the R replications give the
   simulated observations; their mean μ and covariance S stand in for the model's likelihood, which no
   one can write down for an agent-based model. The loss is −2 log of that Gaussian likelihood:
   ``rᵀ Σ⁻¹ r + log det Σ`` with ``r = observed − μ`` and ``Σ = S (1 + 1/R) + D``: the spread of one
   run about the model's mean, plus the error of the mean itself, plus ``D`` a floor for the figure's
   own imprecision (``OBSERVATION_FLOOR``). The observed history is one run of the world; the
   replications say how far one run strays.
3. **Search.** A scrambled Sobol sample over the fields' bounds finds the basin, then Nelder–Mead
   (which needs no gradient: under common random numbers the loss is piecewise flat) refines it, on the
   fields scaled to [0, 1].
4. **Intervals** (95%). About the estimate the covariance is held at its estimate there, so the loss is
   a smooth function of the simulated means. Each field's interval walks out from the estimate until
   the loss has risen by z² (a likelihood-ratio bound: a plateau, where more of the field changes
   nothing, reaches the end of the range rather than being read as a narrow quadratic), widened by how
   far the other fields can make up for it (√(H_ii·(H⁻¹)_ii) from a quadratic fitted about the
   estimate), and covers every trial value within that rise. A field whose interval is its whole
   range, or that lies on a direction the loss does not rise along (a Hessian eigenvalue ≈ 0), is one
   the observations do not pin down, and the result says so, as it does when there are fewer
   observations than fields.

The simulation runs only to the last observed month. Observations of a community other than ``estate``
or of an election use the communities `estate run` would plan (or a built estate's own).

>>> cal = calibrate(scenario, rules, ["allocation.acceptance", "allocation.waiting_pool"])
>>> cal.fields[0].value, cal.fields[0].interval
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from scenarios.distributions import UNCERTAIN_FIELDS, Bounds, Distribution
from scenarios.figures import Figures
from scenarios.schema import Scenario
from scenarios.split import Split, split_of
from sim.ensemble import ESTATE, SerialExecutor, run_chunk
from sim.params import params_of
from sim.reporting import metric_names
from standards.errors import InputError
from standards.ruleset import RuleSet

# The least spread (sd) an observed figure is taken to have, whatever the replications say: a count is
# known to within 1% (and at least one household or person), a share to within 0.01, an election to
# within half a month. This is our reading of how exactly such figures are reported, not a published figure.
OBSERVATION_FLOOR = {"households": (0.01, 1.0), "residents": (0.01, 1.0), "occupancy": (0.0, 0.01),
                     "election": (0.0, 0.5)}
DEFAULT_REPLICATIONS = 16
LEVEL = 0.95                      # the intervals' coverage
TEMPERING = (10.0, 1.0)           # the search's stages: the observations' floors × these
UPPER_FACTOR = 4                  # a field with no upper bound is searched up to this × its value
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class FitField:
    """A field to fit: its path, the searched range and the scenario's value (the start)."""

    path: str
    low: float
    high: float
    integer: bool
    start: float
    range_note: str                 # where the range comes from
    log: bool = False               # searched on a log scale (a count with no upper bound in the schema)

    def value(self, z: float) -> float:
        """The field's value at ``z`` in [0, 1]."""
        z = min(max(float(z), 0.0), 1.0)
        if self.log:
            return self.low + math.expm1(z * math.log1p(self.high - self.low))
        return self.low + z * (self.high - self.low)

    def z(self, value: float) -> float:
        if self.log:
            return math.log1p(value - self.low) / math.log1p(self.high - self.low)
        return (value - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class Fitted:
    path: str
    value: float
    interval: tuple[float, float]   # LEVEL interval, within the searched range
    sd: float | None                # Laplace sd; None where the observations do not pin it down
    start: float
    low: float
    high: float
    identified: bool


@dataclass(frozen=True)
class ObservedPoint:
    date: str
    month: int
    metric: str
    community: str
    value: float
    source: str


@dataclass(frozen=True, eq=False)
class Calibration:
    scenario: Scenario
    fields: tuple[Fitted, ...]
    observations: tuple[ObservedPoint, ...]
    loss_before: float
    loss_after: float
    before: np.ndarray               # [replication, observation] simulated at the scenario's values
    after: np.ndarray                # the same at the fitted values
    replications: int
    seed: int
    evaluations: int
    seconds: float
    level: float
    notes: tuple[str, ...] = field(default_factory=tuple)   # under-determination and other warnings

    @property
    def underdetermined(self) -> bool:
        return len(self.observations) < len(self.fields) or not all(f.identified for f in self.fields)

    def values(self) -> dict[str, float]:
        return {f.path: f.value for f in self.fields}


# ---- the fields ------------------------------------------------------------------------------------

def resolve_field(name: str) -> str:
    """``acceptance`` or ``allocation.acceptance`` → ``allocation.acceptance``; one line if unknown."""
    name = name.strip()
    if name in UNCERTAIN_FIELDS:
        return name
    matches = [p for p in UNCERTAIN_FIELDS if p.split(".")[1] == name]
    if len(matches) == 1:
        return matches[0]
    raise InputError(f"--fit: {name!r} is not a numeric allocation or household field (one of "
                     f"{', '.join(p.split('.')[1] for p in UNCERTAIN_FIELDS)})")


def fit_fields(scenario: Scenario, rules: RuleSet, specs: Sequence[str]) -> list[FitField]:
    """Parse ``FIELD`` or ``FIELD=LOW:HIGH`` specs into the fields and their searched ranges: the
    schema's bounds, narrowed by LOW:HIGH if given; a field with no upper bound is searched up to
    UPPER_FACTOR × its value unless HIGH is given."""
    figures = Figures(scenario, rules)
    out: list[FitField] = []
    for spec in specs:
        name, _, span = spec.partition("=")
        path = resolve_field(name)
        if any(f.path == path for f in out):
            raise InputError(f"--fit: {path} is named twice")
        bounds = UNCERTAIN_FIELDS[path]
        start = float(figures.number(path, scenario.start_year))
        low = bounds.low
        high = bounds.high if bounds.high is not None else max(UPPER_FACTOR * start, bounds.low + 1)
        note = f"schema: {bounds.text()}" + ("" if bounds.high is not None else
                                              f"; searched up to {UPPER_FACTOR}× the scenario's value")
        if span:
            try:
                a, b = (float(x) for x in span.split(":"))
            except ValueError:
                raise InputError(f"--fit: {spec!r}: write a range as FIELD=LOW:HIGH, e.g. acceptance=0.4:0.95") from None
            if not (bounds.contains(a) and bounds.contains(b) and a < b):
                raise InputError(f"--fit: {spec!r}: LOW < HIGH, both {bounds.text()} (the schema's bounds)")
            low, high, note = a, b, "given on the command line"
        if bounds.open_low and low == bounds.low:
            low = bounds.low + (high - bounds.low) * 1e-3      # the field must be > its lower bound
        log = bounds.high is None and bounds.integer
        if log:
            note += "; on a log scale"
        out.append(FitField(path, low, high, bounds.integer, min(max(start, low), high), note, log))
    if not out:
        raise InputError("--fit: name at least one field")
    return out


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with ``values`` written into its fields (whole numbers where the field counts)."""
    sections: dict[str, dict[str, object]] = {}
    for path, v in values.items():
        section, name = path.split(".")
        bounds: Bounds = UNCERTAIN_FIELDS[path]
        x: object = v
        if bounds.integer:
            x = int(round(v)) if name != "lease_months" else float(round(v))
        sections.setdefault(section, {})[name] = x
    return scenario.model_copy(update={s: getattr(scenario, s).model_copy(update=u) for s, u in sections.items()})


# ---- simulating the observations ----------------------------------------------------------------------

def observations_of(scenario: Scenario) -> tuple[ObservedPoint, ...]:
    return tuple(ObservedPoint(o.date, scenario.month_of(o.date), o.metric, o.community,
                               float(scenario.month_of(o.date) if o.metric == "election" else o.value), o.source)
                 for o in scenario.observed)


def split_for(scenario: Scenario, rules: RuleSet, observations: Sequence[ObservedPoint]) -> Split:
    """The split the observations need: the estate as one (its totals do not depend on the split) unless
    one names a community or an election, then the communities `estate run` would have."""
    if all(o.community == ESTATE and o.metric != "election" for o in observations):
        return split_of(scenario)
    if scenario.existing is not None:
        return split_of(scenario)
    from optimize import plan_split
    return plan_split(scenario, rules).split()


class Simulator:
    """Runs the R common-random-number replications of a trial and returns ``[replication, observation]``."""

    def __init__(self, scenario: Scenario, rules: RuleSet, split: Split, observations: Sequence[ObservedPoint],
                 replications: int, seed: int, executor: Executor | None, workers: int) -> None:
        self.rules, self.split, self.observations = rules, split, tuple(observations)
        self.horizon = max(o.month for o in observations) + 1
        self.base = scenario.model_copy(update={"horizon_months": self.horizon})
        self.replications, self.seed = replications, seed
        self.executor = executor or SerialExecutor()
        self.workers = max(1, workers)
        self.runs = 0
        ids = tuple(c.id for c in split.communities)
        for o in observations:
            if o.community != ESTATE and o.community not in ids:
                raise InputError(f"observed: community {o.community!r} is not among the communities of the split "
                                 f"({', '.join(ids)})")
        self.ids = ids

    def __call__(self, values: dict[str, float]) -> np.ndarray:
        scenario = with_values(self.base, values)
        params = params_of(scenario, self.rules, self.split)
        metrics = metric_names(params)
        seeds = list(enumerate(np.random.SeedSequence(self.seed).spawn(self.replications)))
        size = math.ceil(len(seeds) / self.workers)
        futures = [self.executor.submit(run_chunk, scenario, self.rules, self.split, params, seeds[i:i + size])
                   for i in range(0, len(seeds), size)]
        rows = sorted((r for f in futures for r in f.result()), key=lambda r: r[1])
        failed = [r for r in rows if r[0] != "ok"]
        if failed:
            raise InputError(f"calibrate: a replication failed at {values} ({failed[0][2]})")
        self.runs += 1
        out = np.empty((len(rows), len(self.observations)))
        for j, o in enumerate(self.observations):
            column = self.ids.index(o.community) if o.community in self.ids else len(self.ids)
            for i, r in enumerate(rows):
                if o.metric == "election":   # the estate's, in a split of several: its first election
                    m = r[3][column] if o.community in self.ids else r[3].min()
                    out[i, j] = min(m, self.horizon)            # not yet elected: counted as the horizon
                else:
                    out[i, j] = r[2][o.month, column, metrics.index(o.metric)]
        return out


def covariance(sims: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Σ: the replications' covariance × (1 + 1/R) (one run's spread plus the error of their mean), plus
    the observations' own floor on the diagonal."""
    n, m = sims.shape
    cov = np.atleast_2d(np.cov(sims, rowvar=False)) * (1 + 1 / n) if n > 1 else np.zeros((m, m))
    return cov + np.diag(floor ** 2)


def synthetic_loss(observed: np.ndarray, sims: np.ndarray, floor: np.ndarray) -> float:
    """−2 log of the synthetic (Gaussian) likelihood of ``observed`` given the replications ``sims``
    (up to a constant)."""
    r = observed - sims.mean(axis=0)
    cov = covariance(sims, floor)
    sign, logdet = np.linalg.slogdet(cov)
    return float(r @ np.linalg.solve(cov, r) + logdet)


def floors(observations: Sequence[ObservedPoint]) -> np.ndarray:
    return np.array([max(OBSERVATION_FLOOR[o.metric][0] * abs(o.value), OBSERVATION_FLOOR[o.metric][1])
                     for o in observations])


def synthetic(scenario: Scenario, rules: RuleSet, truth: dict[str, float], points: Sequence[tuple[str, str, str]],
              seed: int, source: str = "synthetic") -> list[dict]:
    """Observations made by the simulator itself: one replication (seed ``seed``) of ``scenario`` with the
    fields at ``truth``, read at ``points`` ``(date, metric, community)``. For examples and tests of the
    calibration: the true values are then known. Returns ``[[observed]]`` tables."""
    pending = [ObservedPoint(d, scenario.month_of(d), m, c, 0.0, source) for d, m, c in points]
    sim = Simulator(with_values(scenario, truth), rules, split_for(scenario, rules, pending), pending, 1, seed,
                    None, 1)
    values = sim({})[0]
    return [{"date": o.date, "metric": o.metric, "community": o.community, "source": source}
            | ({} if o.metric == "election" else {"value": float(round(v))} if o.metric != "occupancy"
               else {"value": round(float(v), 4)}) for o, v in zip(pending, values)]


# ---- the fit ---------------------------------------------------------------------------------------

def calibrate(scenario: Scenario, rules: RuleSet, specs: Sequence[str], *, replications: int = DEFAULT_REPLICATIONS,
              seed: int | None = None, executor: Executor | None = None, workers: int = 1,
              level: float = LEVEL, progress: Progress | None = None, max_evaluations: int | None = None
              ) -> Calibration:
    """Fit the fields named by ``specs`` (``FIELD`` or ``FIELD=LOW:HIGH``) to ``scenario.observed``."""
    from scipy.optimize import minimize
    from scipy.stats import norm, qmc

    t0 = time.perf_counter()
    if not scenario.observed:
        raise InputError(f"{scenario.name}: has no [[observed]] figures to calibrate to")
    if replications < 3:
        raise InputError(f"--replications must be ≥ 3 for a calibration (got {replications})")
    fields = fit_fields(scenario, rules, specs)
    observations = observations_of(scenario)
    seed = scenario.seed if seed is None else seed
    sim = Simulator(scenario, rules, split_for(scenario, rules, observations), observations, replications, seed,
                    executor, workers)
    observed = np.array([o.value for o in observations])
    floor = floors(observations)
    k = len(fields)
    report = progress or (lambda n, stage: None)
    cache: dict[tuple, np.ndarray] = {}

    def values_at(z: np.ndarray) -> dict[str, float]:
        return {f.path: (round(f.value(zi)) if f.integer else f.value(zi)) for f, zi in zip(fields, z)}

    zs: dict[tuple, np.ndarray] = {}

    def sims_at(z: np.ndarray, stage: str) -> np.ndarray:
        values = values_at(z)
        key = tuple(values.values())
        zs.setdefault(key, np.clip(np.asarray(z, dtype=float), 0, 1))
        if key not in cache:
            cache[key] = sim(values)
            report(len(cache), stage)
        return cache[key]

    def loss(z: np.ndarray, temper: float = 1.0) -> float:   # the synthetic likelihood, covariance at z
        return synthetic_loss(observed, sims_at(z, "search"), floor * temper)

    # 1. the basin: the scenario's values and a scrambled Sobol sample over the ranges (seeded)
    z_start = np.array([f.z(f.start) for f in fields])
    sobol = qmc.Sobol(k, scramble=True, seed=np.random.default_rng(seed)).random(2 ** max(3, math.ceil(math.log2(4 * k))))
    candidates = [z_start, *sobol]
    # 2. Nelder–Mead from the best point, within [0, 1]^k, first on a tempered loss (each figure taken as
    #    known only to TEMPERING × its floor: a wide, smooth valley that leads to the right basin), then on
    #    the loss itself; restarted from where it stops while that still gains (a narrow curved valley
    #    collapses a simplex before its floor is reached)
    z_hat = min(candidates, key=lambda c: loss(c, TEMPERING[0]))
    for temper in TEMPERING:
        size = 0.1
        for _ in range(1 if temper > 1 else 2):    # the tempered stage only finds the basin
            simplex = np.array([z_hat] + [np.clip(z_hat + size * np.eye(k)[i] * (1 if z_hat[i] < 0.5 else -1), 0, 1)
                                          for i in range(k)])
            res = minimize(loss, z_hat, args=(temper,), method="Nelder-Mead", bounds=[(0, 1)] * k,
                           options={"initial_simplex": simplex, "xatol": 0.005, "fatol": 0.5,
                                    "maxfev": max_evaluations or 12 * k})
            gain = loss(z_hat, temper) - res.fun
            if gain > 0:
                z_hat = np.clip(res.x, 0, 1)
            if gain < 1:
                break
            size = max(0.02, size / 2)

    # 3. about the optimum, the covariance is held at its estimate there, so the loss is a smooth function
    #    of the simulated means: r(θ)ᵀ Σ̂⁻¹ r(θ). Steps sized so it rises by 1–10, then a quadratic fit.
    sims_hat = sims_at(z_hat, "search")
    sigma = covariance(sims_hat, floor)

    def fixed(z: np.ndarray) -> float:
        r = observed - sims_at(np.clip(z, 0, 1), "interval").mean(axis=0)
        return float(r @ np.linalg.solve(sigma, r))

    at_hat = fixed(z_hat)
    steps = np.empty(k)
    for i in range(k):
        h = 0.05
        for _ in range(5):
            e = np.eye(k)[i] * h
            rise = (fixed(z_hat + e) + fixed(z_hat - e)) / 2 - at_hat
            if rise > 10 and h > 1e-3:
                h /= 3
            elif rise < 1 and h < 0.5:
                h *= 3
            else:
                break
        steps[i] = h
    eye = np.eye(k)
    design = [z_hat] + [z_hat + sgn * steps[i] * eye[i] for i in range(k) for sgn in (1, -1)]
    design += [z_hat + si * steps[i] * eye[i] + sj * steps[j] * eye[j]
               for i in range(k) for j in range(i + 1, k) for si in (1, -1) for sj in (1, -1)]
    design = [np.clip(d, 0, 1) for d in design]
    ys = np.array([fixed(d) for d in design])
    gradient, hessian = _quadratic(np.array(design) - z_hat, ys, k)

    z = norm.ppf(0.5 + level / 2)
    eigval, eigvec = np.linalg.eigh(hessian)
    scale = 1e-6 * max(1.0, float(np.abs(eigval).max()))
    # a flat direction (no curvature) leaves its fields unpinned; a direction curving down is no evidence of
    # flatness, only that the quadratic fits the (piecewise flat, noisy) loss badly there: the walk decides
    flat = np.abs(eigval) <= scale
    up = eigval > scale
    cov = (eigvec[:, up] / eigval[up]) @ eigvec[:, up].T * 2 if up.any() else np.zeros((k, k))
    unpinned = np.abs(eigvec[:, flat]).max(axis=1) > 0.3 if flat.any() else np.zeros(k, dtype=bool)
    if up.all():   # the quadratic's own minimum, where it lies within reach: smoother than one trial's
        step = -np.linalg.solve(hessian, gradient)
        if np.all(np.abs(step) <= 2 * steps) and np.all((z_hat + step >= 0) & (z_hat + step <= 1)):
            z_hat = z_hat + step
    loss_before, loss_after = fixed(z_start), fixed(z_hat)
    before, after = sims_at(z_start, "interval"), sims_at(z_hat, "interval")
    # 4. each interval: walk out along the field from the estimate until the loss has risen by z² (the
    #    likelihood-ratio bound, so a plateau reaches the range's end rather than being read as a narrow
    #    quadratic), then widen by how much the other fields can make up for it (√(H_ii·(H⁻¹)_ii), from
    #    the quadratic; 1 where the fields do not trade off)
    at_hat = fixed(z_hat)
    tried = list(zs.values())
    fitted = []
    for i, f in enumerate(fields):
        value = float(round(f.value(z_hat[i])) if f.integer else f.value(z_hat[i]))
        if unpinned[i]:
            fitted.append(Fitted(f.path, value, (f.low, f.high), None, f.start, f.low, f.high, False))
            continue
        trade = math.sqrt(max(1.0, hessian[i, i] * cov[i, i] / 2)) if up.all() else 1.0
        ends = []
        for sign in (-1, 1):
            reach = _reach(lambda h: fixed(z_hat + sign * h * eye[i]), at_hat, at_hat + z * z, steps[i],
                           z_hat[i] if sign < 0 else 1 - z_hat[i])
            ends.append(float(np.clip(z_hat[i] + sign * reach * trade, 0, 1)))
        # ... and every trial value within z² of the estimate's loss lies inside (a valley the walk along
        # one field cannot see, where another field makes up for it far from the estimate)
        near = [zz[i] for zz in map(np.array, tried) if fixed(zz) <= at_hat + z * z]
        ends = [min([ends[0], *near]), max([ends[1], *near])]
        a, b = f.value(ends[0]), f.value(ends[1])
        identified = not (ends[0] <= 0 and ends[1] >= 1)
        sd = (b - a) / (2 * z) if identified else None   # on a log scale, the sd of a normal of the same interval
        if f.integer:
            a, b = max(math.floor(a), math.ceil(f.low)), min(math.ceil(b), math.floor(f.high))
        fitted.append(Fitted(f.path, value, (a, b), sd, f.start, f.low, f.high, identified))

    notes = []
    if len(observations) < k:
        notes.append(f"under-determined: {len(observations)} observation(s) for {k} fields, {k - len(observations)} "
                     f"short; the fields the observations cannot tell apart get their whole range as interval")
    for f in fitted:
        if not f.identified:
            notes.append(f"{f.path}: the observations do not pin it down (the loss is flat along it); its interval "
                         f"is its whole searched range {f.low:g}–{f.high:g}")
    return Calibration(scenario, tuple(fitted), observations, loss_before, loss_after, before, after, replications,
                       seed, len(cache), time.perf_counter() - t0, level, tuple(notes))


def _reach(loss_at: Callable[[float], float], base: float, threshold: float, step: float, room: float) -> float:
    """How far (in the scaled field) the loss takes to rise from ``base`` to ``threshold``: steps that
    double from ``step``, then linear interpolation; ``room`` (the distance to the range's end) if it
    never does."""
    if room <= 0:
        return 0.0
    prev_h, prev_y = 0.0, base
    h = min(step, room)
    while True:
        y = loss_at(h)
        if y >= threshold:
            return prev_h + (h - prev_h) * (threshold - prev_y) / max(y - prev_y, 1e-12)
        if h >= room:
            return room
        prev_h, prev_y = h, y
        h = min(2 * h, room)


def _quadratic(dz: np.ndarray, ys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian at 0 of the least-squares quadratic through (dz, ys)."""
    cols = [np.ones(len(dz))] + [dz[:, i] for i in range(k)]
    pairs = [(i, j) for i in range(k) for j in range(i, k)]
    cols += [dz[:, i] * dz[:, j] * (0.5 if i == j else 1.0) for i, j in pairs]
    coef, *_ = np.linalg.lstsq(np.column_stack(cols), ys, rcond=None)
    h = np.zeros((k, k))
    for (i, j), c in zip(pairs, coef[1 + k:]):
        h[i, j] = h[j, i] = c
    return coef[1:1 + k], h


# ---- what is written -----------------------------------------------------------------------------------

def calibrated_scenario(cal: Calibration, *, as_distributions: bool = False) -> Scenario:
    """The scenario with the fitted values; with ``as_distributions``, each fitted field as the fit's own
    uncertainty: ``{ mean, sd }`` (normal, truncated to the bounds), or ``{ low, high }`` over the whole
    range where the observations do not pin it down."""
    values: dict[str, object] = {}
    for f in cal.fields:
        if as_distributions:
            values[f.path] = (Distribution(mean=f.value, sd=max(f.sd, 1e-9 * max(1.0, abs(f.value))))
                              if f.identified and f.sd else Distribution(low=f.low, high=f.high))
        else:
            values[f.path] = f.value
    sections: dict[str, dict[str, object]] = {}
    for path, v in values.items():
        section, name = path.split(".")
        if isinstance(v, float) and UNCERTAIN_FIELDS[path].integer and name != "lease_months":
            v = int(v)
        sections.setdefault(section, {})[name] = v
    s = cal.scenario
    return s.model_copy(update={k: getattr(s, k).model_copy(update=u) for k, u in sections.items()})


def header(cal: Calibration, source: str) -> str:
    """The comment at the top of calibrated.toml: what was fitted, to which observations."""
    lines = [f"Calibrated by `estate calibrate` from {source}: {', '.join(f.path for f in cal.fields)} fitted to "
             f"{len(cal.observations)} observation(s) ({cal.replications} replications a trial, seed {cal.seed}; "
             f"loss {cal.loss_before:.2f} before, {cal.loss_after:.2f} after):"]
    for o in cal.observations:
        shown = o.date if o.metric == "election" else f"{o.value:g}"
        lines.append(f"  observed {o.metric} of {o.community} in {o.date}: {shown} ({o.source})")
    for f in cal.fields:
        lines.append(f"  {f.path} = {f.value:g} ({cal.level:.0%} interval {f.interval[0]:g}–{f.interval[1]:g}; "
                     f"was {f.start:g})")
    lines += [f"  {n}" for n in cal.notes]
    return "\n".join(lines)


def to_dict(cal: Calibration) -> dict:
    """``calibration.json``."""
    def band(sims: np.ndarray, j: int) -> dict[str, float]:
        return {f"p{q}": round(float(np.percentile(sims[:, j], q)), 4) for q in (10, 50, 90)}

    return {
        "generator": "estate calibrate", "scenario": cal.scenario.name,
        "method": "synthetic likelihood (Wood 2010) over common random numbers; Sobol search, tempered then "
                  "plain Nelder-Mead; likelihood-ratio intervals widened for trade-offs between the fields",
        "replications": cal.replications, "seed": cal.seed, "evaluations": cal.evaluations,
        "seconds": round(cal.seconds, 2), "level": cal.level,
        "loss_before": round(cal.loss_before, 4), "loss_after": round(cal.loss_after, 4),
        "underdetermined": cal.underdetermined, "notes": list(cal.notes),
        "fields": [{"field": f.path, "value": f.value, "interval": list(f.interval), "sd": f.sd, "start": f.start,
                    "bounds": [f.low, f.high], "identified": f.identified} for f in cal.fields],
        "observations": [{"date": o.date, "month": o.month, "metric": o.metric, "community": o.community,
                          "observed": o.value, "source": o.source, "before": band(cal.before, j),
                          "after": band(cal.after, j)} for j, o in enumerate(cal.observations)],
    }


def plot(cal: Calibration, path) -> None:
    """Observed against simulated, before and after: a panel per metric and community, the observations
    as points and the simulated P10–P90 (bar) and P50 (tick) at each observed month."""
    from estate.fonts import pyplot
    plt = pyplot()
    groups: dict[tuple[str, str], list[int]] = {}
    for j, o in enumerate(cal.observations):
        groups.setdefault((o.metric, o.community), []).append(j)
    cols = min(3, len(groups))
    rows = math.ceil(len(groups) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows + 0.6), squeeze=False, layout="constrained")
    for ax, ((metric, community), idx) in zip(axes.ravel(), groups.items()):
        months = np.array([cal.observations[j].month for j in idx], dtype=float)
        for sims, colour, label, shift in ((cal.before, "tab:grey", "before", -0.25), (cal.after, "tab:blue", "after", 0.25)):
            p10, p50, p90 = (np.percentile(sims[:, idx], q, axis=0) for q in (10, 50, 90))
            ax.errorbar(months + shift, p50, yerr=[p50 - p10, p90 - p50], fmt="_", color=colour, capsize=3,
                        markersize=10, label=f"simulated {label}: P50, P10–P90")
        ax.plot(months, [cal.observations[j].value for j in idx], "o", color="black", label="observed")
        ax.set_title(f"{metric}, {community}", fontsize=10)
        ax.set_xlabel(f"month from {cal.scenario.start}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes.ravel()[len(groups):]:
        ax.set_visible(False)
    fitted = "; ".join(f"{f.path.split('.')[1]} {f.start:g} → {f.value:g}" for f in cal.fields)
    fig.suptitle(f"{cal.scenario.name}: calibration ({fitted}); loss {cal.loss_before:.1f} → {cal.loss_after:.1f}",
                 fontsize=10, wrap=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
