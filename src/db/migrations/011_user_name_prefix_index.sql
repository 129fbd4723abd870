-- `userName sw "…"` (RFC 7644 §3.4.2.2) is a LIKE 'prefix%' on lower(user_name): this index lets
-- PostgreSQL answer it by a range scan instead of reading every user of the organization (the unique
-- index on lower(user_name) uses the database's collation, which LIKE cannot range over).
CREATE INDEX users_user_name_prefix_idx ON users (org_id, lower(user_name) text_pattern_ops);
