-- A group rule may carry a condition on the person a key acts for (issue 13): a SCIM filter over the
-- user's attributes, kept as written. The rule grants only while the filter matches that user;
-- for a key acting for no person (a service key) it grants nothing. NULL: the rule always applies.
ALTER TABLE group_rules ADD COLUMN condition text;
