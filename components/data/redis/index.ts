export * from "./redis-conf";
export * from "./spec";
export * from "./redis";
export * from "./settings";
