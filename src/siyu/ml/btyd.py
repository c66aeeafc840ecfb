"""The BG/NBD model (Fader, Hardie & Lee 2005) fitted with PyMC-Marketing, and its predictions.

Pure functions over a frame of BTYD inputs (customer_id, frequency, recency, T), so the fit
can be checked on a public benchmark as well as run as a Dagster asset. Flat priors make the
MAP fit the maximum-likelihood fit of the paper.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

PARAMETERS = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted parameters and the model to predict with."""

    r: float
    alpha: float
    a: float
    b: float
    customers: int
    model: object

    def parameters(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in PARAMETERS}


def fit_bg_nbd(inputs: pd.DataFrame) -> BgNbdFit:
    """MAP fit (flat priors) of a BG/NBD model to customer_id, frequency, recency, T."""
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel

    missing = {"customer_id", "frequency", "recency", "T"} - set(inputs.columns)
    if missing:
        raise ValueError(f"BG/NBD inputs lack columns {sorted(missing)}")
    if (inputs["frequency"] > 0).sum() < 2:
        raise ValueError(
            "BG/NBD needs repeat buyers to fit: fewer than 2 members bought more than once"
        )
    model = BetaGeoModel(model_config={name: Prior("HalfFlat") for name in PARAMETERS})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(
            data=inputs[["customer_id", "frequency", "recency", "T"]],
            method="map",
            progressbar=False,
        )
    posterior = model.fit_result
    return BgNbdFit(
        **{name: float(posterior[name].mean()) for name in PARAMETERS},
        customers=len(inputs),
        model=model,
    )


def predict(fit: BgNbdFit, inputs: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """P(alive) and expected purchases over ``horizon`` (inputs' time unit) per customer."""
    data = inputs[["customer_id", "frequency", "recency", "T"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p_alive = fit.model.expected_probability_alive(data=data)
        expected = fit.model.expected_purchases(data=data, future_t=horizon)
    return pd.DataFrame(
        {
            "customer_id": inputs["customer_id"].to_numpy(),
            "p_alive": p_alive.mean(("chain", "draw")).to_numpy(),
            "expected_purchases": expected.mean(("chain", "draw")).to_numpy(),
        }
    )
