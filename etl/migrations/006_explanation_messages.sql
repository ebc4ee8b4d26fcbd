-- Messages are data (STYLE habit 15): the explanation of an indicator line and the reason of an
-- adjustment line are stored as messages, a key and its exact values
-- (etl.messages.to_json), and rendered in the reader's language. Lines written from this
-- version on fill explanation_messages and leave explanation NULL; older lines keep their
-- English explanation text (read both with etl.messages.stored_text).
ALTER TABLE settlement_line ADD COLUMN explanation_messages VARCHAR;
