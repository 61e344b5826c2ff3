"""Pure inventory-optimisation engine (no Django): pandas / numpy / scipy in, DataFrames out.

Pipeline: `demand_statistics` (history -> per product-site demand facts) -> `segment`
(ABC x XYZ and service targets) -> `compute_policies` (safety stock, reorder point, order
quantity, order-up-to, weeks of supply) -> `project_inventory` (monthly balance and flags)
-> `inventory_kpis` / `kpis_by_period` (value, turns, DIO, forward weeks of supply).
`textbook` holds the scalar reference models. Each module's docstring gives its method,
formulae and column contract; quantities carry their unit in the column name.
"""

from inventory.engine.cover import forward_cover_weeks
from inventory.engine.demand_stats import INTERMITTENT_ADI_CUTOFF, demand_statistics
from inventory.engine.kpis import inventory_kpis, kpis_by_period
from inventory.engine.normal_loss import inverse_standard_normal_loss, standard_normal_loss
from inventory.engine.policies import (
    POLICY_OUTPUT_COLUMNS,
    PolicyConfig,
    compute_policies,
    constrained_order_quantity,
    economic_order_quantity,
)
from inventory.engine.projection import (
    PROJECTION_COLUMNS,
    ProjectionConfig,
    project_inventory,
    roll_forward,
)
from inventory.engine.segmentation import (
    DEFAULT_SERVICE_TARGETS,
    SegmentationConfig,
    classify_abc,
    classify_xyz,
    segment,
)

__all__ = [
    "DEFAULT_SERVICE_TARGETS",
    "INTERMITTENT_ADI_CUTOFF",
    "POLICY_OUTPUT_COLUMNS",
    "PROJECTION_COLUMNS",
    "PolicyConfig",
    "ProjectionConfig",
    "SegmentationConfig",
    "classify_abc",
    "classify_xyz",
    "compute_policies",
    "constrained_order_quantity",
    "demand_statistics",
    "economic_order_quantity",
    "forward_cover_weeks",
    "inventory_kpis",
    "inverse_standard_normal_loss",
    "kpis_by_period",
    "project_inventory",
    "roll_forward",
    "segment",
    "standard_normal_loss",
]
