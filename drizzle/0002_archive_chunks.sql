CREATE TABLE `archive_chunks` (
	`chunk_id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`source_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `archive_chunks_key` ON `archive_chunks` (`key`);