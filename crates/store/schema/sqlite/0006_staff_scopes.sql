-- Where a staff role applies (AC-1, seed 000 art. 4): `operator` (the whole
-- operator, what every role granted before held), `structure-<FINESS or SIRET,
-- prefixed>` for a registration authority of one structure, `region-<INSEE code>`
-- for an alert sender of one region. One scope per person and role.
ALTER TABLE staff_roles ADD COLUMN scope TEXT NOT NULL DEFAULT 'operator';
