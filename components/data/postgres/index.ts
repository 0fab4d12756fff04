export * from "./patroni-config";
export * from "./spec";
export * from "./postgres";
export * from "./app-database";
export * from "./settings";
