"""The models a backtest chooses among, per demand pattern and frequency, simplest first.

Simplest first because a tie goes to the simpler model: it has fewer ways to be wrong
on data the backtest did not see. Two sets: the fast forms (fixed ETS and Theta forms,
not the automatic searches; notes/measured.md) and the full searches with their
combinations (`full_search_candidates`). The choice backtests every candidate on every
series, so each one's cost is paid several times a night: `candidate_set` picks the set
a night's budget and the catalogue's frequency and history allow.
`python -m benchmarks search` and `python -m benchmarks accuracy` compare them.
"""

from __future__ import annotations

from typing import Literal

from statsforecast.models import (
    ADIDA,
    IMAPA,
    MSTL,
    TSB,
    AutoCES,
    AutoETS,
    AutoTheta,
    CrostonSBA,
    DynamicOptimizedTheta,
    SeasonalNaive,
    Theta,
)

from forecasting.combination import Combination
from forecasting.models import Candidate
from forecasting.params import ForecastParams, Frequency

CandidateSet = Literal["fast", "full"]

# The season of each frequency: a week of days, a year of weeks, a year of months.
SEASON: dict[Frequency, int] = {"D": 7, "W": 52, "M": 12}
# Days in the yearly season of daily data, and the history MSTL needs to estimate it.
YEAR_DAYS = 365
MSTL_MIN_DAYS = 2 * YEAR_DAYS
# LOESS jumps of the trend and low-pass smoothers (statsmodels' STL): each smoother is
# evaluated every 25th day and interpolated between (R's stl() jumps a tenth of each
# window). Measured on 30 synthetic 3-year daily series (weekly + yearly cycle, Poisson
# noise, 28-day forecast): 0.031 s per fit against 0.49 s without jumps, RMSE 4.207
# against 4.195. A seasonal jump (2) cost 12% RMSE: the seasonal smoother is not jumped.
_STL_JUMPS = {"trend_jump": 25, "low_pass_jump": 25}


# CPU seconds per series for one fit and forecast of every full-search member together
# (AutoETS, AutoTheta, AutoCES, DynamicOptimizedTheta), measured on 300 M3 monthly series
# (48-126 months) on the loaded 2-core machine: ETS 0.047, Theta 0.007, CES and DOT
# 0.0023 each, so about 0.06 monthly. Weekly series are about twice as long and their
# 52-period season makes ETS several times dearer; daily ones longer still (notes/measured.md:
# AutoETS with a weekly season about 5 daily series per CPU-second).
# Daily: 175 CPU-s for the 280 M5 series of 1,913 days (both backtest windows and the
# final fit), about 0.2 per series and fit.
FULL_SEARCH_COST_S: dict[Frequency, float] = {"M": 0.06, "W": 0.4, "D": 0.2}
LONG_DAILY_HISTORY = 3 * YEAR_DAYS


def candidate_set(
    frequency: Frequency, series: int, params: ForecastParams, history_periods: float = 0.0
) -> CandidateSet:
    """Which set a night can pay for: `params.candidate_set` unless "auto".

    Auto: the full searches (and the combinations) where the choice's fits (one per
    backtest window and the final one) of every series fit in `compute_budget_s`. Daily
    catalogues also need a long history (median `history_periods` of at least three
    years): on the sample data's two years the full searches cost 6-9x the fast forms
    for no gain (`python -m benchmarks search`), on the M5 subset's five years they beat
    them (validation window, RMSSE 0.773 against 0.796; benchmarks/README.md).
    """
    if params.candidate_set != "auto":
        return params.candidate_set
    if frequency == "D" and history_periods < LONG_DAILY_HISTORY:
        return "fast"
    cost = series * (params.selection_windows + 1) * FULL_SEARCH_COST_S[frequency]
    return "full" if cost <= params.compute_budget_s else "fast"


def full_search_candidates(season: int) -> tuple[Candidate, ...]:
    """The automatic searches and the mean of all four, for continuous series.

    Measured on 300 M3 monthly series, the last 18 months of the training file held out
    (MASE, seasonal naive 1.194): AutoETS 0.948, AutoTheta 0.898, AutoCES 0.936,
    DynamicOptimizedTheta 0.871; mean of all four 0.866, the best of every mean and
    median of two, three or four of them (median of four 0.871). The combination comes
    last (it reuses its members' backtest forecasts) but wins ties
    (`selection.pick_candidates`).
    """
    members = (
        Candidate(f"AutoETS({season})", lambda: AutoETS(season_length=season), 10),
        Candidate(f"AutoTheta({season})", lambda: AutoTheta(season_length=season), 10),
        Candidate(f"AutoCES({season})", lambda: AutoCES(season_length=season), 10),
        Candidate(f"DOTheta({season})", lambda: DynamicOptimizedTheta(season_length=season), 10),
    )
    builders = tuple(member.build for member in members)
    combination = Candidate(
        "Mean(ETS,Theta,CES,DOTheta)",
        lambda: Combination(builders, how="mean"),
        10,
        members=tuple(member.name for member in members),
        how="mean",
    )
    return (*members, combination)


