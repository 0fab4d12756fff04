export * from "./spec";
export * from "./qdrant";
