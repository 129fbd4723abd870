-- RFC 7644 §3.5.2.2: a PATCH `remove` of `active` leaves it unassigned. NULL is that state; keyscope
-- reads it as "not active" everywhere it decides anything (keys-store: `u.active IS NOT TRUE`).
ALTER TABLE users ALTER COLUMN active DROP NOT NULL;
