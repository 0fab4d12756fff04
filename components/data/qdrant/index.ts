export * from "./spec";
export * from "./qdrant";
export * from "./settings";
