CREATE TABLE `archive_objects` (
	`key` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`event_count` integer NOT NULL,
	`bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `archive_objects_source_received` ON `archive_objects` (`source_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`source_id` text NOT NULL,
	`message_id` text NOT NULL,
	`space_id` text NOT NULL,
	`type` text NOT NULL,
	`event` text,
	`user_id` text,
	`anonymous_id` text,
	`timestamp` integer NOT NULL,
	`received_at` integer NOT NULL,
	`chunk_id` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`source_id`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `events_source_received` ON `events` (`source_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `events_user` ON `events` (`space_id`,`user_id`,`timestamp`) WHERE user_id is not null;--> statement-breakpoint
CREATE INDEX `events_anonymous` ON `events` (`space_id`,`anonymous_id`,`timestamp`) WHERE anonymous_id is not null;--> statement-breakpoint
CREATE INDEX `events_chunk` ON `events` (`chunk_id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`name` text NOT NULL,
	`write_key_hash` text NOT NULL,
	`write_key_hint` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`retention_days` integer DEFAULT 90 NOT NULL,
	`rate_limit_per_second` integer NOT NULL,
	`rate_limit_burst` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_write_key_hash` ON `sources` (`write_key_hash`);--> statement-breakpoint
CREATE INDEX `sources_space` ON `sources` (`space_id`);--> statement-breakpoint
CREATE TABLE `spaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
