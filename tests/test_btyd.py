"""The BG/NBD fit reproduces the published CDNOW parameters (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from siyu.ml.btyd import fit_bg_nbd, predict

# CDNOW cohort summary, 2,357 customers, time in weeks (as shipped by the lifetimes package).
CDNOW = Path(__file__).parent / "data" / "cdnow_customers_summary.csv"
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW).rename(columns={"ID": "customer_id"})


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame):
    return fit_bg_nbd(cdnow)


def test_fit_matches_the_published_cdnow_parameters(cdnow: pd.DataFrame, fitted) -> None:
    assert len(cdnow) == 2357
    for name, published in PUBLISHED.items():
        assert getattr(fitted, name) == pytest.approx(published, rel=0.01), name


def test_predictions_rank_customers_sensibly(cdnow: pd.DataFrame, fitted) -> None:
    predicted = predict(fitted, cdnow, horizon=39).set_index("customer_id")
    assert predicted["p_alive"].between(0, 1).all()
    # Never repeated: alive for sure (BG/NBD drops out only after a purchase).
    one_timers = cdnow.loc[cdnow["frequency"] == 0, "customer_id"]
    assert (predicted.loc[one_timers, "p_alive"] == 1).all()
    # Same frequency, a long silence since the last purchase: less likely alive, buys less.
    frequent = cdnow[cdnow["frequency"] >= 5]
    recent = frequent.loc[frequent["recency"].idxmax(), "customer_id"]
    silent = frequent.loc[frequent["recency"].idxmin(), "customer_id"]
    assert predicted.loc[silent, "p_alive"] < 0.3 < predicted.loc[recent, "p_alive"]
    assert predicted.loc[silent, "expected_purchases"] < predicted.loc[recent, "expected_purchases"]
    # Over the next 39 weeks the cohort keeps buying: more than one-timers alone, far fewer
    # than its past repeat purchases (most customers have dropped out).
    assert 0.2 * cdnow["frequency"].sum() < predicted["expected_purchases"].sum()
    assert predicted["expected_purchases"].sum() < cdnow["frequency"].sum()


def test_too_few_repeat_buyers_is_a_clear_error() -> None:
    inputs = pd.DataFrame(
        {"customer_id": [1, 2], "frequency": [0, 1], "recency": [0, 5], "T": [10, 10]}
    )
    with pytest.raises(ValueError, match="repeat buyers"):
        fit_bg_nbd(inputs)
