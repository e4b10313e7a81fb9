-- 1 while the queue has waiting email and no agent whose status is not Offline has it in its routing profile.
-- Routing steps update it, so the QueueUnattended and QueueAttended events are appended once per change.
ALTER TABLE skill_queues ADD COLUMN unattended INTEGER NOT NULL DEFAULT 0;
