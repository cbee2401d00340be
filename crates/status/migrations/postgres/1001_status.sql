-- SPDX-License-Identifier: Apache-2.0
-- The status page's tables (version range 1001-1999; the monitor uses 1-999).
-- Times are microseconds since the epoch (UTC).
CREATE TABLE status_phase (
    generation BIGINT NOT NULL,
    ord BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (generation, ord)
);
CREATE TABLE status_severity (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL UNIQUE CHECK (value BETWEEN 0 AND 100)
);
CREATE TABLE status_impact_type (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE status_component (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE status_incident (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    began_at BIGINT,
    ended_at BIGINT,
    phase_generation BIGINT,
    phase_order BIGINT,
    next_update BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (phase_generation, phase_order) REFERENCES status_phase (generation, ord)
);
CREATE INDEX status_incident_began ON status_incident (began_at);
CREATE INDEX status_incident_ended ON status_incident (ended_at);
CREATE TABLE status_impact (
    incident_id TEXT NOT NULL REFERENCES status_incident (id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES status_component (id) ON DELETE CASCADE,
    impact_type_id TEXT NOT NULL REFERENCES status_impact_type (id),
    severity BIGINT NOT NULL CHECK (severity BETWEEN 0 AND 100),
    PRIMARY KEY (incident_id, component_id, impact_type_id)
);
CREATE INDEX status_impact_component ON status_impact (component_id);
CREATE INDEX status_impact_type_used ON status_impact (impact_type_id);
CREATE TABLE status_update (
    incident_id TEXT NOT NULL REFERENCES status_incident (id) ON DELETE CASCADE,
    ord BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT,
    PRIMARY KEY (incident_id, ord)
);
CREATE TABLE status_token (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE status_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL
);
-- incident events: the feed's entries and the webhooks' outbox
CREATE TABLE status_event (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    delivered BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX status_event_pending ON status_event (delivered, lease_until);
