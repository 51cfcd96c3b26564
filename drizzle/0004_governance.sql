CREATE TABLE `admin_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`role` text NOT NULL,
	`grants` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `admin_tokens_space` ON `admin_tokens` (`space_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`status` integer,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_space_at` ON `audit_log` (`space_id`,`at`);--> statement-breakpoint
CREATE TABLE `delivery_decisions` (
	`source_id` text NOT NULL,
	`message_id` text NOT NULL,
	`destination` text NOT NULL,
	`space_id` text NOT NULL,
	`allowed` integer NOT NULL,
	`reason` text NOT NULL,
	`detail` text NOT NULL,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`source_id`, `message_id`, `destination`)
);
--> statement-breakpoint
CREATE TABLE `destination_deletions` (
	`regulation_id` text NOT NULL,
	`destination` text NOT NULL,
	`space_id` text NOT NULL,
	`subject_type` text NOT NULL,
	`subjects` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`regulation_id`, `destination`)
);
--> statement-breakpoint
CREATE TABLE `regulations` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`regulation_type` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_count` integer NOT NULL,
	`status` text NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `regulations_space_created` ON `regulations` (`space_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `space_privacy` (
	`space_id` text PRIMARY KEY NOT NULL,
	`consent` text,
	`privacy_policy` text,
	`retention_days` integer,
	`suppression_secret` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `suppressed_events` (
	`source_id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`count` integer NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `suppressions` (
	`space_id` text NOT NULL,
	`hash` text NOT NULL,
	`regulation_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`space_id`, `hash`)
);
