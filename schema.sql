-- Power dialer database schema (SQLite, WAL). Applied at start by the store; `schema_version` lets
-- later versions migrate. Times are Unix milliseconds (UTC). Only src/store knows this file.
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
  id                 TEXT PRIMARY KEY,
  agent_id           TEXT NOT NULL,
  status             TEXT NOT NULL,            -- created|running|paused|stopped|completed
  pause_reason       TEXT,                     -- e.g. agent_left
  concurrent_lines   INTEGER NOT NULL,
  selected_numbers   TEXT NOT NULL,            -- E.164 numbers, comma separated
  max_attempts       INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  started_at         INTEGER,
  ended_at           INTEGER,
  agent_call_id      TEXT,                     -- calls.id of the current agent leg
  -- statistics, updated in the same transaction as the state change that moves them
  stat_calls         INTEGER NOT NULL DEFAULT 0,
  stat_contacted     INTEGER NOT NULL DEFAULT 0,
  stat_answered      INTEGER NOT NULL DEFAULT 0,
  stat_no_answer     INTEGER NOT NULL DEFAULT 0,
  stat_talk_ms       INTEGER NOT NULL DEFAULT 0,
  stat_connected     INTEGER NOT NULL DEFAULT 0,
  stat_dropped       INTEGER NOT NULL DEFAULT 0,
  stat_machine       INTEGER NOT NULL DEFAULT 0,
  stat_human_answers INTEGER NOT NULL DEFAULT 0, -- attempts answered by a person (abandon rate)
  campaign_id        TEXT NOT NULL DEFAULT 'default' -- the abandon rate is counted per campaign (SPEC §10)
);
CREATE INDEX IF NOT EXISTS sessions_by_status ON sessions(status);
CREATE INDEX IF NOT EXISTS sessions_by_agent ON sessions(agent_id, created_at);

CREATE TABLE IF NOT EXISTS queue_items (
  id                 TEXT PRIMARY KEY,
  session_id         TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL,         -- insertion order; a retried item gets a new one
  contact_id         TEXT,
  name               TEXT,
  phone              TEXT NOT NULL,
  timezone           TEXT,
  status             TEXT NOT NULL,            -- pending|calling|completed|failed|cancelled
  priority           INTEGER NOT NULL DEFAULT 0,
  boosted            INTEGER NOT NULL DEFAULT 0, -- 1: dropped while the agent was busy, dial first
  attempts           INTEGER NOT NULL DEFAULT 0,
  max_attempts       INTEGER NOT NULL,
  last_outcome       TEXT,
  next_attempt_at    INTEGER,
  was_contacted      INTEGER NOT NULL DEFAULT 0,
  was_answered       INTEGER NOT NULL DEFAULT 0,
  blocked_reason     TEXT,                     -- calling_hours|daily_cap: why it waits for next_attempt_at
  UNIQUE (session_id, phone)
);
-- Dial order: boosted first, then priority, then insertion order.
CREATE INDEX IF NOT EXISTS queue_dial_order
  ON queue_items(session_id, status, boosted DESC, priority DESC, seq);
