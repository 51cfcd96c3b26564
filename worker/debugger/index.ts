// The live event debugger (SourceDebugger Durable Object).
export { SourceDebugger } from "./source-debugger.ts";
