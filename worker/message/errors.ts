import { InputError } from "../errors.ts";

/**
 * A message the edge refuses, with Segment's discard code where one exists
 * (https://segment.com/docs/connections/spec/common/, "Failed on ingest") and the offending field's path.
 */
export class MessageError extends InputError {
  constructor(code: string, field: string, message: string) {
    super(code, field, message);
    this.name = "MessageError";
  }
}

/** How a rejected batch item is reported back to the caller. */
export interface RejectedItem {
  index: number;
  code: string;
  field: string;
  message: string;
}
