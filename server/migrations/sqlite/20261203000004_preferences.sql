-- Each user's own preferences (desktop alerts, sound), keyed by their id: an agent's or
-- a supervisor's, whoever their token names.
CREATE TABLE user_preferences (
    user_id VARCHAR(128) NOT NULL PRIMARY KEY,
    alerts VARCHAR(32) NOT NULL,
    sound INTEGER NOT NULL
);
