CREATE TABLE `access_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_tokens_hash` ON `access_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `identity_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`message_id` text NOT NULL,
	`action` text NOT NULL,
	`rule` text NOT NULL,
	`survivor` text,
	`folded` text,
	`identifiers` text NOT NULL,
	`detail` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `identity_audit_space_at` ON `identity_audit` (`space_id`,`at`);--> statement-breakpoint
CREATE INDEX `identity_audit_survivor` ON `identity_audit` (`space_id`,`survivor`);--> statement-breakpoint
CREATE INDEX `identity_audit_folded` ON `identity_audit` (`space_id`,`folded`);