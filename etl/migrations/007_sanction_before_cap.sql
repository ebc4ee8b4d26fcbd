-- A per-unit sanction's units × price when its cap took the line down (§5: min(count × X,
-- cap)), so that the cap is shown as a step of its own; NULL otherwise and on older lines.
ALTER TABLE settlement_line ADD COLUMN sanction_before_cap DECIMAL(18, 2);
