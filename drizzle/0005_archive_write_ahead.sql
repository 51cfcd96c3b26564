ALTER TABLE `archive_objects` ADD `state` text DEFAULT 'stored' NOT NULL;--> statement-breakpoint
ALTER TABLE `archive_objects` ADD `written_at` integer;--> statement-breakpoint
CREATE INDEX `archive_objects_unfinished` ON `archive_objects` (`written_at`) WHERE state <> 'stored';