-- Allow-list mode for trial and test provider accounts: only the listed numbers (a JSON
-- array in E.164) may receive; NULL: every number.
ALTER TABLE provider_accounts ADD COLUMN allow_list TEXT NULL;
