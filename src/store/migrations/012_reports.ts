import type { Migration } from './index';

/**
 * Reporting data (issue 11). Owned by src/reports. Version 9: 007 and 008 are other branches'.
 *
 * - queue_stays: one row per caller's stay in an app_queue queue, written from AMI
 *   (QueueCallerJoin/Leave/Abandon, AgentConnect, UserEvent CcQueueExit) and re-attached by
 *   QueueStatus after an AMI reconnect, so a caller who waits through a daemon restart stays one row.
 *   `linkedid` is the customer's linkedid, the same value as calls.linkedid of the parts it led to.
 * - call_surveys: the CcSurvey UserEvent of asterisk-conf [cc-survey], on the call part it rates.
 * - calls.hold_ms / hold_since / wrapup_ms: hold and wrap-up time of each call part, kept on its row
 *   by triggers (the call_events 'state' row moving to or from 'on-hold' and the 'ended' row of a part
 *   ended while held; a wrap-up row getting its ended_at), so they commit with what causes them,
 *   whoever writes it, and the calls domain needs no code for them. Back-filled here.
 * - agent_state_hours: time per agent, state and pause reason per UTC hour, filled by a trigger on
 *   agent_state_log: each new log row closes the agent's previous row, whose span is added hour by
 *   hour. A month of state log (~2M rows) took 4-8 s to aggregate on the bench machine; these rows
 *   (a few per agent-hour) answer in milliseconds. The span still open (the state an agent is in
 *   now) is not in it: reports add it from the log. Spans longer than report_hour_offsets (a leap
 *   year of hours) are cut there; 'offline' is not counted.
 * - queues.service_level_seconds: per-queue service level threshold (NULL = reports.service_level_seconds).
 * - indexes the reports join on (calls.linkedid, wrapups.call_id, agent_state_log.at).
 */
