-- Allow-list mode for trial and test provider accounts: only the listed numbers (a JSON
-- array in E.164) may receive; NULL: every number.
ALTER TABLE provider_accounts ADD COLUMN allow_list TEXT NULL;

-- The country a group's agents read national numbers in (NULL: the deployment's).
ALTER TABLE agent_groups ADD COLUMN default_country VARCHAR(2) NULL;
