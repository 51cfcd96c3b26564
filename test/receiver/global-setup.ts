// Vitest global setup for the worker project: starts the vendor receiver on 127.0.0.1 in Node and
// hands its origin to the tests inside workerd (`inject("receiverOrigin")`), which reach it with
// real HTTP requests.
import type { TestProject } from "vitest/node";
import { startVendorReceiver } from "./vendor-receiver.ts";

declare module "vitest" {
  export interface ProvidedContext {
    receiverOrigin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = await startVendorReceiver();
  project.provide("receiverOrigin", receiver.origin);
  return () => receiver.close();
}