export const m012Reports: Migration = {
  version: 12,
  name: 'reports',
  sql: `
ALTER TABLE queues ADD COLUMN service_level_seconds INTEGER;

CREATE INDEX calls_linkedid ON calls(linkedid) WHERE linkedid IS NOT NULL;
CREATE INDEX wrapups_call ON wrapups(call_id);
CREATE INDEX agent_state_log_at ON agent_state_log(at);

CREATE TABLE queue_stays (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  queue         TEXT NOT NULL,
  uniqueid      TEXT NOT NULL,                 -- the caller's channel in the queue (AMI Uniqueid)
  linkedid      TEXT,                          -- = calls.linkedid of the agent parts
  channel       TEXT NOT NULL DEFAULT '',
  caller_number TEXT NOT NULL DEFAULT '',
  caller_name   TEXT NOT NULL DEFAULT '',
  joined_at     INTEGER NOT NULL,
  join_source   TEXT NOT NULL CHECK (join_source IN ('event', 'status')),  -- status: learned from QueueStatus (Wait, whole seconds)
  position      INTEGER,                       -- position when it joined (or when first seen)
  left_at       INTEGER,                       -- NULL while waiting
  outcome       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (outcome IN ('waiting', 'answered', 'abandoned', 'timeout', 'left', 'blocked', 'lost')),
  detail        TEXT,                          -- QUEUESTATUS of a timeout/left, why it was lost...
  agent_ext     TEXT,                          -- answered by
  call_id       TEXT,                          -- the answering call part (protocol number)
  root_id       TEXT
);
CREATE UNIQUE INDEX queue_stays_open ON queue_stays(uniqueid) WHERE outcome = 'waiting';
CREATE INDEX queue_stays_joined ON queue_stays(joined_at);
CREATE INDEX queue_stays_linkedid ON queue_stays(linkedid);

CREATE TABLE call_surveys (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id   TEXT,                              -- the rated part (NULL: no part found for it)
  root_id   TEXT,
  linkedid  TEXT,
  uniqueid  TEXT,                              -- channel that ran the survey
  queue     TEXT,
  agent_ext TEXT,
  score     INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  at        INTEGER NOT NULL
);
CREATE INDEX call_surveys_at ON call_surveys(at);
CREATE INDEX call_surveys_call ON call_surveys(call_id);

-- Hold and wrap-up time per call part, kept on the row so a report reads one row per part.
ALTER TABLE calls ADD COLUMN hold_ms INTEGER NOT NULL DEFAULT 0;   -- closed holds
ALTER TABLE calls ADD COLUMN hold_since INTEGER;                    -- set while on hold
ALTER TABLE calls ADD COLUMN wrapup_ms INTEGER;                     -- closed wrap-ups; NULL = none

WITH holds AS (
  SELECT s.call_id, s.at AS started,
         (SELECT MIN(e.at) FROM call_events e
          WHERE e.call_id = s.call_id AND e.id > s.id AND e.type IN ('state', 'ended')
            AND json_extract(e.data, '$.previous') = 'on-hold') AS ended
  FROM call_events s
  WHERE s.type = 'state' AND json_extract(s.data, '$.state') = 'on-hold'
)
UPDATE calls SET
  hold_ms = COALESCE((SELECT SUM(h.ended - h.started) FROM holds h WHERE h.call_id = calls.id AND h.ended IS NOT NULL), 0),
  hold_since = (SELECT MAX(h.started) FROM holds h WHERE h.call_id = calls.id AND h.ended IS NULL)
WHERE id IN (SELECT call_id FROM holds);

UPDATE calls SET wrapup_ms = (SELECT SUM(w.ended_at - w.started_at) FROM wrapups w WHERE w.call_id = calls.id AND w.ended_at IS NOT NULL)
WHERE id IN (SELECT call_id FROM wrapups WHERE ended_at IS NOT NULL);

CREATE TRIGGER calls_hold_start AFTER INSERT ON call_events
WHEN NEW.type = 'state' AND json_extract(NEW.data, '$.state') = 'on-hold'
BEGIN
  UPDATE calls SET hold_since = NEW.at WHERE id = NEW.call_id;
END;

CREATE TRIGGER calls_hold_end AFTER INSERT ON call_events
WHEN NEW.type IN ('state', 'ended') AND json_extract(NEW.data, '$.previous') = 'on-hold'
BEGIN
  UPDATE calls SET hold_ms = hold_ms + MAX(0, NEW.at - hold_since), hold_since = NULL
  WHERE id = NEW.call_id AND hold_since IS NOT NULL;
END;

CREATE TRIGGER calls_wrapup_end AFTER UPDATE OF ended_at ON wrapups
WHEN OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL
BEGIN
  UPDATE calls SET wrapup_ms = COALESCE(wrapup_ms, 0) + MAX(0, NEW.ended_at - NEW.started_at) WHERE id = NEW.call_id;
END;

CREATE TABLE report_hour_offsets (n INTEGER PRIMARY KEY);
WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 8783)
INSERT INTO report_hour_offsets (n) SELECT n FROM seq;

CREATE TABLE agent_state_hours (
  hour      INTEGER NOT NULL,                  -- UTC hour: ms since epoch / 3600000
  extension TEXT NOT NULL,
  state     TEXT NOT NULL,
  reason    TEXT NOT NULL DEFAULT '',          -- the pause reason for 'paused', '' otherwise
  ms        INTEGER NOT NULL,
  PRIMARY KEY (hour, extension, state, reason)
) WITHOUT ROWID;

INSERT INTO agent_state_hours (hour, extension, state, reason, ms)
SELECT p.h0 + o.n, p.extension, p.state, p.reason,
       MIN(p.e, (p.h0 + o.n + 1) * 3600000) - MAX(p.at, (p.h0 + o.n) * 3600000)
FROM (SELECT extension, state, at, at / 3600000 AS h0,
             COALESCE(CASE WHEN state = 'paused' THEN reason END, '') AS reason,
             LEAD(at) OVER (PARTITION BY extension ORDER BY at, id) AS e
      FROM agent_state_log) p
JOIN report_hour_offsets o ON o.n <= p.e / 3600000 - p.h0
WHERE p.e IS NOT NULL AND p.state <> 'offline' AND p.e > p.at
  AND MIN(p.e, (p.h0 + o.n + 1) * 3600000) > MAX(p.at, (p.h0 + o.n) * 3600000)
ON CONFLICT (hour, extension, state, reason) DO UPDATE SET ms = ms + excluded.ms;

CREATE TRIGGER agent_state_hours_fill AFTER INSERT ON agent_state_log
BEGIN
  INSERT INTO agent_state_hours (hour, extension, state, reason, ms)
  SELECT p.h0 + o.n, p.extension, p.state, p.reason,
         MIN(NEW.at, (p.h0 + o.n + 1) * 3600000) - MAX(p.at, (p.h0 + o.n) * 3600000)
  FROM (SELECT extension, state, at, at / 3600000 AS h0,
               COALESCE(CASE WHEN state = 'paused' THEN reason END, '') AS reason
        FROM agent_state_log
        WHERE extension = NEW.extension AND at <= NEW.at AND id <> NEW.id
        ORDER BY at DESC, id DESC LIMIT 1) p
  JOIN report_hour_offsets o ON o.n <= NEW.at / 3600000 - p.h0
  WHERE p.state <> 'offline' AND NEW.at > p.at
    AND MIN(NEW.at, (p.h0 + o.n + 1) * 3600000) > MAX(p.at, (p.h0 + o.n) * 3600000)
  ON CONFLICT (hour, extension, state, reason) DO UPDATE SET ms = ms + excluded.ms;
END;
`,
};
