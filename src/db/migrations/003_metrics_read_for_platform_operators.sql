-- metrics:read (issue 15): /metrics on the public listener needs it. Like orgs:create it is a
-- platform permission (the metrics add up every organization), which no wildcard grants and only a
-- holder hands out: without this, no key of an existing deployment could read or grant it. Every
-- group that may create organizations (the bootstrap Admins group, and whatever group its operators
-- gave orgs:create) gets it, as a new bootstrap now does; a group that already has it is left alone.
INSERT INTO group_rules (org_id, group_id, position, permission, role, resources)
SELECT DISTINCT ON (r.group_id)
       r.org_id,
       r.group_id,
       (SELECT max(m.position) + 1 FROM group_rules m WHERE m.group_id = r.group_id),
       'metrics:read',
       NULL,
       NULL
  FROM group_rules r
 WHERE r.permission = 'orgs:create'
   AND NOT EXISTS (SELECT 1 FROM group_rules x WHERE x.group_id = r.group_id AND x.permission = 'metrics:read')
 ORDER BY r.group_id;
