export * from "./erasure";
export * from "./settings";
export * from "./spec";
export * from "./buckets";
export * from "./minio";
