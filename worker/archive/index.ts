// The event archive in R2: object keys, the write-ahead record and the object index.
export { archivePrefix } from "./keys.ts";
export { isStoredObject, listStoredObjects, unfinishedObjects } from "./object-index.ts";
export { retryDelaySeconds } from "./retry-delay.ts";
export { type ArchiveObjectRow, markStored, recordWriteIntent } from "./write-ahead.ts";
export { TokenFilter, buildTokenFilter, eventTokens } from "./token-filter.ts";
export {
  LOOKUP_MAX_ROWS,
  findArchivedEvent,
  objectEvents,
  storedObjects,
  type IndexedObject,
  type ObjectPosition,
} from "./object-scan.ts";
export { ForeignCursorError, archivedEventPage, type EventCursor } from "./event-pages.ts";
export { compactFilters, hourIndexKey } from "./filter-compaction.ts";
