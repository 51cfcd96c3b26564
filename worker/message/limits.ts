// Size and count limits of Segment's Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size, §1.4).

/** 32 KB per message, for single calls and each batch item. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** 500 KB per batch request. */
export const MAX_BATCH_BYTES = 500 * 1024;
/** 2,500 items per batch. */
export const MAX_BATCH_ITEMS = 2500;
/** `messageId` is "limited to 100 characters". */
export const MAX_MESSAGE_ID_LENGTH = 100;
