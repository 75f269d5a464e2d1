-- Two-factor login (TOTP, RFC 6238) for editors and admins who enrol.
--
-- No secret is readable from a copy of the database alone: the TOTP secret
-- is sealed (libsodium crypto_secretbox) with a key derived from the
-- session key file that lives beside the database, not in it; recovery
-- codes and challenge tokens are stored only as keyed hashes.

-- One row per user who started enrolling. confirmed_at is NULL while the
-- enrolment is pending (the secret was shown, no code typed back yet): a
-- pending secret does not guard the login.
CREATE TABLE user_totp (
	user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	secret_box   BLOB NOT NULL,            -- nonce || crypto_secretbox_easy(secret)
	created_at   INTEGER NOT NULL,
	confirmed_at INTEGER,                  -- NULL: pending
	last_step    INTEGER NOT NULL DEFAULT -1 -- last accepted time step: no code twice
);

-- Ten per enrolment, each usable once. code_hash is a keyed BLAKE2b of the
-- user id and the code; used_at marks a spent one.
CREATE TABLE totp_recovery_codes (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX totp_recovery_codes_by_user ON totp_recovery_codes(user_id);

-- A login whose password was right, waiting for the second factor (the
-- browser's code form). Lives five minutes and five wrong codes at most.
CREATE TABLE login_challenges (
	id         INTEGER PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,       -- keyed hash of the form's token; never the token
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	address    TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0  -- wrong codes so far
);
CREATE INDEX login_challenges_by_expiry ON login_challenges(expires_at);