def selection_candidates(
    frequency: Frequency, which: CandidateSet = "fast"
) -> dict[str, tuple[Candidate, ...]]:
    """`continuous` (smooth, erratic) and `sporadic` (intermittent, lumpy) candidates.

    Continuous, daily: seasonal naive, a level with an additive weekly season (ETS ANA)
    and MSTL with a weekly and a yearly season (`mstl_candidate`). Weekly: seasonal
    naive, a level (ETS ANN; a 52-week season cannot be estimated from two years) and
    the standard Theta method (`theta_candidate`). Monthly: seasonal naive, ETS ANN,
    ETS ANA and Theta. Sporadic: Croston-SBA, TSB (which lets the demand probability
    decay, so an item that stops selling is forecast down), and the temporal
    aggregation methods ADIDA and IMAPA. The historic mean is the fallback, not a
    candidate: on the sample data short backtest windows often tied it with the
    others, it then won as the simplest, and it under-forecast growing items (the
    backtest's RMSSE and coverage got worse with it in the set).

    The daily set dropped ETS ANN and Theta, measured on held-out demand against the
    full AutoETS + AutoTheta searches (`python -m benchmarks search`: the engine's
    choice on the history before the last 28 days, scored on those 28; CPU of the
    whole `forecast_demand`; "200/11" = 200 series, seed 11; "250/23" = a second draw
    of 250 series, seed 23; the other sets patched in by a scratch script, one run
    each on a busy 2-CPU machine; benchmarks/README.md has more sets and the commands):

    | daily continuous set | 200/11: CPU s, MASE, RMSSE | 250/23: CPU s, MASE, RMSSE |
    | --- | --- | --- |
    | full searches (AutoETS, AutoTheta) | 88.3, 0.7377, 0.6998 | 130.7, 0.7575, 0.7138 |
    | naive, ANN, ANA, Theta (before) | 13.9, 0.7425, 0.7053 | 18.0-19.0, 0.7633, 0.7203 |
    | naive, ANN, ANA | 10.2, 0.7430, 0.7070 | 15.9, 0.7626, 0.7201 |
    | naive, ANA (this set) | 10.7, 0.7432, 0.7059 | 14.5-17.0, 0.7587, 0.7167 |
    | naive, ANA, ETS AAA | 19.7, 0.7371, 0.7002 | 26.3, 0.7607, 0.7139 |
    | naive, ANA, ETS AAdA (damped) | 26.5, 0.7372, 0.7005 | 37.0, 0.7571, 0.7129 |
    | naive, ANA, DynamicOptimizedTheta | 18.3, 0.7421, 0.7034 | - |

    (MSTL in every set; the sample data's 730 days never reach its two years.) Theta
    was chosen for about one series in ten and made held-out accuracy no better; ANN,
    chosen for one in ten, made it worse on the second draw (a level without the
    weekly pattern ANA estimates). Without both the choice costs about a quarter less
    CPU (8-9x less than the full searches, against 6-7x) at held-out accuracy within
    0.1% of the old set on the first draw and 0.5% better on the second. A trend form
    (AAA, AAdA) matches the full searches' accuracy but costs about twice this set
    (3.5-5x less than the searches), so it is not a candidate. `replenish backtest`
    on the demo data (300 items, seed 7, 530 series scored over 3 x 28 days):
    overall MASE 0.8872 -> 0.8866, RMSSE 0.7338 both; smooth 0.7352 / 0.7136 ->
    0.7339 / 0.7127; erratic 0.830 / 0.7637 -> 0.828 / 0.7665, its 90% coverage
    0.796 -> 0.755 (Theta's drift had forecast the erratic series a little higher).
    Weekly and monthly data were not measured and keep Theta and ANN.
    """
    season = SEASON[frequency]
    naive = Candidate(
        f"SeasonalNaive({season})", lambda: SeasonalNaive(season_length=season), season
    )
    # ETS refuses n <= parameters + 4; ten periods leave room for a level to settle.
    level = Candidate("AutoETS(ANN)", lambda: AutoETS(model="ANN"), 10)
    seasonal = Candidate(
        f"AutoETS(ANA,{season})", lambda: AutoETS(model="ANA", season_length=season), 2 * season
    )
    continuous: tuple[Candidate, ...]
    if which == "full":
        continuous = (naive, *full_search_candidates(season))
    elif frequency == "D":
        continuous = (naive, seasonal, mstl_candidate())
    elif frequency == "W":
        continuous = (naive, level, theta_candidate(season))
    else:
        continuous = (naive, level, seasonal, theta_candidate(season))
    sporadic: tuple[Candidate, ...] = (
        Candidate("CrostonSBA", CrostonSBA, 2),
        Candidate("TSB(0.1,0.1)", lambda: TSB(alpha_d=0.1, alpha_p=0.1), 2),
        Candidate("ADIDA", ADIDA, 2),
        Candidate("IMAPA", IMAPA, 2),
    )
    if which == "full":
        sporadic = (*sporadic, sporadic_combination(sporadic))
    return {"continuous": continuous, "sporadic": sporadic}


