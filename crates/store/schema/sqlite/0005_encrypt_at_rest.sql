-- Encryption at rest to the holder's own certificate (MS-3, MS-4, issue 19): from
-- this time on, each copy delivered to the account is enveloped (CMS) to its
-- certificate before it is sealed; NULL when the holder has not asked for it.
ALTER TABLE accounts ADD COLUMN encrypt_at_rest_ms INTEGER;
