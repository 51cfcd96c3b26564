-- Events leave D1 (issue 14): every event's stored body is in its R2 archive object already, and
-- each object's index row gains the Bloom filter of its events' tokens (worker/archive/token-filter.ts).
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `archive_objects` ADD `last_received_at` integer;--> statement-breakpoint
ALTER TABLE `archive_objects` ADD `tokens` text;