def sporadic_combination(members: tuple[Candidate, ...]) -> Candidate:
    """The mean of the intermittent-demand methods (each costs well under a millisecond)."""
    builders = tuple(member.build for member in members)
    return Candidate(
        "Mean(SBA,TSB,ADIDA,IMAPA)",
        lambda: Combination(builders, how="mean"),
        2,
        members=tuple(member.name for member in members),
        how="mean",
    )


def theta_candidate(season: int) -> Candidate:
    """The standard Theta method (STM: SES with half the linear trend as drift), on the
    series deseasonalised by a classical decomposition when an ACF test finds a season.

    The fixed STM form rather than AutoTheta's search over STM, OTM, DSTM and DOTM,
    measured on 200 smooth/erratic series of the sample data (730 days, two 28-day
    rolling-origin windows, fits capped at 365 days, as the choice runs them):

    | model (season 7) | CPU s | RMSSE | MASE |
    | --- | --- | --- | --- |
    | AutoTheta, full search | 17.6 | 0.768 | 0.808 |
    | Theta (STM), this one | 3.2 | 0.769 | 0.808 |
    | AutoTheta(OTM) / (DOTM) | 6.1 / 6.9 | 0.768 / 0.766 | 0.808 / 0.805 |
    | AutoETS(ANA), for scale | 5.5 | 0.757 | 0.789 |

    The search costs 5.6x STM for 0.1% of RMSSE; the best form (DOTM) gains 0.4% for
    2.2x.

    It comes after ETS ANA, so a tie goes to ANA: its drift (half the fitted linear
    trend) is one more way to be wrong out of sample than ANA's flat level. Measured
    with `replenish backtest` on 300 items of sample data (595 series, 215 of them
    smooth or erratic): placed before ANA, Theta took 131 of ANA's 200 series on ties
    and made smooth series worse (RMSSE 0.713 -> 0.720, MASE 0.734 -> 0.747); placed
    after it, Theta is chosen for 26 and smooth/erratic accuracy moves within 0.3% of
    RMSSE (0.714 / 0.764 against 0.713 / 0.762) and 1% of MASE. So on the sample data
    Theta does not earn its cost (about 17% more CPU in the nightly forecast: 14.7 s
    against 12.6 s for those 595 series): that data is a level with a weekly pattern,
    the very form ETS ANA assumes, and has no drift for Theta to follow.

    Not a daily candidate any more: on held-out days it made the choice no more
    accurate either (`selection_candidates` has the figures). Kept for weekly data,
    where no seasonal ETS form can be estimated, and monthly data, not measured.

    Theta raises on three periods or fewer ("tiny datasets"); ten keep it clear of that
    in every backtest window, and a raise is scored as a failure, never fatal.
    """
    return Candidate(f"Theta({season})", lambda: Theta(season_length=season), 10)


def mstl_candidate() -> Candidate:
    """MSTL with a weekly and a yearly season (daily data), the rest forecast by ETS ANN.

    Only scored where the history before the backtest windows holds two yearly cycles,
    and its backtest fits see those two years although the choice caps other fits at
    one (`Candidate.min_input_size`). Last in the order: two seasons and a trend model.

    It does not earn its cost on the sample data. The sample data has 730 days of
    history, so no series is long enough and MSTL costs nothing there. Written with
    1,095 days instead (300 items, 595 series, 211 of them smooth or erratic, of which
    those of the "seasonal" profile carry a yearly sine of 30-80%), MSTL was chosen for
    10 series and the nightly `forecast_demand` took 29.4 s of CPU against 19.8 s
    without it (+48%); `replenish backtest` (3 x 28 days): smooth RMSSE 0.730 / MASE
    0.740 unchanged, erratic 0.788 -> 0.782 / 0.883 -> 0.879. Over a few weeks' horizon
    a level that follows the yearly wave (ETS ANA) loses little to a yearly season.
    Where the yearly cycle is strong and clean it wins clearly: on a 3-year series with
    a +-50% yearly wave and 3% noise its RMSSE was about half that of ETS ANA
    (tests/unit/test_model_candidates.py).
    """
    return Candidate(
        "MSTL(7,365)",
        lambda: MSTL(
            season_length=[7, YEAR_DAYS],
            trend_forecaster=AutoETS(model="ANN"),
            stl_kwargs=dict(_STL_JUMPS),
        ),
        MSTL_MIN_DAYS,
        min_input_size=MSTL_MIN_DAYS,
    )
