-- The engine computes exactly with fractions (format §6.1). The text columns of a line (value,
-- fraction, money, bonus_exact, sanction_exact, baseline) hold the number for reading: exact
-- when its decimal expansion ends within 12 decimals, else rounded half-up to 12. The line's
-- fraction is also kept whole, as a ratio `p/q`, because the annual priority order computes
-- with it; nothing computes with the rounded text.
ALTER TABLE settlement_line ADD COLUMN fraction_exact VARCHAR;
