"""The shared row normaliser that roles, narratives and the multilingual evidence use."""

from __future__ import annotations

import numpy as np

from spinscope.vectors import unit_rows


def test_rows_get_unit_norm_and_a_zero_row_stays_zero() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]]))
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]], rtol=1e-6)


def test_a_single_vector_is_normalised_along_its_only_axis() -> None:
    np.testing.assert_allclose(unit_rows(np.array([0.0, 5.0])), [0.0, 1.0])
