// The ingest queue consumer: archive, identity, profile and delivery for each chunk.
export { consumeIngestBatch } from "./ingest-consumer.ts";
