export * from "./settings";
export * from "./spec";
export * from "./mem0";