-- The session's next retry time (every pump asks): without it the query read every pending item of the
-- session (dial order does not sort by next_attempt_at), 28 us at 88 items, O(list size).
CREATE INDEX IF NOT EXISTS queue_retry_due
  ON queue_items(session_id, next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS calls (
  id                 TEXT PRIMARY KEY,
  session_id         TEXT,                     -- NULL for manual and inbound calls
  queue_item_id      TEXT,
  contact_id         TEXT,
  direction          TEXT NOT NULL,            -- outbound|inbound
  kind               TEXT NOT NULL,            -- customer|agent|manual
  from_number        TEXT NOT NULL,
  to_number          TEXT NOT NULL,
  call_control_id    TEXT UNIQUE,
  command_id         TEXT NOT NULL,            -- the dial's idempotency key, written before it is sent
  client_state       TEXT NOT NULL,
  status             TEXT NOT NULL,            -- dialing|ringing|answered|bridged|ended
  outcome            TEXT,
  pending_outcome    TEXT,
  routing            TEXT NOT NULL DEFAULT 'none',
  amd_enabled        INTEGER NOT NULL DEFAULT 0,
  person_answered    INTEGER NOT NULL DEFAULT 0,
  amd_result         TEXT,
  cancel_wanted      INTEGER NOT NULL DEFAULT 0,
  hangup_cause       TEXT,
  sip_hangup_cause   TEXT,
  error_detail       TEXT,                     -- Telnyx error of a refused dial
  started_at         INTEGER NOT NULL,
  answered_at        INTEGER,
  bridged_at         INTEGER,
  ended_at           INTEGER,
  talk_ms            INTEGER NOT NULL DEFAULT 0,
  notes              TEXT,
  disposition        TEXT,
  -- the recorded message of an answered call not connected (SPEC §10: drop message, voicemail)
  message_kind       TEXT,                     -- drop|voicemail; NULL: none
  message_phase      TEXT,                     -- awaiting_beep|playing|done; NULL: none
  message_played     INTEGER NOT NULL DEFAULT 0, -- Telnyx said it started (or completed)
  message_at         INTEGER,                  -- the phase began: beep wait, or message command issued
  message_status     TEXT                      -- how it ended: completed|call_hangup|timeout|failed|...
);
CREATE INDEX IF NOT EXISTS calls_by_session ON calls(session_id, started_at);
-- The live calls (restart, the lost-webhook sweep's range scans), and a session's live calls (stop,
-- completion). calls_live(status) was the first index's prefix: one page more written per status change.
DROP INDEX IF EXISTS calls_live;
CREATE INDEX IF NOT EXISTS calls_live_by_start ON calls(status, started_at) WHERE status <> 'ended';
CREATE INDEX IF NOT EXISTS calls_live_by_session ON calls(session_id) WHERE status <> 'ended';
CREATE INDEX IF NOT EXISTS calls_recent ON calls(started_at);

-- Telnyx webhook ids already handled (de-duplication on data.id).
-- WITHOUT ROWID: keyed by the id alone, one B-tree written per webhook instead of two.
CREATE TABLE IF NOT EXISTS webhook_events (
  id                 TEXT PRIMARY KEY,
  event_type         TEXT NOT NULL,
  call_control_id    TEXT,
  received_at        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS agents (
  id                 TEXT PRIMARY KEY,
  state              TEXT NOT NULL DEFAULT 'offline', -- offline|connecting|ready|talking|wrap_up
  busy               INTEGER NOT NULL DEFAULT 0,
  session_id         TEXT,                     -- the active session, if any
  leg_call_id        TEXT,                     -- calls.id of the agent leg
  talking_call_id    TEXT,                     -- calls.id of the customer reserved/bridged
  wrap_up_until      INTEGER
);

-- CRM push outbox: each call.connected / call.ended event, written in the transaction of the change that
-- made it and POSTed to crm.webhook_url until a 2xx or crm.max_attempts (crm_push.cpp).
CREATE TABLE IF NOT EXISTS crm_outbox (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id           TEXT NOT NULL UNIQUE,     -- the body's "id"; receivers de-duplicate on it
  event_type         TEXT NOT NULL,
  body               TEXT NOT NULL,            -- the exact bytes sent and signed
  state              TEXT NOT NULL DEFAULT 'pending', -- pending|delivered|failed
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at    INTEGER NOT NULL,         -- pending: not sent before this (Unix ms)
  created_at         INTEGER NOT NULL,
  finished_at        INTEGER,                  -- delivered or failed at
  last_error         TEXT                      -- the last failed attempt: HTTP status or transport error
);
CREATE INDEX IF NOT EXISTS crm_outbox_due ON crm_outbox(next_attempt_at) WHERE state = 'pending';
-- Manual calls (POST /api/calls): who placed each one, its agent leg, and the contact's name.
CREATE TABLE IF NOT EXISTS manual_calls (
  call_id            TEXT PRIMARY KEY,         -- calls.id of the customer leg (kind manual)
  agent_id           TEXT NOT NULL,
  agent_call_id      TEXT NOT NULL,            -- calls.id of the agent leg dialed first
  name               TEXT                      -- shown in the CRM's call dialog
);
CREATE INDEX IF NOT EXISTS manual_calls_by_agent_leg ON manual_calls(agent_call_id);
-- Index sessions_by_campaign ON sessions(campaign_id) (the 30-day abandon rate per campaign) is made
-- in src/store/store.cpp after campaign_id is added to an older database's sessions table.
-- Covers the 30-day abandon tally of a campaign's sessions (store/campaigns.cpp): without it the count
-- read every call row (450 ms for 50k calls in the window of 1M; 70 ms with it).
CREATE INDEX IF NOT EXISTS calls_abandon_tally
  ON calls(session_id, started_at, person_answered, outcome, answered_at, ended_at)
  WHERE kind = 'customer' AND status = 'ended' AND call_control_id IS NOT NULL;

-- Do-not-call list (SPEC §10): a listed number is never dialed by a session or a manual call.
CREATE TABLE IF NOT EXISTS dnc (
  phone              TEXT PRIMARY KEY,         -- E.164, as normalised by the API
  added_at           INTEGER NOT NULL
);
-- max_calls_per_number_24h: dials to one number across sessions in the last 24 h.
CREATE INDEX IF NOT EXISTS calls_by_to_number ON calls(to_number, started_at);
