// What the Node-side global setup (test/receiver/global-setup.ts) provides to tests in workerd.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    receiverOrigin: string;
  }
}
